/**
 * Sharded audits: `losslens audit --shard i/n` scores only the i-th contiguous range of records (on
 * any machine) and writes a partial result; `losslens merge` checks the partials fit together and
 * hands the pipeline the assembled scores, so analyses and the report run once, exactly as in the
 * unsharded run (every record's score depends on that record alone, so it does not matter which
 * shard or batch computed it).
 *
 * The partial's file format and its reading: partial-file.ts.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Config } from '../config.ts';
import { discoverCheckpoints } from '../load/checkpoints.ts';
import { loadDataset } from '../load/dataset.ts';
import { inputRows } from '../load/input-values.ts';
import { configuredInputs, loadInputRows } from '../load/inputs.ts';
import { InputError } from '../messages.ts';
import type { Progress } from '../progress.ts';
import type { Checkpoint, Dataset, ScoredRun, UnscorableRecord } from '../types.ts';
import { fullProbs } from './compact.ts';
import { PARTIAL_FORMAT, readPartialInto, type PartialFile, type PartialHeader, type PartialResult, type ShardSpec } from './partial-file.ts';
import { hashCheckpoint } from './cache.ts';
import { createScoringPlan, type ScoringPlan } from './runtimes.ts';
import { scoreRun, scoresFromProbs } from './score.ts';

/** Most shards of one run: merge lists them, and n in the billions (a typo) crashed it. */
export const MAX_SHARDS = 100_000;

/** "i/n" with 1 ≤ i ≤ n ≤ MAX_SHARDS. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) throw new InputError('--shard', `i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS.toLocaleString('en-US')} (e.g. 2/4: the second of four shards)`, `"${text}"`);
  return { index, count };
}

/** The contiguous record range of a shard; ranges of all shards tile [0, n) in order. */
export function shardRange(n: number, s: ShardSpec): { start: number; end: number } {
  return { start: Math.floor(((s.index - 1) * n) / s.count), end: Math.floor((s.index * n) / s.count) };
}

/** "records 10–19" (dataset rows), or "no records" for the empty range of a shard beyond the records' count. */
export function recordsText(start: number, end: number): string {
  return end > start ? `records ${start.toLocaleString('en-US')}–${(end - 1).toLocaleString('en-US')}` : 'no records (more shards than records)';
}

export async function configFingerprint(config: Config): Promise<string> {
  return sha256(await readFile(config.path));
}

function labelsHash(labels: Int32Array, start: number, end: number): string {
  const range = labels.subarray(start, end);
  return sha256(new Uint8Array(range.buffer, range.byteOffset, range.byteLength));
}

function idsHash(ids: string[], start: number, end: number): string {
  const h = createHash('sha256');
  for (let i = start; i < end; i++) h.update(`${ids[i]}\n`);
  return h.digest('hex');
}

/** Load what scoring needs, score the shard's records with every checkpoint, and return the partial. */
export async function scoreShard(config: Config, spec: ShardSpec, progress: Progress): Promise<PartialResult> {
  progress.stage(`loading ${config.dataset.file}`);
  const dataset = await loadDataset(config.dataset, (w) => progress.warn(w));
  const checkpoints = await discoverCheckpoints(config.model.checkpoints, config.dir);
  const { start, end } = shardRange(dataset.n, spec);
  const slice = sliceDataset(dataset, start, end);
  let plan: ScoringPlan;
  if (config.model.type === 'precomputed') {
    // Precomputed predictions are aligned to the whole dataset by id, then sliced with it; a
    // by-position .npy has only the shard's rows read.
    const inputs = await configuredInputs(config, dataset, (w) => progress.warn(w), progress);
    const full = await createScoringPlan(config, dataset, inputs, { start, end });
    plan = { ...full, inputs: inputRows(full.inputs, start, end) };
  } else {
    // Only this shard's rows of the inputs are read (.npy: their bytes alone).
    plan = await createScoringPlan(config, slice, config.inputs ? await loadInputRows(config.inputs, dataset, start, end, (w) => progress.warn(w)) : null);
  }
  progress.stage(`scoring shard ${spec.index}/${spec.count}: ${recordsText(start, end)} × ${checkpoints.length} checkpoints on ${plan.runtime.name}`);
  const run = await scoreRun(plan.runtime, checkpoints, slice, plan.inputs, { batchSize: config.model.batchSize, output: config.model.output, progress });
  for (const w of plan.runtime.warnings) progress.warn(w);
  const header: PartialHeader = {
    format: PARTIAL_FORMAT,
    config: await configFingerprint(config),
    shard: spec,
    start,
    end,
    n: dataset.n,
    ids: idsHash(dataset.ids, start, end),
    labels: labelsHash(dataset.labels, start, end),
    classes: dataset.classes,
    checkpoints: await checkpointPrints(checkpoints),
    backend: run.backend,
    outputKind: run.outputKind,
    scored: run.scorable.reduce((s, v) => s + v, 0),
    unscorable: run.unscorable.map((u) => ({ ...u, index: u.index + start })),
    endianness: endianness(),
  };
  const last = run.scores.length - 1;
  const compact = run.scores.slice(0, last).map((s) => ({ loss: s.loss, conf: s.conf, pLabel: s.pLabel!, pOther: s.pOther!, pred: s.pred }));
  return { header, compact, finalProbs: fullProbs(run.scores[last], 'partial'), scorable: run.scorable };
}

/**
 * Each checkpoint's id, step and the hash of its files' contents: a checkpoint re-trained or
 * re-written under the same name between two shards, or since they ran, scored a mixed model
 * that merged without a word (accuracy 0.738 against 0.869 unsharded, in a stress test).
 */
async function checkpointPrints(checkpoints: Checkpoint[]): Promise<PartialHeader['checkpoints']> {
  const out: PartialHeader['checkpoints'] = [];
  for (const c of checkpoints) out.push({ id: c.id, step: c.step, sha256: await hashCheckpoint(c.path) });
  return out;
}

/** Checkpoints of two lists whose contents differ (both hashed), as "epoch-03". */
function changedCheckpoints(a: PartialHeader['checkpoints'], b: PartialHeader['checkpoints']): string[] {
  return a.filter((c, i) => c.sha256 !== null && b[i]?.sha256 != null && c.sha256 !== b[i].sha256).map((c) => c.id);
}

const ids = (list: PartialHeader['checkpoints']) => list.map(({ id, step }) => ({ id, step }));

/** The records [start, end) as a dataset of their own (what scoring reads of it). */
function sliceDataset(d: Dataset, start: number, end: number): Dataset {
  const groups: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(d.groups)) groups[k] = v.slice(start, end);
  return {
    ...d,
    n: end - start,
    ids: d.ids.slice(start, end),
    labels: d.labels.subarray(start, end),
    split: d.split.subarray(start, end),
    groups,
    unknownLabels: d.unknownLabels.filter((u) => u.index >= start && u.index < end).map((u) => ({ ...u, index: u.index - start })),
  };
}

/**
 * What the partials' headers alone can tell, checked before the dataset is loaded (a missing shard
 * should not cost a million-record load first): one config, one shard count, each shard exactly
 * once, and the same record count, classes, checkpoints and backend everywhere. Returns the
 * partials in shard order.
 */
export async function checkPartialSet(parts: PartialFile[], config: Config): Promise<PartialFile[]> {
  if (parts.length === 0) throw new InputError('losslens merge', 'at least one partial result file', 'none');
  const first = parts[0];
  const h0 = first.header;
  const fp = await configFingerprint(config);
  for (const { file, header: h } of parts) {
    if (h.config !== fp) throw new InputError(file, `a partial scored with this config (${config.path})`, 'a partial scored with a different config file (re-run the shards, or merge with the config they used)');
    sameAs(first.file, 'shard count', h0.shard.count, h.shard.count, file);
    sameAs(first.file, 'record count', h0.n, h.n, file);
    sameAs(first.file, 'classes', h0.classes, h.classes, file);
    sameAs(first.file, 'checkpoints', ids(h0.checkpoints), ids(h.checkpoints), file);
    const changed = changedCheckpoints(h0.checkpoints, h.checkpoints);
    if (changed.length) throw new InputError(file, `checkpoints with the same contents as when ${first.file} was scored`, `other contents for ${changed.join(', ')} (a checkpoint changed between the shards: re-run them on one set of checkpoint files)`);
    sameAs(first.file, 'scoring backend', h0.backend, h.backend, file);
  }
  const count = h0.shard.count;
  const byIndex = new Map<number, PartialFile>();
  for (const p of parts) {
    const prev = byIndex.get(p.header.shard.index);
    if (prev) throw new InputError(p.file, `shard ${p.header.shard.index}/${count} once`, `it again (also ${prev.file})`);
    byIndex.set(p.header.shard.index, p);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    // Name the first few: a thousand-shard run missing most of them still gets a one-line message.
    const named = missing.slice(0, 10).map((i) => `${i}/${count}`).join(', ');
    throw new InputError('losslens merge', `all ${count} shards`, `no partial for shard ${named}${missing.length > 10 ? `, … (${missing.length} of ${count} missing)` : ''}`);
  }
  return Array.from({ length: count }, (_, i) => byIndex.get(i + 1)!);
}

/** `b` (in `file`) must equal `a` (in `firstFile`). */
function sameAs(firstFile: string, what: string, a: unknown, b: unknown, file: string): void {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new InputError(file, `the same ${what} as ${firstFile}`, JSON.stringify(b).slice(0, 200));
}

/**
 * Check that the partials are every shard of one run of this config over this dataset and these
 * checkpoints (checkPartialSet, then what needs the dataset: record ranges, ids, labels), and
 * assemble the run's scores exactly as an unsharded audit would have produced them: every header
 * is checked before any array is read, and each partial's arrays are read straight into the run's
 * (partial-file.ts), so no partial is held in memory.
 */
export async function mergePartials(parts: PartialFile[], config: Config, dataset: Dataset, checkpoints: Checkpoint[]): Promise<ScoredRun> {
  const ordered = await checkPartialSet(parts, config);
  const first = parts[0];
  const h0 = first.header;
  const count = h0.shard.count;
  const n = dataset.n;
  const k = dataset.classes.length;
  if (h0.n !== n) throw new InputError(first.file, `${n} records (the dataset of ${config.path})`, `${h0.n} records`);
  sameAs(first.file, 'classes', h0.classes, dataset.classes, config.path);
  const now = await checkpointPrints(checkpoints);
  sameAs(first.file, 'checkpoints', ids(h0.checkpoints), ids(now), config.path);
  const changed = changedCheckpoints(h0.checkpoints, now);
  if (changed.length) throw new InputError(config.path, `the checkpoint files the shards scored (${first.file})`, `other contents for ${changed.join(', ')} now (changed since the shards ran: re-run them, or merge with the files they scored)`);
  for (const { file, header: h } of ordered) {
    const want = shardRange(n, h.shard);
    if (h.start !== want.start || h.end !== want.end) throw new InputError(file, `${recordsText(want.start, want.end)} for shard ${h.shard.index}/${count}`, recordsText(h.start, h.end));
    if (h.ids !== idsHash(dataset.ids, h.start, h.end)) throw new InputError(file, `the record ids of ${dataset.file} in rows ${h.start}–${h.end - 1}`, 'other ids (the dataset changed since the shard was scored)');
    if (h.labels !== labelsHash(dataset.labels, h.start, h.end)) throw new InputError(file, `the labels of ${dataset.file} in rows ${h.start}–${h.end - 1}`, 'other labels (records were relabelled since the shard was scored: re-run the shards)');
  }

  // Output interpretation: every shard that scored records must have seen the same kind.
  const outputKind = h0.checkpoints.map((_, c) => {
    const seen = new Set(parts.filter((p) => p.header.scored > 0).map((p) => p.header.outputKind[c]));
    if (seen.size > 1) throw new InputError('losslens merge', `one output interpretation per checkpoint across shards`, `both probabilities and logits for checkpoint ${h0.checkpoints[c].id} (set model.output in the config and re-run the shards)`);
    return [...seen][0] ?? h0.outputKind[c];
  });

  // The shard ranges tile [0, n) (checked above), so every element is overwritten.
  const targets = {
    compact: h0.checkpoints.slice(1).map(() => ({
      loss: new Float32Array(n),
      conf: new Float32Array(n),
      pLabel: new Float32Array(n),
      pOther: new Float32Array(n),
      pred: new Int32Array(n),
    })),
    finalProbs: new Float32Array(n * k),
    scorable: new Uint8Array(n),
  };
  const unscorable: UnscorableRecord[] = [];
  for (const p of ordered) {
    await readPartialInto(p, targets);
    for (const u of p.header.unscorable) unscorable.push(u); // (a spread of 100 000s overflows the stack)
  }
  return {
    n,
    k,
    classes: dataset.classes,
    backend: h0.backend,
    checkpoints,
    scores: [...targets.compact.map((cols) => ({ probs: null, ...cols })), scoresFromProbs(targets.finalProbs, targets.scorable, dataset.labels, k)],
    scorable: targets.scorable,
    unscorable,
    outputKind,
  };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
