/**
 * The config schema (losslens.config.json), its defaults, and validation. Options are normalised
 * once here, at the boundary, so the rest of the pipeline never re-checks them; every message
 * names the key, what was expected and what was found.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
  };
  inputs: { file: string; scale: number; offset: number } | null;
  display: DisplayConfig;
  model: {
    type: 'tfjs-layers';
    checkpoints: string;
    output: 'auto' | 'probabilities' | 'logits';
    batchSize: number;
  };
  logs: { metrics: string | null; experiments: string | null };
  evaluate: { split: string | null };
  analysis: { topK: number; outlierK: number };
  seed: number;
}

export const CONFIG_FILE = 'losslens.config.json';

/** Find and read a config from a config file path or a folder holding one. */
export function loadConfig(target: string): Config {
  const abs = resolve(target);
  let path = abs;
  if (existsSync(abs) && statSync(abs).isDirectory()) path = join(abs, CONFIG_FILE);
  if (!existsSync(path)) throw messages.noConfig(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(path, 'valid JSON', `a parse error (${(e as Error).message})`);
  }
  return normalizeConfig(raw, path);
}

/** Validate a parsed config object and fill in defaults. */
export function normalizeConfig(raw: unknown, path: string): Config {
  const c = new Reader(path);
  const root = c.object(raw, '');
  c.known(root, '', ['$schema', 'name', 'description', 'dataset', 'inputs', 'display', 'model', 'logs', 'evaluate', 'analysis', 'seed']);
  const ds = c.object(root.dataset, 'dataset');
  c.known(ds, 'dataset', ['file', 'id', 'label', 'split', 'classes', 'groupBy', 'onUnknownLabel']);
  const inputsRaw = root.inputs === undefined ? undefined : c.object(root.inputs, 'inputs');
  if (inputsRaw) c.known(inputsRaw, 'inputs', ['file', 'scale', 'offset']);
  const model = c.object(root.model, 'model');
  c.known(model, 'model', ['type', 'checkpoints', 'output', 'batchSize']);
  const logs = root.logs === undefined ? {} : c.object(root.logs, 'logs');
  c.known(logs, 'logs', ['metrics', 'experiments']);
  const evaluate = root.evaluate === undefined ? {} : c.object(root.evaluate, 'evaluate');
  c.known(evaluate, 'evaluate', ['split']);
  const analysis = root.analysis === undefined ? {} : c.object(root.analysis, 'analysis');
  c.known(analysis, 'analysis', ['topK', 'outlierK']);

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
    },
    inputs: inputsRaw
      ? {
          file: file(inputsRaw.file, 'inputs.file'),
          scale: inputsRaw.scale === undefined ? 1 : c.number(inputsRaw.scale, 'inputs.scale'),
          offset: inputsRaw.offset === undefined ? 0 : c.number(inputsRaw.offset, 'inputs.offset'),
        }
      : null,
    display: readDisplay(c, root.display),
    model: {
      type: c.oneOf(model.type ?? 'tfjs-layers', 'model.type', ['tfjs-layers'] as const),
      checkpoints: c.string(model.checkpoints, 'model.checkpoints'),
      output: model.output === undefined ? 'auto' : c.oneOf(model.output, 'model.output', ['auto', 'probabilities', 'logits'] as const),
      batchSize: model.batchSize === undefined ? 512 : c.integer(model.batchSize, 'model.batchSize', 1),
    },
    logs: { metrics: optFile(logs.metrics, 'logs.metrics'), experiments: optFile(logs.experiments, 'logs.experiments') },
    evaluate: { split: evaluate.split === undefined ? null : c.string(evaluate.split, 'evaluate.split') },
    analysis: {
      topK: analysis.topK === undefined ? 25 : c.integer(analysis.topK, 'analysis.topK', 1),
      outlierK: analysis.outlierK === undefined ? 3.5 : c.number(analysis.outlierK, 'analysis.outlierK'),
    },
    seed: root.seed === undefined ? 0 : c.integer(root.seed, 'seed', 0),
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
  constructor(private readonly file: string) {}
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
  integer(v: unknown, key: string, min: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) this.fail(key, `an integer ≥ ${min}`, v);
    return v as number;
  }
  stringArray(v: unknown, key: string, minLength: number): string[] {
    if (!Array.isArray(v) || v.length < minLength || v.some((s) => typeof s !== 'string')) {
      this.fail(key, `an array of at least ${minLength} strings`, v);
    }
    const arr = v as string[];
    const dup = arr.find((s, i) => arr.indexOf(s) !== i);
    if (dup !== undefined) this.fail(key, 'distinct values', `"${dup}" twice`);
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

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}
