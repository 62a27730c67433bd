/**
 * `losslens log <dir-or-config> --change "…" [--note "…"] [--tag t]...`: append one row with the
 * current audit's headline metrics (final checkpoint, headline split) to the experiment log. The
 * append is a single O_APPEND write of one complete line, so earlier rows are never rewritten and a
 * concurrent reader never sees half a row. The row records the evaluated split's content hash, so a
 * later audit of the same test data can say how often it has been looked at.
 */
import { access, open, readFile } from 'node:fs/promises';
import { headline, headlineSplit, rowsOf, subset } from '../analyses/common.ts';
import { isTestSplit, splitHash } from '../analyses/split-hash.ts';
import { loadConfig } from '../config.ts';
import { discoverCheckpoints } from '../load/checkpoints.ts';
import { loadDataset } from '../load/dataset.ts';
import { configuredInputs } from '../load/inputs.ts';
import { loadLogs } from '../load/logs.ts';
import { InputError } from '../messages.ts';
import { createProgress } from '../progress.ts';
import { scoreRun } from '../score/score.ts';
import { createScoringPlan } from '../score/runtimes.ts';
import { parseCommandArgs, quietOption } from './parse.ts';
import type { Command } from './types.ts';

const usage = 'losslens log <dir-or-config> --change "<what changed>" [--note "<observation>"] [--tag <tag>]... [--quiet]';

export const logCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs(usage, args, { change: { type: 'string' }, note: { type: 'string' }, tag: { type: 'string', multiple: true }, ...quietOption });
    if (positionals.length !== 1) throw new InputError('losslens log', 'exactly one <dir-or-config> argument', `${positionals.length} (usage: ${usage})`);
    if (!values.change?.trim()) throw new InputError('--change', 'a description of what changed in this run', 'nothing');
    const config = loadConfig(positionals[0]);
    const file = config.logs.experiments;
    if (!file) throw new InputError(`${config.path}: logs.experiments`, 'an experiment log file to append to (e.g. "experiments.jsonl")', 'nothing (the key is missing)');
    if (file.toLowerCase().endsWith('.csv')) throw new InputError(`${config.path}: logs.experiments`, 'a JSONL experiment log (losslens log appends JSON lines)', `a CSV file (${file})`);
    const progress = createProgress({ quiet: values.quiet });

    // Read the existing log first: a malformed log is reported before any scoring work.
    const logs = await loadLogs({ metrics: null, tensorboard: null, experiments: await exists(file) ? file : null });
    const earlier = logs.experiments ?? [];

    const warn = (w: string) => progress.warn(w);
    const dataset = await loadDataset(config.dataset, warn);
    // As the audit loads and scores them (any model type, any inputs), so the logged figure is the audit's.
    const inputs = await configuredInputs(config, dataset, warn, progress);
    const checkpoints = await discoverCheckpoints(config.model.checkpoints, config.dir);
    const last = checkpoints[checkpoints.length - 1];
    const split = headlineSplit(config, dataset);
    const plan = await createScoringPlan(config, dataset, inputs);
    progress.stage(`scoring ${split} with ${last.id}`);
    const run = await scoreRun(plan.runtime, [last], dataset, plan.inputs, { batchSize: config.model.batchSize, output: config.model.output, progress });
    const h = headline(subset(run, dataset, 0, rowsOf(run, dataset, split)), run.k);

    const hash = splitHash(dataset, inputs, split);
    const row = {
      date: today(),
      id: nextId(earlier.map((r) => r.id)),
      change: values.change.trim(),
      metric: `${split}_accuracy`,
      value: round(h.accuracy),
      ...(values.note ? { note: values.note } : {}),
      tags: ['audit', ...(values.tag ?? [])],
      split,
      splitHash: hash,
      checkpoint: last.id,
      n: h.n,
      accuracy: round(h.accuracy),
      macroF1: round(h.macroF1),
      nll: round(h.nll),
      ece: round(h.ece),
    };
    const seen = earlier.filter((r) => r.splitHash === hash);
    if (isTestSplit(split) && seen.length) progress.warn(`this test set was already evaluated ${seen.length} time(s) (${seen.map((r) => r.id).join(', ')}); this is evaluation ${seen.length + 1}`);
    const line = JSON.stringify(row);
    await appendLine(file, line);
    process.stdout.write(`${line}\n`);
    progress.stage(`appended ${row.id} to ${file}`);
    return 0;
  },
};

/** One write of one complete line with O_APPEND; a log missing its final newline gets one first. */
export async function appendLine(file: string, line: string): Promise<void> {
  let prefix = '';
  if (await exists(file)) {
    const text = await readFile(file);
    if (text.length > 0 && text[text.length - 1] !== 0x0a) prefix = '\n';
  }
  const buf = Buffer.from(`${prefix}${line}\n`, 'utf8');
  const fh = await open(file, 'a');
  try {
    const { bytesWritten } = await fh.write(buf, 0, buf.length);
    if (bytesWritten !== buf.length) throw new Error(`short write to ${file}: ${bytesWritten} of ${buf.length} bytes`);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** audit-01, audit-02, … skipping ids already in the log. */
export function nextId(ids: string[]): string {
  const taken = new Set(ids);
  for (let i = ids.length + 1; ; i++) {
    const id = `audit-${String(i).padStart(2, '0')}`;
    if (!taken.has(id)) return id;
  }
}

/** Today as YYYY-MM-DD (UTC), pinned by SOURCE_DATE_EPOCH like the report timestamp. */
function today(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const d = epoch ? new Date(Number(epoch) * 1000) : new Date();
  return d.toISOString().slice(0, 10);
}

const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null);

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
