/**
 * Reads the training metrics log and the experiment log. The metrics reader is picked by format:
 * losslens JSONL (`.jsonl`, `.ndjson`, `.json`), Keras `CSVLogger` (`.csv`), or TensorBoard event
 * files (a file whose name contains `tfevents`, or a folder searched for them). `logs.tensorboard`
 * adds a second source merged by (split, step). Unparseable lines are an input error naming the
 * file and line: a silently skipped line would hide exactly the spike we look for.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Config } from '../config.ts';
import { InputError, messages } from '../messages.ts';
import { readWholeFile, readWholeText } from './read-whole.ts';
import type { ExperimentRow, Logs, MetricRow, MetricsFormat } from '../types.ts';
import { parseCsv } from './formats/csv.ts';
import { readJsonl } from './formats/jsonl.ts';
import { parseKerasCsv, parseNumber } from './formats/keras-csv.ts';
import { folderSplit, parseTfevents, scalarsToRows } from './formats/tfevents.ts';

type Source = { file: string; format: MetricsFormat; rows: MetricRow[] };

export async function loadLogs(cfg: Config['logs']): Promise<Logs> {
  const sources: Source[] = [];
  if (cfg.metrics) sources.push(await readMetrics(cfg.metrics, 'logs.metrics'));
  if (cfg.tensorboard) sources.push(await readMetrics(cfg.tensorboard, 'logs.tensorboard'));
  const { rows, notes } = mergeSources(sources);
  return {
    metrics: sources.length ? rows : null,
    metricsFile: cfg.metrics ?? cfg.tensorboard,
    experiments: cfg.experiments ? await readExperiments(cfg.experiments) : null,
    experimentsFile: cfg.experiments,
    metricsSources: sources.map((s) => ({ file: s.file, format: s.format, rows: s.rows.length })),
    metricsNotes: notes,
  };
}

/** The metrics format a path stands for, by name (a folder means TensorBoard). */
export function metricsFormat(path: string, isDir: boolean): MetricsFormat {
  if (isDir || basename(path).includes('tfevents')) return 'tfevents';
  return path.toLowerCase().endsWith('.csv') ? 'keras-csv' : 'jsonl';
}

export async function readMetrics(path: string, key: string): Promise<Source> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw messages.missingFile(key, path);
  }
  const format = metricsFormat(path, isDir);
  if (format === 'jsonl') return { file: path, format, rows: await readLogRows(path, key, (r, line) => toMetricRow(r, `${path} line ${line}`)) };
  if (format === 'keras-csv') return { file: path, format, rows: parseKerasCsv(await readWholeText(path, key), path) };
  const files = isDir ? (await readdir(path, { recursive: true })).filter((f) => basename(f).includes('tfevents')).sort().map((f) => join(path, f)) : [path];
  if (files.length === 0) throw new InputError(`${key} (${path})`, 'a folder holding TensorBoard event files (events.out.tfevents.*)', 'none');
  const rows: MetricRow[] = [];
  for (const f of files) {
    // A split folder (Keras' train/ and validation/) names the split of the tags inside it.
    const folder = isDir ? folderSplit(relative(path, f)) : folderSplit(f);
    // One row at a time: spreading a long run's 100 000s of rows as arguments overflows the stack.
    for (const row of scalarsToRows(parseTfevents(await readWholeFile(f, key), f), folder) as MetricRow[]) rows.push(row);
  }
  return { file: path, format, rows };
}

/**
 * Merge sources by (split, step): the first source wins a disagreement, and a disagreement beyond
 * float32 rounding (event files store float32) is reported rather than silently resolved.
 */
export function mergeSources(sources: Source[]): { rows: MetricRow[]; notes: string[] } {
  if (sources.length <= 1) return { rows: sources[0]?.rows ?? [], notes: [] };
  const byKey = new Map<string, MetricRow>();
  const order: MetricRow[] = [];
  const notes: string[] = [];
  let conflicts = 0;
  for (const src of sources) {
    for (const r of src.rows) {
      const key = `${r.split}\u0000${r.step}`;
      const have = byKey.get(key);
      if (!have) {
        const copy = { ...r };
        byKey.set(key, copy);
        order.push(copy);
        continue;
      }
      for (const [k, v] of Object.entries(r)) {
        if (have[k] === undefined) have[k] = v;
        else if (typeof v === 'number' && typeof have[k] === 'number' && !(Math.abs((have[k] as number) - v) <= 1e-5 * Math.max(1, Math.abs(v))) && !(Number.isNaN(v) && Number.isNaN(have[k]))) {
          if (conflicts++ < 3) notes.push(`${basename(src.file)} has ${k} = ${short(v)} at ${r.split} step ${r.step}, but ${basename(sources[0].file)} has ${short(have[k] as number)}; the first is kept`);
        }
      }
    }
  }
  if (conflicts > 3) notes.push(`… ${conflicts - 3} more disagreements between the metrics sources`);
  return { rows: order, notes };
}

const short = (v: number) => String(Number(v.toPrecision(6)));

/**
 * JSON lines, streamed (formats/jsonl.ts); bare NaN / Infinity (what Python's json.dumps writes) are
 * accepted as numbers. `toRow` turns each parsed object into the row kept, so only the rows are held.
 */
async function readLogRows<T>(file: string, key: string, toRow: (r: Record<string, unknown>, line: number) => T): Promise<T[]> {
  const rows: T[] = [];
  await readJsonl(file, (r, line) => rows.push(toRow(r, line)), { parse: parseJsonLine, key });
  return rows;
}

const NONFINITE = { __losslens_NaN__: NaN, __losslens_Inf__: Infinity, '__losslens_-Inf__': -Infinity } as Record<string, number>;

export function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (e) {
    if (!/NaN|Infinity/.test(line)) throw e;
  }
  // Replace bare tokens outside strings only: a "note" may well contain the word NaN.
  let out = '';
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += line[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (line.startsWith('NaN', i)) {
      out += '"__losslens_NaN__"';
      i += 2;
    } else if (line.startsWith('-Infinity', i)) {
      out += '"__losslens_-Inf__"';
      i += 8;
    } else if (line.startsWith('Infinity', i)) {
      out += '"__losslens_Inf__"';
      i += 7;
    } else out += ch;
  }
  return JSON.parse(out, (_k, v) => (typeof v === 'string' && v in NONFINITE ? NONFINITE[v] : v));
}

/**
 * The parsed object itself becomes the row, its values normalised in place: a copy made by adding
 * each key to a fresh object left V8 storing it as a dictionary past a dozen keys — a 500 000-step
 * log of 20 metrics held 929 MB of rows that way.
 */
function toMetricRow(r: Record<string, unknown>, where: string): MetricRow {
  if (typeof r.step !== 'number' || !Number.isFinite(r.step)) throw new InputError(where, 'a numeric "step"', JSON.stringify(r.step));
  if (typeof r.split !== 'string') r.split = 'train';
  for (const k in r) {
    if (k === 'step' || k === 'split') continue;
    const v = r[k];
    // null is how many JSON writers spell NaN; "nan"/"inf" strings are read as numbers too.
    if (v === null) r[k] = NaN;
    else if (typeof v === 'string') r[k] = parseNumber(v) ?? v;
    else if (typeof v !== 'number') delete r[k];
  }
  return r as MetricRow;
}

async function readExperiments(file: string): Promise<ExperimentRow[]> {
  if (!file.toLowerCase().endsWith('.csv')) return readLogRows(file, 'logs.experiments', (r, line) => toExperimentRow(r, `${file} line ${line}`));
  const text = await readWholeText(file, 'logs.experiments');
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((cells, i) => {
    if (cells.length !== header.length) throw new InputError(`${file} row ${i + 1}`, `${header.length} fields like the header`, `${cells.length}`);
    return toExperimentRow(Object.fromEntries(header.map((h, j) => [h.trim(), cells[j]])), `${file} row ${i + 1}`);
  });
}

export function toExperimentRow(r: Record<string, unknown>, where: string): ExperimentRow {
  for (const key of ['id', 'change'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') throw new InputError(where, `a string "${key}"`, JSON.stringify(r[key]));
  }
  const tags = Array.isArray(r.tags) ? r.tags.map(String) : typeof r.tags === 'string' && r.tags.trim() ? r.tags.split(/[;|,\s]+/).filter(Boolean) : [];
  const value = typeof r.value === 'number' ? r.value : r.value === null || r.value === undefined ? NaN : parseNumber(String(r.value)) ?? NaN;
  return { ...r, date: String(r.date ?? ''), metric: String(r.metric ?? ''), value, note: r.note === undefined ? undefined : String(r.note), tags } as ExperimentRow;
}
