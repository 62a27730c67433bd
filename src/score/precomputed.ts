/**
 * Precomputed predictions, for any framework: one file of logits or probabilities per checkpoint
 * (.npy, CSV/TSV, JSON/JSONL or Parquet), matched to dataset records by id — or by position only
 * when `model.byPosition` asks for it. Everything is checked when a checkpoint loads (missing or
 * duplicate ids, widths, non-finite values, probabilities that do not sum to 1), so a bad file
 * fails with one message before any analysis runs.
 *
 * It plugs into the common scoring loop through the same interface as a real model: each row it is
 * fed ends with the record's index (see `indexInputs`), and `predict` looks the predictions up.
 */
import { dirname, extname } from 'node:path';
import type { Config } from '../config.ts';
import { readTable, resolveFormat } from '../load/dataset.ts';
import { NumberLists, openParquet } from '../load/formats/parquet.ts';
import { siblingParts } from '../load/parts.ts';
import { firstInexactId, idIndexOf, inexactIdError } from '../load/unique-ids.ts';
import { copyRow, firstNonFinite } from '../load/input-values.ts';
import { parseNpy, typedFromBuffer, type NpyData } from '../load/formats/npy.ts';
import { InputError, messages } from '../messages.ts';
import { readNpyRows } from '../load/npy-rows.ts';
import { readWholeFile, readWholeText } from '../load/read-whole.ts';
import type { Checkpoint, Dataset, ModelInputs } from '../types.ts';
import type { LoadedModel, ScoringRuntime } from './runtime.ts';

/** Same tolerance as the scoring loop's probability detection. */
const SUM_TOLERANCE = 1e-3;
/** Record indices travel as float32: exact up to 2^24. */
const MAX_RECORDS = 1 << 24;

/**
 * What the scoring loop feeds precomputed predictions: the model inputs when the config gives them,
 * with the record's index appended to every row, so that records with non-finite inputs are still
 * found unscorable (with the right input position in the reason) and `predict` knows its rows.
 */
export function indexInputs(n: number, inputs: ModelInputs | null = null): ModelInputs {
  if (n > MAX_RECORDS) throw new InputError('dataset', `at most ${MAX_RECORDS} records for precomputed predictions`, `${n}`);
  const d = inputs ? inputs.rowSize : 0;
  const data = new Float32Array(n * (d + 1));
  for (let i = 0; i < n; i++) {
    if (inputs) copyRow(inputs, i, data, i * (d + 1));
    data[i * (d + 1) + d] = i;
  }
  return { file: inputs?.file ?? '(record index)', n, shape: [d + 1], rowSize: d + 1, data };
}

/** Predictions aligned to dataset order: n·width values, NaN rows for records without a prediction. */
export interface AlignedPredictions {
  width: number;
  /** Rows from record `first` on (all records, or a shard's window of them). */
  values: Float32Array;
  first: number;
  warnings: string[];
}

/** The records a shard scores, [start, end) (score/shard.ts): rows of a by-position .npy outside it are not read. */
export interface RecordWindow {
  start: number;
  end: number;
}

/**
 * `inputs`, when the config gives them, mark records the scoring loop skips (non-finite inputs):
 * those need no prediction, just as records with a label outside the class list.
 */
export function createPrecomputedRuntime(model: Config['model'], dataset: Dataset, idColumn: string, inputs: ModelInputs | null = null, window?: RecordWindow): ScoringRuntime {
  const exempt = exemptRecords(dataset, inputs);
  const warnings: string[] = [];
  return {
    name: 'precomputed',
    warnings,
    async load(checkpoint: Checkpoint): Promise<LoadedModel> {
      const aligned = await readPredictions(checkpoint.path, model, dataset, idColumn, exempt, window);
      for (const w of aligned.warnings) if (!warnings.includes(w)) warnings.push(w);
      const { width, first } = aligned;
      let values = aligned.values;
      return {
        inputShape: [-1], // whatever indexInputs built
        outputs: width,
        async predict(batch, rows) {
          const rowSize = batch.length / rows;
          const out = new Float32Array(rows * width);
          for (let r = 0; r < rows; r++) {
            const i = batch[r * rowSize + rowSize - 1] - first; // the record index (last in the row), as a row of `values`
            out.set(values.subarray(i * width, (i + 1) * width), r * width);
          }
          return out;
        },
        dispose() {
          // A checkpoint's predictions can be records × classes × 4 bytes (0.8 GB at 200 000 × 1 000):
          // let them go as soon as it is scored, not when the next group's are read.
          values = new Float32Array(0);
        },
      };
    },
  };
}

/** Read one checkpoint's predictions and align them to the dataset's records. */
export async function readPredictions(file: string, model: Config['model'], dataset: Dataset, idColumn: string, exempt = exemptRecords(dataset, null), window?: RecordWindow): Promise<AlignedPredictions> {
  const k = dataset.classes.length;
  if (window && model.byPosition && extname(file).toLowerCase() === '.npy') return npyWindow(file, dataset, exempt, window, model.output);
  const parts = extname(file).toLowerCase() === '.npy' ? [await fromNpy(file, model)] : await fromTableParts(file, model, idColumn, dataset.classes, dataset.ids);
  const { width } = parts[0];
  if (width !== k) {
    throw widthError(file, dataset, `${width}${parts[0].columns ? ` (columns ${parts[0].columns.join(', ')})` : ''}`);
  }
  const warnings = [...new Set(parts.flatMap((p) => (p.note ? [p.note] : [])))];
  let aligned: Float32Array;
  const filled = new Uint8Array(dataset.n);
  const unknown: string[] = []; // the file's ids that are not the dataset's
  if (model.byPosition || !hasIds(parts[0])) {
    if (!model.byPosition) {
      throw new InputError(file, 'record ids to match predictions to records (set model.predictions.ids to a file of ids, one per row)', 'an .npy array without ids (or set model.byPosition to true if its rows are in dataset order)');
    }
    const rows = parts.reduce((sum, p) => sum + p.rows, 0);
    if (rows !== dataset.n) throw rowsError(file, dataset, rows);
    if (parts.length === 1) {
      // The rows are the records already: used as read, not copied (one 200 000 × 1 000-class
      // checkpoint is 800 MB, and the scores made from it are as many again).
      aligned = parts[0].values;
    } else {
      aligned = new Float32Array(dataset.n * k);
      let at = 0;
      for (const p of parts) {
        aligned.set(p.values, at);
        at += p.values.length;
      }
    }
    filled.fill(1);
  } else {
    aligned = new Float32Array(dataset.n * k).fill(Number.NaN);
    // Part by part: the parts are never concatenated (a copy of every value and id per checkpoint).
    for (const [p, part] of parts.entries()) {
      const { values, ids } = part;
      const records = part.records ?? recordsOf(ids!, dataset.ids, p, part.idDigest);
      for (let r = 0; r < records.length; r++) {
        const i = records[r];
        if (i < 0) {
          unknown.push(ids![r]); // records known without ids have none missing (recordsOf keeps a digest only then)
          continue;
        }
        if (filled[i]) throw new InputError(file, 'one prediction per record id', `id "${dataset.ids[i]}" twice`);
        filled[i] = 1;
        for (let j = 0; j < k; j++) aligned[i * k + j] = values[r * k + j];
      }
    }
    if (unknown.length) warnings.push(`${file}: ${unknown.length} prediction(s) for ids not in the dataset were ignored (e.g. ${quoteList(unknown)})`);
  }
  // Exempt records are never read, so whatever the file holds for them (often NaN) is not checked.
  const checked = new Uint8Array(dataset.n);
  const missing: string[] = [];
  for (let i = 0; i < dataset.n; i++) {
    if (exempt[i]) continue;
    if (filled[i]) checked[i] = 1;
    else missing.push(dataset.ids[i]);
  }
  if (missing.length) {
    // The file's own ids beside the dataset's show the usual cause at a glance ("1" against "001", "1.0" against "1").
    const theirs = unknown.length ? `; the file's ids not in the dataset include ${quoteList(unknown)}` : '';
    throw new InputError(file, `a prediction for every dataset record (matched on id)`, `${missing.length} of ${dataset.n} records without one (e.g. ${quoteList(missing)})${theirs}`);
  }
  checkValues(file, aligned, checked, dataset.ids, k, model.output);
  return { width: k, values: aligned, first: 0, warnings };
}

/**
 * A shard's rows of a by-position .npy, read alone (at 200 000 × 1 000 classes each of four shards
 * read and checked the whole 800 MB file), with the whole file's shape checked as readPredictions
 * checks it. Values are checked in the window only: the other rows are other shards' to check.
 */
async function npyWindow(file: string, dataset: Dataset, exempt: Uint8Array, { start, end }: RecordWindow, output: Config['model']['output']): Promise<AlignedPredictions> {
  const k = dataset.classes.length;
  // The whole file's shape is checked before its rows are read.
  const { header: h, rows: bytes } = await readNpyRows(file, 'model.checkpoints', start, end, {
    check: ({ shape }) => {
      checkMatrix(file, shape);
      if (shape[1] !== k) throw widthError(file, dataset, `${shape[1]}`);
      if (shape[0] !== dataset.n) throw rowsError(file, dataset, shape[0]);
    },
  });
  const values = asFloat32(typedFromBuffer(h.dtype, bytes.buffer as ArrayBuffer));
  const checked = Uint8Array.from(exempt.subarray(start, end), (e) => (e ? 0 : 1));
  checkValues(file, values, checked, dataset.ids.slice(start, end), k, output);
  return { width: k, values, first: start, warnings: [] };
}

/**
 * The last matching made per dataset and part number: the record of each row of that part in the
 * last prediction file, and — for a Parquet part whose every id was found — its stored id column's
 * digest (idsAsBefore).
 */
const lastMatch = new WeakMap<readonly string[], { records: Int32Array; digest?: string }[]>();

function matchesOf(datasetIds: readonly string[]): { records: Int32Array; digest?: string }[] {
  let byPart = lastMatch.get(datasetIds);
  if (!byPart) lastMatch.set(datasetIds, (byPart = []));
  return byPart;
}

/**
 * The dataset record of each of `ids`, the rows of part `part` of a file (−1 when absent). Every
 * checkpoint of a run usually lists its ids in the same order (one job writes every epoch's files),
 * so the previous file's matching of the same part is tried first and checked row for row against
 * the dataset's ids; looking a million ids up in the index misses the cache on nearly every one
 * (~0.35 s per file). Only row numbers are kept between files, not the ids (a million more strings
 * for every later GC to mark). `digest` (of the stored id column) is kept with them when every id
 * was found, so a file known by it needs no id in a message.
 */
function recordsOf(ids: readonly string[], datasetIds: readonly string[], part: number, digest?: string): Int32Array {
  const byPart = matchesOf(datasetIds);
  const last = byPart[part]?.records;
  let records: Int32Array | undefined;
  if (last && last.length === ids.length) {
    let r = 0;
    while (r < ids.length && last[r] >= 0 && datasetIds[last[r]] === ids[r]) r++;
    if (r === ids.length) records = last;
  }
  if (!records) {
    const index = idIndexOf(datasetIds);
    records = Int32Array.from(ids, (id) => index.get(id));
  }
  byPart[part] = { records, ...(digest !== undefined && records.every((i) => i >= 0) ? { digest } : {}) };
  return records;
}

/**
 * The records of part `part` when its stored id column has the digest of the last file's same
 * part: then its ids are the same, in the same order, and need not be read at all. A run's
 * checkpoints usually list their ids alike (one job writes every epoch), and a million id strings
 * were most of what reading a checkpoint cost (hyparquet decodes each, then every GC marks them).
 */
function idsAsBefore(datasetIds: readonly string[], part: number, digest: string, rows: number): Int32Array | undefined {
  const known = matchesOf(datasetIds)[part];
  return known?.digest === digest && known.records.length === rows ? known.records : undefined;
}

/** 1 for records the scoring loop will not score (unknown label, non-finite input): they need no prediction. */
export function exemptRecords(dataset: Dataset, inputs: ModelInputs | null): Uint8Array {
  const exempt = new Uint8Array(dataset.n);
  for (const u of dataset.unknownLabels) exempt[u.index] = 1;
  if (inputs) for (let i = 0; i < dataset.n; i++) if (firstNonFinite(inputs, i) >= 0) exempt[i] = 1;
  return exempt;
}

/** Finite everywhere; probabilities (declared, or all values in [0, 1] under "auto") must sum to 1. */
/** Filled rows from `from` on holding a non-finite value. */
function nonFiniteRows(values: Float32Array, filled: Uint8Array, k: number, from: number): number {
  let rows = 0;
  for (let i = from; i < filled.length; i++) {
    if (!filled[i]) continue;
    let bad = 0;
    for (let j = i * k; j < i * k + k; j++) bad += values[j] - values[j];
    if (bad !== 0) rows++;
  }
  return rows;
}

function checkValues(file: string, values: Float32Array, filled: Uint8Array, ids: readonly string[], k: number, output: Config['model']['output']): void {
  // Whether every value lies in [0, 1] only matters for probabilities, declared or "auto"; it is
  // looked at until the first value outside. A test per value of logits on both sides of 1 is a
  // branch the CPU cannot predict: it took three times as long as the rest (100 000 × 1 000 values).
  let allUnit = output !== 'logits';
  for (let i = 0; i < filled.length; i++) {
    if (!filled[i]) continue;
    const o = i * k;
    // v − v is 0 for a finite v and NaN otherwise: one test per row.
    let bad = 0;
    for (let j = 0; j < k; j++) bad += values[o + j] - values[o + j];
    if (bad !== 0) {
      const j = values.subarray(o, o + k).findIndex((v) => !Number.isFinite(v));
      // How many more: one bad row or a fifth of the file are different problems.
      const more = nonFiniteRows(values, filled, k, i + 1);
      throw new InputError(`${file} (record "${ids[i]}")`, 'finite predictions', `${values[o + j]} in column ${j + 1}${more ? `, and non-finite values in ${more.toLocaleString('en-US')} more record(s)` : ''}`);
    }
    if (!allUnit) continue;
    for (let j = 0; j < k; j++) {
      const v = values[o + j];
      if (v < 0 || v > 1) {
        allUnit = false;
        break;
      }
    }
  }
  if (output === 'logits' || (output === 'auto' && !allUnit)) return;
  for (let i = 0; i < filled.length; i++) {
    if (!filled[i]) continue;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = values[i * k + j];
      if (v < 0 || v > 1) throw new InputError(`${file} (record "${ids[i]}")`, 'probabilities in [0, 1] (model.output is "probabilities")', `${v}`);
      sum += v;
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      throw new InputError(
        `${file} (record "${ids[i]}")`,
        `probabilities that sum to 1 (±${SUM_TOLERANCE})`,
        `a sum of ${sum.toPrecision(6)}${output === 'auto' ? ' (if these are scores rather than probabilities, set model.output to "logits")' : ''}`,
      );
    }
  }
}

/** The rows of one prediction file (or one part file of a checkpoint). */
interface RawPredictions {
  rows: number;
  width: number;
  values: Float32Array;
  /** Record id per row, or null when the file has none (or `records` made reading them unnecessary). */
  ids: readonly string[] | null;
  /** The dataset record of each row, known without reading the ids: they are the same as the last file's (see idsAsBefore). */
  records?: Int32Array;
  /** Digest of the stored id column (Parquet), kept with the records it matched for the next file. */
  idDigest?: string;
  columns?: string[];
  /** How inferred columns were put in class order, when not the file's (a warning of the run). */
  note?: string;
}

/** Whether the rows come with ids (read, or known to be the last file's). */
const hasIds = (p: RawPredictions) => p.ids !== null || p.records !== undefined;

function checkMatrix(file: string, shape: number[]): void {
  if (shape.length !== 2) throw new InputError(file, 'an array of shape [records, classes]', `shape [${shape.join(', ')}]`);
}

/** A prediction file whose rows are not one value per class. */
function widthError(file: string, dataset: Dataset, found: string): InputError {
  return new InputError(file, `${dataset.classes.length} values per record (one per class: ${dataset.classes.join(', ')})`, found);
}

/** A by-position prediction file whose row count is not the dataset's. */
function rowsError(file: string, dataset: Dataset, rows: number): InputError {
  return new InputError(file, `${dataset.n} rows (one per dataset record, in dataset order, as model.byPosition is true)`, `${rows} rows`);
}

/** Float32 data as it is; other dtypes converted by the typed-array constructor (Float32Array.from's rounding, far faster). */
function asFloat32(data: NpyData): Float32Array {
  return data instanceof Float32Array ? data : data instanceof BigInt64Array ? Float32Array.from(data, Number) : new Float32Array(data);
}

async function fromNpy(file: string, model: Config['model']): Promise<RawPredictions> {
  // Read in pieces: readFile refuses files beyond 2 GiB (600 000 records × 1 000 classes is 2.4 GB).
  const buf = await readWholeFile(file, 'model.checkpoints');
  // Float32 data is read in place (no copy of a file that can be records × classes × 4 bytes).
  const arr = parseNpy(buf, file, { copy: false });
  checkMatrix(file, arr.shape);
  const [rows, width] = arr.shape;
  const values = asFloat32(arr.data);
  let ids: readonly string[] | null = null;
  if (!model.byPosition && model.predictions.ids) {
    ids = await readIds(model.predictions.ids, model.predictions.id);
    if (ids.length !== rows) throw new InputError(model.predictions.ids, `${rows} ids (one per row of ${file})`, `${ids.length}`);
  }
  return { rows, width, values, ids };
}

/** Ids from a text file (one per line) or from the id column of a table. */
async function readIds(file: string, column: string | null): Promise<readonly string[]> {
  if (extname(file).toLowerCase() === '.txt') {
    const text = await readWholeText(file, 'model.predictions.ids', 'a Parquet or Arrow file of ids');
    return text.split(/\r?\n/).filter((l) => l !== '');
  }
  const col = column ?? 'id';
  const table = await readTable(file, [col], 'auto', 'model.predictions.ids');
  const c = table.column(col);
  if (!c) throw new InputError(`${file} (model.predictions.id = "${col}")`, `a column named "${col}"`, `columns ${table.columnNames().join(', ')}`);
  return idStrings(c, table.numRows(), file, col);
}

/**
 * One table, or every part file of a Spark/Dask output folder in name order (src/load/parts.ts).
 * Parts are read one after another: read at once, every part's decoded values were alive together
 * (a million rows of list values as JS arrays put most of the time into GC).
 */
async function fromTableParts(file: string, model: Config['model'], datasetId: string, classes: readonly string[], datasetIds: readonly string[]): Promise<RawPredictions[]> {
  const files = siblingParts(file);
  const parts: RawPredictions[] = [];
  for (const [index, f] of files.entries()) {
    const p = await fromTable(f, model, datasetId, classes, { datasetIds, part: index });
    // An empty partition's file (Dask and Ray write them) holds no rows to read its columns' kind
    // from: it adds nothing, and its columns are not compared.
    if (p.rows === 0 && files.length > 1) continue;
    if (parts.length && (p.width !== parts[0].width || hasIds(p) !== hasIds(parts[0]))) {
      throw new InputError(f, `the same columns as ${files[0]} (parts of one checkpoint)`, `${p.width} prediction columns${hasIds(p) ? '' : ' and no id column'}`);
    }
    parts.push(p);
  }
  if (parts.length === 0) throw new InputError(dirname(file), 'part files holding predictions', `${files.length} part files, all empty`);
  return parts;
}

/** What the readers below use of a column: arrays, typed arrays, arquero's columns and NumberLists all have it. */
type Column = { readonly length: number; at(i: number): unknown };

/** A table's columns by name: arquero's arrays, or a Parquet file's columns as read (typed, NumberLists). */
interface PredictionTable {
  names: string[];
  rows: number;
  column(name: string): Column;
}

/** Which part of a checkpoint a file is, of which dataset: where its ids' last matching is kept (see idsAsBefore). */
interface PartOf {
  datasetIds: readonly string[];
  part: number;
}

/**
 * A table of predictions; Parquet is read without arquero, so its flat columns reach the copy
 * loops as they are — and without its id column when `known` has that column's records.
 */
async function predictionTable(file: string, idCol: string, known?: PartOf): Promise<PredictionTable & { records?: Int32Array; idDigest?: string }> {
  if (resolveFormat(file, 'auto', 'model.checkpoints') === 'parquet') {
    const reader = await openParquet(file);
    try {
      const idDigest = (known && reader.names.includes(idCol) && (await reader.digest(idCol))) || undefined;
      const records = idDigest === undefined ? undefined : idsAsBefore(known!.datasetIds, known!.part, idDigest, reader.rows);
      const { names, rows, columns } = await reader.read(records ? idCol : undefined);
      return { names: reader.names, rows, column: (name) => columns[names.indexOf(name)], records, idDigest };
    } finally {
      await reader.close();
    }
  }
  const table = await readTable(file, [idCol], 'auto', 'model.checkpoints');
  return { names: table.columnNames(), rows: table.numRows(), column: (name) => table.column(name)! };
}

async function fromTable(file: string, model: Config['model'], datasetId: string, classes: readonly string[], known?: PartOf): Promise<RawPredictions> {
  const idCol = model.predictions.id ?? datasetId;
  const table = await predictionTable(file, idCol, model.byPosition ? undefined : known);
  const { names, rows, records, idDigest } = table;
  const hasId = names.includes(idCol);
  if (!hasId && !model.byPosition) {
    throw new InputError(`${file} (model.predictions.id = "${idCol}")`, `an id column "${idCol}" to match predictions to records (or model.byPosition: true)`, `columns ${names.join(', ')}`);
  }
  const ids = hasId && !records ? idStrings(table.column(idCol), rows, file, idCol) : null;
  const withIds = (raw: RawPredictions): RawPredictions => ({ ...raw, ...(records ? { records } : {}), ...(idDigest !== undefined ? { idDigest } : {}) });
  const rest = names.filter((n) => n !== idCol);
  let columns = model.predictions.columns;
  let note: string | undefined;
  if (columns) {
    const absent = columns.filter((c) => !names.includes(c));
    if (absent.length) throw new InputError(`${file} (model.predictions.columns)`, `columns ${columns.join(', ')}`, `no column ${absent.join(', ')} (columns ${names.join(', ')})`);
  } else {
    const arrayCols = rest.filter((n) => Array.isArray(table.column(n).at(0)));
    if (arrayCols.length === 1) {
      const idAt = ids ? (r: number) => ids[r] : records && known ? (r: number) => known.datasetIds[records[r]] : null;
      return withIds(fromArrayColumn(file, table.column(arrayCols[0]), arrayCols[0], ids, idAt, rows));
    }
    const numeric = rest.filter((n) => typeof table.column(n).at(0) === 'number');
    const order = classOrder(numeric, classes);
    columns = order.columns;
    if (columns.some((c, j) => c !== numeric[j])) note = `the prediction columns ${numeric.join(', ')} were taken in class order, ${columns.join(', ')} (matched ${order.by === 'name' ? 'by class name' : 'by the number in their names'})`;
  }
  const width = columns.length;
  if (width !== classes.length && !model.predictions.columns) {
    // Say which columns were taken, since they were inferred.
    return withIds({ rows, width, values: new Float32Array(0), ids, columns });
  }
  const values = new Float32Array(rows * width);
  columns.forEach((name, j) => {
    const col = table.column(name);
    if (col instanceof Float64Array) {
      // A Parquet column of numbers (formats/parquet.ts): read in place, no per-value call.
      for (let r = 0; r < rows; r++) values[r * width + j] = col[r];
      return;
    }
    for (let r = 0; r < rows; r++) {
      const v = col.at(r);
      values[r * width + j] = typeof v === 'number' ? v : v === null || v === undefined || v === '' ? Number.NaN : Number(v);
    }
  });
  return withIds({ rows, width, values, ids, columns, ...(note ? { note } : {}) });
}

/**
 * Inferred prediction columns (numeric columns in file order) in class order. Columns named after
 * the classes are matched by name, whatever their order in the file (a DataFrame built with
 * `columns=model.classes_` lists them sorted, the config may not); columns named
 * `<prefix>0` … `<prefix>{k−1}` are matched by that number (a writer that sorts names puts
 * logit_10 before logit_2). Anything else keeps the file's order.
 */
export function classOrder(columns: readonly string[], classes: readonly string[]): { columns: string[]; by: 'name' | 'number' | 'file' } {
  const k = classes.length;
  const asInFile = { columns: [...columns], by: 'file' as const };
  if (columns.length !== k) return asInFile;
  const names = new Set(columns);
  if (classes.every((c) => names.has(c))) return { columns: [...classes], by: 'name' };
  const numbered = columns.map((c) => /^(.*?)(\d+)$/.exec(c));
  if (numbered.some((m) => m === null || m[1] !== numbered[0]![1])) return asInFile;
  const byNumber: string[] = new Array(k);
  for (const m of numbered as RegExpExecArray[]) {
    const j = Number(m[2]);
    if (j >= k || byNumber[j] !== undefined || String(j) !== m[2]) return asInFile; // out of range, repeated, or zero-padded
    byNumber[j] = m[0];
  }
  return { columns: byNumber, by: 'number' };
}

/**
 * A column of ids as strings: the column itself when it holds nothing else (no copy of a million
 * strings per part). Numbers no double holds exactly (JSON ids beyond 2^53, already rounded) are
 * refused, naming the file, row and column.
 */
function idStrings(col: Column, rows: number, file: string, column: string): readonly string[] {
  if (Array.isArray(col)) {
    let r = 0;
    while (r < rows && typeof col[r] === 'string') r++;
    if (r === rows && col.length === rows) return col as string[];
  }
  const inexact = firstInexactId(col);
  if (inexact >= 0) throw inexactIdError(`${file} row ${inexact + 1} (column "${column}")`, col.at(inexact));
  const ids = new Array<string>(rows);
  for (let r = 0; r < rows; r++) ids[r] = String(col.at(r));
  return ids;
}

/** One column holding an array per row (e.g. JSONL `"probs": [0.1, 0.9]` or a Parquet list). */
function fromArrayColumn(file: string, col: Column, name: string, ids: readonly string[] | null, idAt: ((row: number) => string) | null, rows: number): RawPredictions {
  // A Parquet list of numbers of one width, already flat (formats/parquet.ts).
  if (col instanceof NumberLists) return { rows, width: col.width, values: new Float32Array(col.values), ids, columns: [name] };
  const width = (col.at(0) as unknown[]).length;
  const values = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const v = col.at(r) as unknown[];
    if (!Array.isArray(v) || v.length !== width) {
      throw new InputError(`${file} (row ${r + 1}${idAt ? `, id "${idAt(r)}"` : ''}, column "${name}")`, `${width} values like the first row`, Array.isArray(v) ? `${v.length} values` : JSON.stringify(v));
    }
    for (let j = 0; j < width; j++) values[r * width + j] = typeof v[j] === 'number' ? (v[j] as number) : Number.NaN;
  }
  return { rows, width, values, ids, columns: [name] };
}

function quoteList(ids: string[]): string {
  return ids.slice(0, 3).map((s) => `"${s}"`).join(', ') + (ids.length > 3 ? ', …' : '');
}
