/**
 * Sharded audits: `losslens audit --shard i/n` scores only the i-th contiguous range of records (on
 * any machine) and writes a partial result; `losslens merge` checks the partials fit together and
 * hands the pipeline the assembled scores, so analyses and the report run once, exactly as in the
 * unsharded run (every record's score depends on that record alone, so it does not matter which
 * shard or batch computed it).
 *
 * A partial is one binary file: a magic line, a JSON header (config fingerprint, shard, record
 * range, classes, checkpoints, backend, output interpretation, unscorable records), then for every
 * checkpoint but the final one its compact columns over the range (score/compact.ts: loss,
 * confidence, p(label), largest other p as Float32, prediction as Int32 — 20 bytes a record), the
 * final checkpoint's probabilities (Float32, records × classes), the range's scorable mask, and a
 * SHA-256 of everything before it. Little-endian (checked). Its size is about
 * records × (4·classes + 20·(checkpoints − 1) + 1) bytes: the probabilities of one checkpoint, not of all.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { Config } from '../config.ts';
import { discoverCheckpoints } from '../load/checkpoints.ts';
import { loadDataset } from '../load/dataset.ts';
import { inputRows } from '../load/input-values.ts';
import { loadInputRows, loadInputs } from '../load/inputs.ts';
import { InputError } from '../messages.ts';
import type { Progress } from '../progress.ts';
import type { Checkpoint, Dataset, ModelInputs, ScoredRun, UnscorableRecord } from '../types.ts';
import { fullProbs } from './compact.ts';
import { createScoringPlan, type ScoringPlan } from './runtimes.ts';
import { scoreRun, scoresFromProbs } from './score.ts';

export const PARTIAL_FORMAT = 2;
const MAGIC = 'losslens-partial\n';
const DIGEST = 32;

export interface ShardSpec {
  /** 1-based shard number. */
  index: number;
  count: number;
}

export interface PartialHeader {
  format: number;
  /** SHA-256 of the config file's bytes: every shard and the merge must use the same config. */
  config: string;
  shard: ShardSpec;
  /** Records [start, end) of the dataset (dataset order). */
  start: number;
  end: number;
  n: number;
  /** SHA-256 of the range's record ids: the merge checks its dataset is the one scored. */
  ids: string;
  /**
   * SHA-256 of the range's labels: the earlier checkpoints' compact columns (loss, p(label)) were
   * computed with them, so a merge with relabelled records must re-score, not mix label sets.
   */
  labels: string;
  classes: string[];
  checkpoints: { id: string; step: number }[];
  backend: string;
  outputKind: ('probabilities' | 'logits')[];
  /** Records of the range that were scored; 0 means outputKind was not observed. */
  scored: number;
  unscorable: UnscorableRecord[];
  endianness: string;
}

/** A compact checkpoint's columns over a record range (CheckpointScores without probs). */
export interface CompactColumns {
  loss: Float32Array;
  conf: Float32Array;
  pLabel: Float32Array;
  pOther: Float32Array;
  pred: Int32Array;
}

const COMPACT_FIELDS = ['loss', 'conf', 'pLabel', 'pOther', 'pred'] as const;

export interface PartialResult {
  header: PartialHeader;
  /** Every checkpoint but the final one, compact, over the range. */
  compact: CompactColumns[];
  /** The final checkpoint: (end − start)·k probabilities (NaN for unscored records). */
  finalProbs: Float32Array;
  scorable: Uint8Array;
}

/** "i/n" with 1 ≤ i ≤ n. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new InputError('--shard', 'i/n with 1 ≤ i ≤ n (e.g. 2/4: the second of four shards)', `"${text}"`);
  return { index, count };
}

/** The contiguous record range of a shard; ranges of all shards tile [0, n) in order. */
export function shardRange(n: number, s: ShardSpec): { start: number; end: number } {
  return { start: Math.floor(((s.index - 1) * n) / s.count), end: Math.floor((s.index * n) / s.count) };
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
    // Precomputed predictions are aligned to the whole dataset by id, then sliced with it.
    const inputs = config.inputs ? await loadInputs(config.inputs, dataset, (w) => progress.warn(w)) : null;
    const full = await createScoringPlan(config, dataset, inputs);
    plan = { ...full, inputs: inputRows(full.inputs, start, end) };
  } else {
    // Only this shard's rows of the inputs are read (.npy: their bytes alone).
    plan = await createScoringPlan(config, slice, config.inputs ? await loadInputRows(config.inputs, dataset, start, end, (w) => progress.warn(w)) : null);
  }
  progress.stage(`scoring shard ${spec.index}/${spec.count}: records ${start.toLocaleString('en-US')}–${(end - 1).toLocaleString('en-US')} × ${checkpoints.length} checkpoints on ${plan.runtime.name}`);
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
    checkpoints: checkpoints.map((c) => ({ id: c.id, step: c.step })),
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

export function encodePartial(p: PartialResult): Uint8Array {
  const head = Buffer.from(JSON.stringify(p.header), 'utf8');
  const magic = Buffer.from(MAGIC, 'ascii');
  const arrays: ArrayBufferView[] = [...p.compact.flatMap((c) => COMPACT_FIELDS.map((f) => c[f])), p.finalProbs, p.scorable];
  const size = magic.length + 4 + head.length + arrays.reduce((s, a) => s + a.byteLength, 0) + DIGEST;
  const out = Buffer.alloc(size);
  let off = magic.copy(out, 0);
  off = out.writeUInt32LE(head.length, off);
  off += head.copy(out, off);
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength;
  }
  createHash('sha256').update(out.subarray(0, off)).digest().copy(out, off);
  return out;
}

export function decodePartial(buf: Uint8Array, file: string): PartialResult {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = Buffer.from(MAGIC, 'ascii');
  const bad = (found: string): never => {
    throw new InputError(file, 'a losslens partial result (written by losslens audit --shard i/n)', found);
  };
  if (b.length < magic.length + 4 + DIGEST || !b.subarray(0, magic.length).equals(magic)) bad('another kind of file');
  const body = b.subarray(0, b.length - DIGEST);
  if (!createHash('sha256').update(body).digest().equals(b.subarray(b.length - DIGEST))) bad('a checksum mismatch (truncated or corrupt file)');
  const headLen = b.readUInt32LE(magic.length);
  let header: PartialHeader;
  try {
    header = JSON.parse(b.subarray(magic.length + 4, magic.length + 4 + headLen).toString('utf8')) as PartialHeader;
  } catch {
    return bad('an unreadable header');
  }
  if (header.format !== PARTIAL_FORMAT) bad(`format ${String(header.format)} (this losslens reads format ${PARTIAL_FORMAT})`);
  if (header.endianness !== endianness()) bad(`a partial written on a ${header.endianness}-endian machine`);
  const len = header.end - header.start;
  const k = header.classes.length;
  const compactCount = Math.max(0, header.checkpoints.length - 1);
  let off = magic.length + 4 + headLen;
  const expected = off + compactCount * len * 4 * COMPACT_FIELDS.length + len * k * 4 + len;
  if (expected !== body.length) bad(`${body.length} bytes, expected ${expected} for ${len} records × ${k} classes and ${header.checkpoints.length} checkpoints`);
  const take = <T extends Float32Array | Int32Array>(a: T): T => {
    new Uint8Array(a.buffer).set(body.subarray(off, off + a.byteLength));
    off += a.byteLength;
    return a;
  };
  const compact = Array.from({ length: compactCount }, () => ({
    loss: take(new Float32Array(len)),
    conf: take(new Float32Array(len)),
    pLabel: take(new Float32Array(len)),
    pOther: take(new Float32Array(len)),
    pred: take(new Int32Array(len)),
  }));
  const finalProbs = take(new Float32Array(len * k));
  return { header, compact, finalProbs, scorable: new Uint8Array(body.subarray(off, off + len)) };
}

export async function readPartial(file: string): Promise<PartialResult> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    throw new InputError(file, 'a partial result file', 'no such file');
  }
  return decodePartial(buf, file);
}

/**
 * Check that the partials are every shard of one run of this config over this dataset and these
 * checkpoints, and assemble the run's scores exactly as an unsharded audit would have produced them.
 */
export async function mergePartials(parts: { file: string; partial: PartialResult }[], config: Config, dataset: Dataset, checkpoints: Checkpoint[]): Promise<ScoredRun> {
  if (parts.length === 0) throw new InputError('losslens merge', 'at least one partial result file', 'none');
  const first = parts[0];
  const h0 = first.partial.header;
  const fp = await configFingerprint(config);
  const same = (what: string, a: unknown, b: unknown, file: string) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new InputError(file, `the same ${what} as ${first.file}`, JSON.stringify(b).slice(0, 200));
  };
  for (const { file, partial } of parts) {
    const h = partial.header;
    if (h.config !== fp) throw new InputError(file, `a partial scored with this config (${config.path})`, 'a partial scored with a different config file (re-run the shards, or merge with the config they used)');
    same('shard count', h0.shard.count, h.shard.count, file);
    same('record count', h0.n, h.n, file);
    same('classes', h0.classes, h.classes, file);
    same('checkpoints', h0.checkpoints, h.checkpoints, file);
    same('scoring backend', h0.backend, h.backend, file);
  }
  const count = h0.shard.count;
  const byIndex = new Map<number, { file: string; partial: PartialResult }>();
  for (const p of parts) {
    const prev = byIndex.get(p.partial.header.shard.index);
    if (prev) throw new InputError(p.file, `shard ${p.partial.header.shard.index}/${count} once`, `it again (also ${prev.file})`);
    byIndex.set(p.partial.header.shard.index, p);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new InputError('losslens merge', `all ${count} shards`, `no partial for shard ${missing.map((i) => `${i}/${count}`).join(', ')}`);

  const n = dataset.n;
  const k = dataset.classes.length;
  if (h0.n !== n) throw new InputError(first.file, `${n} records (the dataset of ${config.path})`, `${h0.n} records`);
  same('classes', dataset.classes, h0.classes, config.path);
  same('checkpoints', checkpoints.map((c) => ({ id: c.id, step: c.step })), h0.checkpoints, config.path);

  // Output interpretation: every shard that scored records must have seen the same kind.
  const outputKind = h0.checkpoints.map((_, c) => {
    const seen = new Set(parts.filter((p) => p.partial.header.scored > 0).map((p) => p.partial.header.outputKind[c]));
    if (seen.size > 1) throw new InputError('losslens merge', `one output interpretation per checkpoint across shards`, `both probabilities and logits for checkpoint ${h0.checkpoints[c].id} (set model.output in the config and re-run the shards)`);
    return [...seen][0] ?? h0.outputKind[c];
  });

  // Every record lies in exactly one shard's range: every element is overwritten below.
  const probs = new Float32Array(n * k).fill(Number.NaN);
  const compact = h0.checkpoints.slice(1).map(() => ({
    loss: new Float32Array(n),
    conf: new Float32Array(n),
    pLabel: new Float32Array(n),
    pOther: new Float32Array(n),
    pred: new Int32Array(n),
  }));
  const scorable = new Uint8Array(n);
  const unscorable: UnscorableRecord[] = [];
  for (let i = 1; i <= count; i++) {
    const { file, partial } = byIndex.get(i)!;
    const h = partial.header;
    const want = shardRange(n, { index: i, count });
    if (h.start !== want.start || h.end !== want.end) throw new InputError(file, `records ${want.start}–${want.end - 1} for shard ${i}/${count}`, `records ${h.start}–${h.end - 1}`);
    if (h.ids !== idsHash(dataset.ids, h.start, h.end)) throw new InputError(file, `the record ids of ${dataset.file} in rows ${h.start}–${h.end - 1}`, 'other ids (the dataset changed since the shard was scored)');
    if (h.labels !== labelsHash(dataset.labels, h.start, h.end)) throw new InputError(file, `the labels of ${dataset.file} in rows ${h.start}–${h.end - 1}`, 'other labels (records were relabelled since the shard was scored: re-run the shards)');
    partial.compact.forEach((cols, c) => {
      for (const f of COMPACT_FIELDS) compact[c][f].set(cols[f], h.start);
    });
    probs.set(partial.finalProbs, h.start * k);
    scorable.set(partial.scorable, h.start);
    unscorable.push(...h.unscorable);
  }
  return {
    n,
    k,
    classes: dataset.classes,
    backend: h0.backend,
    checkpoints,
    scores: [...compact.map((cols) => ({ probs: null, ...cols })), scoresFromProbs(probs, scorable, dataset.labels, k)],
    scorable,
    unscorable,
    outputKind,
  };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
