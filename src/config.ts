/**
 * The config schema (losslens.config.json), its defaults, and validation. Options are normalised
 * once here, at the boundary, so the rest of the pipeline never re-checks them; every message
 * names the key, what was expected and what was found.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { editDistance } from './edit-distance.ts';
import { withoutBom } from './load/read-whole.ts';
import { InputError, messages } from './messages.ts';

export type DisplayConfig =
  | { type: 'image'; width: number; height: number; channels: 1 | 3 }
  | { type: 'text'; column: string; maxChars: number }
  | { type: 'fields'; columns: string[] | null };

export interface Config {
  /** Absolute path of the config file and its folder; relative paths resolve against `dir`. */
  path: string;
  dir: string;
  name: string;
  description: string;
  dataset: {
    file: string;
    id: string;
    label: string;
    split: string | null;
    classes: string[] | null;
    groupBy: string[];
    onUnknownLabel: 'error' | 'unscorable';
    /** Reader; "auto" = by extension (a folder = image folder). */
    format: DatasetFormat;
  };
  /** Model inputs from an .npy file, a user preprocessing module, or the dataset's image files. `file` names the source. */
  inputs: InputsConfig | null;
  display: DisplayConfig;
  model: {
    type: ModelType;
    checkpoints: string;
    output: 'auto' | 'probabilities' | 'logits';
    batchSize: number;
    /** Precomputed predictions only: how to read them; byPosition matches rows to records by order instead of id. */
    predictions: PredictionsConfig;
    byPosition: boolean;
    /** tfjs layers only: run on onnxruntime by in-process conversion when every layer converts ("auto"), or always on tfjs ("never"). */
    convert?: 'auto' | 'never';
    /** Threads for scoring (onnxruntime, tfjs-wasm worker pool); default the machine's cores, 1 = single-thread. */
    workers?: number;
  };
  /** metrics: JSONL, Keras CSVLogger CSV or TensorBoard event file/folder; tensorboard: an extra event file/folder merged in. */
  logs: { metrics: string | null; experiments: string | null; tensorboard: string | null };
  /** Named reference figures (e.g. a human rater) shown in the baseline gap table. */
  baselines: UserBaseline[];
  evaluate: { split: string | null };
  analysis: {
    topK: number;
    outlierK: number;
    /** Bootstrap resamples for the 95 % intervals (calibration section). */
    bootstrapResamples: number;
    /** Top-label confidence at or above which a wrong prediction counts as confidently wrong. */
    confidentlyWrong: number;
    /** Splits the label-issue detector runs on; null = every held-out (non-training) split. */
    labelIssueSplits: string[] | null;
  };
  /** Per-checkpoint score cache (src/score/cache.ts); dir defaults to `.losslens-cache/` next to the config. */
  cache: { dir: string; enabled: boolean };
  seed: number;
}

export interface UserBaseline {
  name: string;
  accuracy: number | null;
  macroF1: number | null;
  nll: number | null;
  note: string;
}

export const MODEL_TYPES = ['tfjs-layers', 'tfjs-graph', 'onnx', 'precomputed', 'saved-model'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];
export const DATASET_FORMATS = ['auto', 'csv', 'tsv', 'json', 'jsonl', 'arrow', 'parquet', 'images'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export interface InputsConfig {
  source: 'npy' | 'preprocess' | 'images';
  /** The .npy file, the preprocessing module, or the image folder (absolute). */
  file: string;
  scale: number;
  offset: number;
  /** Images only: decoded channels and memory layout (PyTorch models expect "chw"). */
  channels: 1 | 3;
  layout: 'hwc' | 'chw';
}

export interface PredictionsConfig {
  /** Id column in CSV/JSONL/Parquet predictions; defaults to dataset.id. */
  id: string | null;
  /** Output columns in class order; null = one array-valued column or every numeric column but the id. */
  columns: string[] | null;
  /** For .npy predictions: a file of record ids, one per row (text lines, or a CSV/JSON table's id column). */
  ids: string | null;
}

export const CONFIG_FILE = 'losslens.config.json';

/** Find and read a config from a config file path or a folder holding one. */
export function loadConfig(target: string): Config {
  const abs = resolve(target);
  let path = abs;
  if (existsSync(abs) && statSync(abs).isDirectory()) path = join(abs, CONFIG_FILE);
  if (!existsSync(path)) throw messages.noConfig(path);
  return normalizeConfig(parseConfigText(readFileSync(path, 'utf8'), path), path);
}

/** The largest seed: the random streams (stats/rng.ts) take 32-bit seeds. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * The config's JSON, as the README writes it: `//` and `/* *\/` comments allowed (its example is
 * commented), a byte-order mark skipped (Notepad, PowerShell 5); a syntax error named by line and
 * column.
 */
export function parseConfigText(text: string, path: string): unknown {
  const json = withoutComments(withoutBom(text));
  try {
    return JSON.parse(json);
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const where = at ? lineColumn(json, Number(at[1])) : '';
    throw new InputError(path, 'valid JSON (comments allowed)', `a parse error${where ? ` at ${where}` : ''} (${message})`);
  }
}

/** Comments blanked out (newlines kept, so positions keep their line and column), strings left alone. */
function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (ch === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop - 1;
    } else out += ch;
  }
  return out;
}

/** "line 3, column 7" of a character position. */
function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** Validate a parsed config object and fill in defaults. */
export function normalizeConfig(raw: unknown, path: string): Config {
  const c = new Reader(path);
  const root = c.object(raw, '');
  c.known(root, '', ['$schema', 'name', 'description', 'dataset', 'inputs', 'display', 'model', 'logs', 'evaluate', 'analysis', 'seed', 'baselines', 'cache']);
  const ds = c.object(root.dataset, 'dataset');
  c.known(ds, 'dataset', ['file', 'id', 'label', 'split', 'classes', 'groupBy', 'onUnknownLabel', 'format']);
  const inputsRaw = root.inputs === undefined ? undefined : c.object(root.inputs, 'inputs');
  if (inputsRaw) c.known(inputsRaw, 'inputs', ['file', 'preprocess', 'images', 'channels', 'layout', 'scale', 'offset']);
  const model = c.object(root.model, 'model');
  c.known(model, 'model', ['type', 'checkpoints', 'output', 'batchSize', 'predictions', 'byPosition', 'convert', 'workers']);
  const logs = root.logs === undefined ? {} : c.object(root.logs, 'logs');
  c.known(logs, 'logs', ['metrics', 'experiments', 'tensorboard']);
  const evaluate = root.evaluate === undefined ? {} : c.object(root.evaluate, 'evaluate');
  c.known(evaluate, 'evaluate', ['split']);
  const analysis = root.analysis === undefined ? {} : c.object(root.analysis, 'analysis');
  c.known(analysis, 'analysis', ['topK', 'outlierK', 'bootstrapResamples', 'confidentlyWrong', 'labelIssueSplits']);
  const cache = root.cache === undefined ? {} : c.object(root.cache, 'cache');
  c.known(cache, 'cache', ['dir', 'enabled']);

  const dir = dirname(path);
  const file = (v: unknown, key: string) => resolve(dir, c.string(v, key));
  const optFile = (v: unknown, key: string) => (v === undefined || v === null ? null : file(v, key));

  return {
    path,
    dir,
    name: root.name === undefined ? dir.split(/[\\/]/).pop()! : c.string(root.name, 'name'),
    description: root.description === undefined ? '' : c.string(root.description, 'description'),
    dataset: {
      file: file(ds.file, 'dataset.file'),
      id: ds.id === undefined ? 'id' : c.string(ds.id, 'dataset.id'),
      label: ds.label === undefined ? 'label' : c.string(ds.label, 'dataset.label'),
      split: ds.split === undefined ? null : c.string(ds.split, 'dataset.split'),
      classes: ds.classes === undefined ? null : c.stringArray(ds.classes, 'dataset.classes', 2),
      groupBy: ds.groupBy === undefined ? [] : c.stringArray(ds.groupBy, 'dataset.groupBy', 0),
      onUnknownLabel: ds.onUnknownLabel === undefined ? 'error' : c.oneOf(ds.onUnknownLabel, 'dataset.onUnknownLabel', ['error', 'unscorable'] as const),
      format: ds.format === undefined ? 'auto' : c.oneOf(ds.format, 'dataset.format', DATASET_FORMATS),
    },
    inputs: inputsRaw ? readInputs(c, inputsRaw, file, resolve(dir, c.string(ds.file, 'dataset.file'))) : null,
    display: readDisplay(c, root.display),
    model: {
      type: c.oneOf(model.type ?? 'tfjs-layers', 'model.type', MODEL_TYPES),
      checkpoints: c.string(model.checkpoints, 'model.checkpoints'),
      output: model.output === undefined ? 'auto' : c.oneOf(model.output, 'model.output', ['auto', 'probabilities', 'logits'] as const),
      batchSize: model.batchSize === undefined ? 512 : c.integer(model.batchSize, 'model.batchSize', 1),
      predictions: readPredictions(c, model.predictions, optFile),
      byPosition: model.byPosition === undefined ? false : c.boolean(model.byPosition, 'model.byPosition'),
      convert: model.convert === undefined ? 'auto' : c.oneOf(model.convert, 'model.convert', ['auto', 'never'] as const),
      workers: model.workers === undefined ? availableParallelism() : c.integer(model.workers, 'model.workers', 1),
    },
    logs: { metrics: optFile(logs.metrics, 'logs.metrics'), experiments: optFile(logs.experiments, 'logs.experiments'), tensorboard: optFile(logs.tensorboard, 'logs.tensorboard') },
    baselines: readBaselines(c, root.baselines),
    evaluate: { split: evaluate.split === undefined ? null : c.string(evaluate.split, 'evaluate.split') },
    analysis: {
      topK: analysis.topK === undefined ? 25 : c.integer(analysis.topK, 'analysis.topK', 1),
      outlierK: analysis.outlierK === undefined ? 3.5 : c.positive(analysis.outlierK, 'analysis.outlierK'),
      bootstrapResamples: analysis.bootstrapResamples === undefined ? 1000 : c.integer(analysis.bootstrapResamples, 'analysis.bootstrapResamples', 1),
      confidentlyWrong: analysis.confidentlyWrong === undefined ? 0.9 : c.unitInterval(analysis.confidentlyWrong, 'analysis.confidentlyWrong'),
      labelIssueSplits: analysis.labelIssueSplits === undefined || analysis.labelIssueSplits === null ? null : c.stringArray(analysis.labelIssueSplits, 'analysis.labelIssueSplits', 1),
    },
    cache: {
      dir: cache.dir === undefined ? join(dir, '.losslens-cache') : file(cache.dir, 'cache.dir'),
      enabled: cache.enabled === undefined ? true : c.boolean(cache.enabled, 'cache.enabled'),
    },
    // The random streams take 32-bit seeds: a larger one wrapped (4294967303 ran as 7) — refused instead.
    seed: root.seed === undefined ? 0 : c.integer(root.seed, 'seed', 0, MAX_SEED),
  };
}

function readBaselines(c: Reader, raw: unknown): UserBaseline[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new InputError(`${c.file}: baselines`, 'an array of { name, accuracy?, macroF1?, nll?, note? }', describe(raw));
  return raw.map((b, i) => {
    const key = `baselines[${i}]`;
    const o = c.object(b, key);
    c.known(o, key, ['name', 'accuracy', 'macroF1', 'nll', 'note']);
    const opt = (f: 'accuracy' | 'macroF1' | 'nll') => (o[f] === undefined || o[f] === null ? null : c.number(o[f], `${key}.${f}`));
    const out = { name: c.string(o.name, `${key}.name`), accuracy: opt('accuracy'), macroF1: opt('macroF1'), nll: opt('nll'), note: o.note === undefined ? '' : c.string(o.note, `${key}.note`) };
    if (out.accuracy === null && out.macroF1 === null && out.nll === null) c.number(undefined, `${key}.accuracy`);
    return out;
  });
}

/** Exactly one source: `file` (.npy), `preprocess` (module: record → number[]) or `images: true` (decode the dataset's image files). */
function readInputs(c: Reader, raw: Record<string, unknown>, file: (v: unknown, key: string) => string, datasetFile: string): InputsConfig {
  const given = (['file', 'preprocess', 'images'] as const).filter((k) => raw[k] !== undefined);
  if (given.length !== 1) {
    throw new InputError(`${c.file}: inputs`, 'exactly one of "file" (.npy), "preprocess" (a module) or "images": true', given.length ? `${given.join(' and ')}` : 'none of them');
  }
  const source = given[0] === 'file' ? 'npy' : given[0];
  if (source === 'images' && raw.images !== true) throw new InputError(`${c.file}: inputs.images`, 'true (decode the dataset\'s image files)', describe(raw.images));
  return {
    source,
    file: source === 'npy' ? file(raw.file, 'inputs.file') : source === 'preprocess' ? file(raw.preprocess, 'inputs.preprocess') : datasetFile,
    scale: raw.scale === undefined ? 1 : c.number(raw.scale, 'inputs.scale'),
    offset: raw.offset === undefined ? 0 : c.number(raw.offset, 'inputs.offset'),
    channels: raw.channels === undefined ? 3 : c.oneOf(raw.channels, 'inputs.channels', [1, 3] as const),
    layout: raw.layout === undefined ? 'hwc' : c.oneOf(raw.layout, 'inputs.layout', ['hwc', 'chw'] as const),
  };
}

function readPredictions(c: Reader, raw: unknown, optFile: (v: unknown, key: string) => string | null): PredictionsConfig {
  if (raw === undefined) return { id: null, columns: null, ids: null };
  const p = c.object(raw, 'model.predictions');
  c.known(p, 'model.predictions', ['id', 'columns', 'ids']);
  return {
    id: p.id === undefined ? null : c.string(p.id, 'model.predictions.id'),
    columns: p.columns === undefined ? null : c.stringArray(p.columns, 'model.predictions.columns', 2),
    ids: optFile(p.ids, 'model.predictions.ids'),
  };
}

function readDisplay(c: Reader, raw: unknown): DisplayConfig {
  if (raw === undefined) return { type: 'fields', columns: null };
  const d = c.object(raw, 'display');
  const type = c.oneOf(d.type, 'display.type', ['image', 'text', 'fields'] as const);
  if (type === 'image') {
    c.known(d, 'display', ['type', 'width', 'height', 'channels']);
    const channels = d.channels === undefined ? 1 : c.oneOf(d.channels, 'display.channels', [1, 3] as const);
    return { type, width: c.integer(d.width, 'display.width', 1), height: c.integer(d.height, 'display.height', 1), channels };
  }
  if (type === 'text') {
    c.known(d, 'display', ['type', 'column', 'maxChars']);
    return { type, column: c.string(d.column, 'display.column'), maxChars: d.maxChars === undefined ? 280 : c.integer(d.maxChars, 'display.maxChars', 1) };
  }
  c.known(d, 'display', ['type', 'columns']);
  return { type, columns: d.columns === undefined ? null : c.stringArray(d.columns, 'display.columns', 1) };
}

/** Small typed readers that turn a wrong value into an InputError naming the key. */
class Reader {
  constructor(readonly file: string) {}
  private fail(key: string, expected: string, v: unknown): never {
    throw new InputError(`${this.file}: ${key || '(root)'}`, expected, describe(v));
  }
  object(v: unknown, key: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'an object', v);
    return v as Record<string, unknown>;
  }
  string(v: unknown, key: string): string {
    if (typeof v !== 'string' || v === '') this.fail(key, 'a non-empty string', v);
    return v as string;
  }
  number(v: unknown, key: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'a finite number', v);
    return v as number;
  }
  positive(v: unknown, key: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(key, 'a finite number > 0', v);
    return v as number;
  }
  boolean(v: unknown, key: string): boolean {
    if (typeof v !== 'boolean') this.fail(key, 'true or false', v);
    return v as boolean;
  }
  /** A number in [0, 1] (a probability or confidence threshold). */
  unitInterval(v: unknown, key: string): number {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) this.fail(key, 'a number between 0 and 1', v);
    return v as number;
  }
  integer(v: unknown, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(key, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`, v);
    return v as number;
  }
  stringArray(v: unknown, key: string, minLength: number): string[] {
    if (!Array.isArray(v) || v.length < minLength || v.some((s) => typeof s !== 'string')) {
      this.fail(key, `an array of at least ${minLength} strings`, v);
    }
    const arr = v as string[];
    const dup = arr.find((s, i) => arr.indexOf(s) !== i);
    if (dup !== undefined) throw new InputError(`${this.file}: ${key}`, 'distinct values', `"${dup}" twice`);
    return arr;
  }
  oneOf<T extends string | number>(v: unknown, key: string, allowed: readonly T[]): T {
    if (!allowed.includes(v as T)) this.fail(key, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, v);
    return v as T;
  }
  known(obj: Record<string, unknown>, key: string, allowed: string[]): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) {
        const near = allowed.find((a) => editDistance(a, k) <= 2);
        const where = key ? `${key}.${k}` : k;
        throw new InputError(`${this.file}: ${where}`, `one of the known keys ${allowed.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`, 'an unknown key');
      }
    }
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (the key is missing)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
