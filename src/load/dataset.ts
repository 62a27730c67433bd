/**
 * Reads the records table (reader chosen by `dataset.format`, else by file extension; a folder is
 * an image folder) and decodes the id, label, split and groupBy columns into typed arrays. Knows
 * file formats, nothing about metrics.
 */
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { Config, DatasetFormat } from '../config.ts';
import { InputError, messages } from '../messages.ts';
import { readWholeText } from './read-whole.ts';
import type { Dataset } from '../types.ts';
import { readArrow } from './formats/arrow.ts';
import { readImageFolder } from './formats/images.ts';
import { readJsonlObjects } from './formats/jsonl.ts';
import { readParquet } from './formats/parquet.ts';
import { readPlainDelimited, typeColumn } from './formats/plain-csv.ts';
import { internStrings } from './intern.ts';
import { firstInexactId, firstRepeat, inexactIdError } from './unique-ids.ts';

const MISSING = '(missing)';

type DatasetConfig = Omit<Config['dataset'], 'format'> & { format?: DatasetFormat };

export async function loadDataset(cfg: DatasetConfig, onWarn: (w: string) => void = () => {}): Promise<Dataset> {
  const format = resolveFormat(cfg.file, cfg.format ?? 'auto', 'dataset.file');
  const read =
    format === 'images'
      ? await readImageFolder(cfg.file, { id: cfg.id, label: cfg.label, split: cfg.split }, onWarn)
      : // Ids, labels, splits and groups are names, read as written: a guessed type turned split
        // "03" into 3 (then no split matched evaluate.split "03"), merged groups "7" and "007", and
        // made dates of "2024-01-01", printed in the machine's time zone.
        await readTable(cfg.file, [cfg.id, cfg.label, ...(cfg.split ? [cfg.split] : []), ...cfg.groupBy], format, 'dataset.file', onWarn);
  for (const [key, col] of [['dataset.id', cfg.id], ['dataset.label', cfg.label], ['dataset.split', cfg.split], ...cfg.groupBy.map((g) => ['dataset.groupBy', g])] as const) {
    if (col && !read.columnNames().includes(col)) {
      throw new InputError(`${cfg.file} (${key} = "${col}")`, `a column named "${col}"`, `columns ${read.columnNames().join(', ')}`);
    }
  }
  const table = internCategories(read, [cfg.label, cfg.split, ...cfg.groupBy]);
  const n = table.numRows();
  if (n === 0) throw new InputError(cfg.file, 'at least one record', 'an empty table');
  const inexact = firstInexactId(table.column(cfg.id)!);
  if (inexact >= 0) throw inexactIdError(`${cfg.file} row ${inexact + 1} (column "${cfg.id}")`, table.column(cfg.id)!.at(inexact));
  const ids = asText(table, cfg.id);
  const empty = ids.indexOf(MISSING);
  if (empty >= 0) throw new InputError(`${cfg.file} row ${empty + 1}`, `a value in the id column "${cfg.id}"`, 'an empty cell');
  const repeat = firstRepeat(ids);
  if (repeat) throw new InputError(`${cfg.file} (column "${cfg.id}")`, 'unique record ids', `"${ids[repeat[1]]}" on rows ${repeat[0] + 1} and ${repeat[1] + 1}`);

  const rawLabels = asText(table, cfg.label);
  const classes = cfg.classes ?? defaultClasses(rawLabels, format === 'images', cfg.file, onWarn);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const labels = new Int32Array(n);
  const unknownLabels: Dataset['unknownLabels'] = [];
  rawLabels.forEach((l, i) => {
    const k = classIndex.get(l);
    if (k !== undefined) labels[i] = k;
    else {
      labels[i] = -1;
      if (cfg.onUnknownLabel === 'error') {
        throw new InputError(`${cfg.file} row ${i + 1} (id "${ids[i]}", column "${cfg.label}")`, `a label in dataset.classes [${classes.join(', ')}]`, `"${l}" (set dataset.onUnknownLabel to "unscorable" to audit the rest)`);
      }
      unknownLabels.push({ index: i, label: l });
    }
  });
  // Counted with the other unscorable records by the pipeline's single warning after scoring.

  const splitText = cfg.split ? asText(table, cfg.split) : Array<string>(n).fill('all');
  const splitNames = [...new Set(splitText)];
  const splitIndex = new Map(splitNames.map((s, i) => [s, i]));
  const split = Int32Array.from(splitText, (s) => splitIndex.get(s)!);

  const groups: Record<string, string[]> = {};
  for (const g of cfg.groupBy) groups[g] = asText(table, g);

  return { file: cfg.file, table, n, ids, labels, classes, split, splitNames, groups, unknownLabels };
}

/** The labels outside dataset.classes by record (built once per dataset; the pipeline, the integrity section and the scores file look records up). */
export function unknownLabelsByRecord(dataset: Pick<Dataset, 'unknownLabels'>): Map<number, string> {
  let m = unknownByRecord.get(dataset);
  if (!m) unknownByRecord.set(dataset, (m = new Map(dataset.unknownLabels.map((u) => [u.index, u.label]))));
  return m;
}
const unknownByRecord = new WeakMap<Pick<Dataset, 'unknownLabels'>, Map<number, string>>();

const BY_EXTENSION: Record<string, Exclude<DatasetFormat, 'auto' | 'images'>> = {
  '.csv': 'csv', '.tsv': 'tsv', '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl',
  '.arrow': 'arrow', '.feather': 'arrow', '.ipc': 'arrow', '.parquet': 'parquet',
};

/** The reader for `file`: the configured one, else by extension; a folder is an image folder. */
export function resolveFormat(file: string, format: DatasetFormat, key: string): Exclude<DatasetFormat, 'auto'> {
  let isDir: boolean;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    throw messages.missingFile(key, file);
  }
  if (format !== 'auto') return format;
  if (isDir) return 'images';
  const ext = extname(file).toLowerCase();
  const f = BY_EXTENSION[ext];
  if (!f) throw new InputError(file, `a table with extension ${Object.keys(BY_EXTENSION).join(', ')}, or an image folder`, `"${ext || 'no extension'}"`);
  return f;
}

/**
 * Read a CSV, TSV, JSON (array of objects), JSONL, Arrow IPC or Parquet table; `textColumns` are
 * the columns the caller reads, never type-inferred (ids like "007" stay text). `key` names the
 * config key in errors; `onWarn` hears of a repeated column name the caller does not read.
 */
export async function readTable(file: string, textColumns: string[] = [], format: DatasetFormat = 'auto', key = 'dataset.file', onWarn: (w: string) => void = () => {}): Promise<ColumnTable> {
  const f = resolveFormat(file, format, key);
  if (f === 'images') throw new InputError(file, 'a table file', 'a folder');
  if (f === 'arrow') return readArrow(file, key);
  if (f === 'parquet') return readParquet(file);
  try {
    if (f === 'jsonl') return tableOfObjects(await readJsonlObjects(file, key));
    const text = await readWholeText(file, key, 'JSON Lines, Parquet or Arrow, which are read without holding the text');
    if (text.trim() === '') throw new InputError(file, 'a table with a header row and at least one record', 'an empty file');
    if (f === 'json') return tableOfObjects(JSON.parse(text));
    const table = await readDelimited(text, f === 'tsv' ? '\t' : ',', textColumns);
    checkRepeatedNames(file, table.columnNames(), textColumns, onWarn);
    return table;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, `a well-formed ${f.toUpperCase()} table`, `a parse error (${(e as Error).message})`);
  }
}

/**
 * The table of JSON rows with a column for every key any row has, in the order first seen: arquero
 * takes the first row's keys, so a key a writer left out of row 1 (a null field) was dropped from
 * every row — the preprocess hook then got undefined text for all of them.
 */
function tableOfObjects(rows: unknown): ColumnTable {
  if (!Array.isArray(rows)) return aq.from(rows as object);
  const names = new Set<string>();
  for (const r of rows) if (r !== null && typeof r === 'object') for (const k in r) names.add(k);
  return aq.from(rows, [...names]);
}

/** The CSV/TSV table: by the quote-free reader if it can, else by arquero. */
async function readDelimited(text: string, delimiter: string, textColumns: string[]): Promise<ColumnTable> {
  return readPlainDelimited(text, delimiter, textColumns) ?? (await readDelimitedByArquero(text, delimiter, textColumns));
}

/** arquero's table of the text, its columns typed from all their values (typeColumn), not from their first 1 000 as arquero does. */
export async function readDelimitedByArquero(text: string, delimiter: string, textColumns: string[]): Promise<ColumnTable> {
  const parse = Object.fromEntries(textColumns.map((c) => [c, (v: string) => v]));
  const table = await aq.fromCSVStream(recordPieces(text, delimiter), { delimiter, parse, autoType: false });
  // The columns are the arrays the reader filled, fresh and ours: typed in place, once (a
  // repeated name is one column).
  for (const name of new Set(table.columnNames())) if (!(name in parse)) typeColumn(table.column(name) as unknown as (string | null)[]);
  return table;
}

/**
 * A column name the header repeats: an error if the caller reads that column (the reader keeps the
 * last of them, maybe not the one meant), else a warning.
 */
function checkRepeatedNames(file: string, names: readonly string[], read: readonly string[], onWarn: (w: string) => void): void {
  const seen = new Map<string, number[]>();
  names.forEach((name, i) => seen.set(name, [...(seen.get(name) ?? []), i + 1]));
  for (const [name, at] of seen) {
    if (at.length < 2) continue;
    const where = `columns ${at.join(', ')}`;
    if (read.includes(name)) throw new InputError(`${file} (column "${name}")`, 'each column name once in the header', `"${name}" ${at.length} times (${where})`);
    onWarn(`${file}: the header names column "${name}" ${at.length} times (${where}); the last is read`);
  }
}

/**
 * The text as a stream of pieces of about 1 MiB, each ending at the end of a record. arquero's
 * fromCSV splits the whole text into row arrays before it builds any column (at a million records:
 * a million arrays and four million strings alive at once, promoted and marked by every major GC);
 * its stream reader builds the columns batch by batch, so the rows die young — same rows, same
 * values (a record with fewer fields than the header reads undefined there whole and null here
 * past the first batch; every reader of the table takes both as missing).
 *
 * The pieces must not split a record: the stream reader cut a quoted field that spanned two
 * pieces (a multi-line note lost its end and the next column read null). So the text is scanned
 * as arquero's tokenizer reads it — a quote opens a quoted field only as a field's first
 * character (elsewhere it is a literal character), `""` inside one is a quote, and a lone quote
 * closes it — and a piece ends after the first newline outside a quoted field once it has
 * `piece` characters. A text with no such newline is one piece, as fromCSV reads it.
 *
 * Blank lines (outside quoted fields) are left out, as pandas skips them and the quote-free reader
 * does: arquero reads one as a record of empty fields, so a file's trailing newlines failed as
 * "row 1000001: found an empty id". A piece ends before one, and the next begins after it.
 */
export function recordPieces(text: string, delimiter = ',', piece = 1 << 20): ReadableStream<string> {
  const QUOTE = 34;
  const NEWLINE = 10;
  const RETURN = 13;
  const delim = delimiter.charCodeAt(0);
  const N = text.length;
  let at = 0;
  let i = 0; // scan position; the state below is the tokenizer's at text[i]
  let fieldStart = true;
  let quoted = false;
  let lineStart = 0; // where the line of text[i] starts (outside quoted fields)
  return new ReadableStream<string>({
    pull(controller) {
      const target = at + piece;
      let end = N;
      let next = -1; // where the next piece starts, when not at `end`
      for (; i < N; i++) {
        const c = text.charCodeAt(i);
        if (quoted) {
          if (c !== QUOTE) continue;
          if (text.charCodeAt(i + 1) === QUOTE) i++; // "" inside a quoted field
          else {
            quoted = false;
            // arquero takes the character after a closing quote as the separator, whatever it is.
            if (i + 1 < N && text.charCodeAt(i + 1) !== NEWLINE) {
              i++;
              fieldStart = true;
              if (text.charCodeAt(i) === RETURN && text.charCodeAt(i + 1) !== NEWLINE) lineStart = i + 1; // a line end there
            }
          }
        } else if (fieldStart && c === QUOTE) {
          quoted = true;
          fieldStart = false;
        } else if (c === NEWLINE || (c === RETURN && text.charCodeAt(i + 1) !== NEWLINE)) {
          fieldStart = true;
          const blank = i === lineStart || (i === lineStart + 1 && text.charCodeAt(lineStart) === RETURN);
          const from = lineStart;
          lineStart = i + 1;
          if (blank && from > at) {
            end = from; // the piece so far, the next one after the blank line
            next = ++i;
            break;
          }
          if (blank) at = i + 1; // nothing before it in this piece: skip it
          else if (c === NEWLINE && i + 1 >= target) {
            end = ++i;
            break;
          }
        } else fieldStart = c === delim || c === RETURN;
      }
      if (at >= end) return controller.close();
      controller.enqueue(text.slice(at, end));
      at = next >= 0 ? next : end;
    },
  });
}

/** The table with the label, split and group columns' repeated strings shared (see intern.ts). */
function internCategories(table: ColumnTable, columns: (string | null)[]): ColumnTable {
  const replaced: Record<string, unknown[]> = {};
  for (const c of new Set(columns)) {
    const col = c ? table.column(c) : undefined;
    const interned = col && Array.isArray(col) ? internStrings(col) : null;
    if (interned) replaced[c!] = interned;
  }
  return Object.keys(replaced).length ? table.assign(replaced) : table;
}

function asText(table: ColumnTable, column: string): string[] {
  const out: string[] = new Array(table.numRows());
  const col = table.column(column)!;
  for (let i = 0; i < out.length; i++) {
    const v = col.at(i);
    out[i] = v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v)) ? MISSING : String(v);
  }
  return out;
}

/** "2" sorts before "10"; otherwise plain string order. */
/**
 * The class order when dataset.classes is not given: labels in numeric order where they are numbers
 * (a table's 0 … 11 are usually the model's output indices), in plain sorted order for an image
 * folder — as torchvision's ImageFolder and Keras's image_dataset_from_directory index their class
 * folders (0, 1, 10, 11, 2 …), so a model trained on the folder lines up. Where the two orders
 * differ for a folder, a warning says which was taken.
 */
function defaultClasses(rawLabels: readonly string[], imageFolder: boolean, file: string, onWarn: (w: string) => void): string[] {
  const distinct = [...new Set(rawLabels.filter((l) => l !== MISSING))];
  const natural = [...distinct].sort(naturalCompare);
  if (!imageFolder) return natural;
  const sorted = [...distinct].sort();
  if (sorted.some((c, i) => c !== natural[i])) {
    onWarn(`${file}: class folders taken in sorted order as torchvision's ImageFolder and Keras index them (${sorted.slice(0, 6).join(', ')}${sorted.length > 6 ? ', …' : ''}), not in numeric order; set dataset.classes if the model's outputs follow another order`);
  }
  return sorted;
}

function naturalCompare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
