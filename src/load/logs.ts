/**
 * Reads the training metrics log and the experiment log (JSONL). Unparseable lines are an input
 * error naming the file and line: a silently skipped line would hide exactly the spike we look for.
 */
import { readFile } from 'node:fs/promises';
import type { Config } from '../config.ts';
import { InputError, messages } from '../messages.ts';
import type { ExperimentRow, Logs, MetricRow } from '../types.ts';

export async function loadLogs(cfg: Config['logs']): Promise<Logs> {
  return {
    metrics: cfg.metrics ? (await readJsonl(cfg.metrics, 'logs.metrics')).map((r, i) => toMetricRow(r, cfg.metrics!, i)) : null,
    metricsFile: cfg.metrics,
    experiments: cfg.experiments ? (await readJsonl(cfg.experiments, 'logs.experiments')).map((r, i) => toExperimentRow(r, cfg.experiments!, i)) : null,
    experimentsFile: cfg.experiments,
  };
}

export async function readJsonl(file: string, key: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw messages.missingFile(key, file);
  }
  const rows: Record<string, unknown>[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new InputError(`${file} line ${i + 1}`, 'one JSON object per line', JSON.stringify(line.slice(0, 40)));
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError(`${file} line ${i + 1}`, 'a JSON object', JSON.stringify(line.slice(0, 40)));
    rows.push(v as Record<string, unknown>);
  });
  return rows;
}

function toMetricRow(r: Record<string, unknown>, file: string, i: number): MetricRow {
  if (typeof r.step !== 'number') throw new InputError(`${file} row ${i + 1}`, 'a numeric "step"', JSON.stringify(r.step));
  return { ...(r as object), step: r.step, split: typeof r.split === 'string' ? r.split : 'train' } as MetricRow;
}

function toExperimentRow(r: Record<string, unknown>, file: string, i: number): ExperimentRow {
  for (const key of ['id', 'change'] as const) {
    if (typeof r[key] !== 'string') throw new InputError(`${file} row ${i + 1}`, `a string "${key}"`, JSON.stringify(r[key]));
  }
  return { ...r, date: String(r.date ?? ''), metric: String(r.metric ?? ''), value: Number(r.value) } as ExperimentRow;
}
