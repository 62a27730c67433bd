/**
 * Scores every scorable record with every checkpoint, in batches, into typed arrays. Records that
 * cannot be scored (non-finite inputs, unknown labels) are listed with the reason, never dropped.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { codeTable, fillBatch, firstNonFinite, inputValue } from '../load/input-values.ts';
import { unknownLabelsByRecord } from '../load/dataset.ts';
import { InputError } from '../messages.ts';
import type { Progress } from '../progress.ts';
import { LOSS_CLAMP } from '../stats/losses.ts';
import type { Checkpoint, CheckpointScores, Dataset, ModelInputs, ScoredRun, UnscorableRecord } from '../types.ts';
import { weightFiles, type CacheEntry, type ScoreCache } from './cache.ts';
import { compactScores, fullProbs, sharedProbs } from './compact.ts';
import { sharedBytes, sharedFloats } from './pool-worker.ts';
import type { LoadedModel, ScoringRuntime } from './runtime.ts';

export interface ScoreOptions {
  batchSize: number;
  output: 'auto' | 'probabilities' | 'logits';
  progress: Progress;
  /** Per-checkpoint score cache (src/score/cache.ts): only checkpoints missing from it are scored. */
  cache?: ScoreCache;
  /** Most checkpoint file bytes loaded at once (default GROUP_BYTES), divided by runtime.copiesPerModel. */
  groupBytes?: number;
  /** Most bytes of n·k probabilities the checkpoints of a group hold at once (default GROUP_PROB_BYTES). */
  groupProbBytes?: number;
}

/**
 * The stored codes of rows[from .. from+count): a view into `data` when the rows are consecutive
 * (the usual case), else packed into `out`. (A view may be of shared memory: a runtime that cannot
 * take one copies it itself, layers.ts.)
 */
export function gatherCodes(data: Uint8Array, d: number, rows: Int32Array, from: number, count: number, out: Uint8Array): Uint8Array {
  const first = rows[from];
  if (rows[from + count - 1] - first === count - 1) return data.subarray(first * d, (first + count) * d);
  for (let r = 0; r < count; r++) out.set(data.subarray(rows[from + r] * d, (rows[from + r] + 1) * d), r * d);
  return out.subarray(0, count * d);
}

/** Checkpoints scored together share each batch's input conversion; their files together stay under this. */
export const GROUP_BYTES = 512 * 2 ** 20;

/**
 * Each checkpoint of a group holds its n·k probabilities until the group is done (the score cache
 * stores them, then the checkpoint is made compact), so a group's size is bounded by them too: at
 * a million records × 100 classes that is 400 MB per checkpoint, and twenty small ONNX files would
 * otherwise be scored together in 8 GB.
 */
export const GROUP_PROB_BYTES = 512 * 2 ** 20;

/** Checkpoints whose n·k Float32 probabilities fit in `budget` bytes together (at least one). */
export function checkpointsPerGroup(n: number, k: number, budget = GROUP_PROB_BYTES): number {
  return Math.max(1, Math.floor(budget / (n * k * Float32Array.BYTES_PER_ELEMENT)));
}

/**
 * Consecutive runs of `items` whose sizes sum to at most `budget` (an item larger than the budget
 * gets a group of its own) and of at most `maxItems` items, in order.
 */
export function groupByBytes<T>(items: readonly T[], size: (item: T) => number, budget: number, maxItems = Infinity): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const s = size(item);
    if (current.length > 0 && (bytes + s > budget || current.length >= maxItems)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += s;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Bound of the Float32 values converted for one turn of a group (runtime.turnBatches): 40 batches of 1024 MNIST-sized records. */
const TURN_BYTES = 128 * 2 ** 20;

/** A checkpoint's size on disk: its main file plus the weights files a tfjs model.json names (0 when unreadable: the loader reports it). */
function checkpointBytes(path: string): number {
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  let total = size(path);
  if (path.toLowerCase().endsWith('.json')) {
    try {
      for (const w of weightFiles(path, readFileSync(path))) total += size(join(dirname(path), w));
    } catch {
      // unreadable: the runtime's loader names the file
    }
  }
  return total;
}

export async function scoreRun(
  runtime: ScoringRuntime,
  checkpoints: Checkpoint[],
  dataset: Dataset,
  inputs: ModelInputs,
  opts: ScoreOptions,
): Promise<ScoredRun> {
  const n = dataset.n;
  const k = dataset.classes.length;
  const { scorable, unscorable } = findScorable(dataset, inputs);
  const rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => scorable[i] === 1);
  const scores: CheckpointScores[] = new Array(checkpoints.length);
  const outputKind: ScoredRun['outputKind'] = new Array(checkpoints.length);
  // Only the final checkpoint keeps its n·k probabilities once scored (CheckpointScores).
  const keepFull = (c: number) => c === checkpoints.length - 1;
  const pending: number[] = [];
  const entries: (CacheEntry | null)[] = [];
  for (const [c, ckpt] of checkpoints.entries()) {
    const entry = opts.cache ? await opts.cache.entry({ checkpoint: ckpt, backend: runtime.name, inputs, scorable, k, output: opts.output, batchSize: opts.batchSize }) : null;
    entries.push(entry);
    const cached = entry ? await entry.read() : null;
    if (!cached) {
      pending.push(c);
      continue;
    }
    // Cached values are the stored probabilities (NaN rows where unscored, as emptyScores leaves
    // them): used as they are, and rewriting them as probabilities in place reproduces pred/conf/loss
    // exactly — without two more n·k copies per checkpoint.
    const s = { ...emptyScores(n, k, false), probs: cached.probs };
    writeBatch(s, cached.probs, rows, dataset.labels, k, false, rows);
    scores[c] = keepFull(c) ? s : compactScores(s, dataset.labels, k);
    outputKind[c] = cached.outputKind;
  }
  const total = checkpoints.length * rows.length;
  let done = (checkpoints.length - pending.length) * rows.length;
  if (done > 0) opts.progress.tick(done, total, `${checkpoints.length - pending.length} checkpoint(s) from the score cache`);
  // Checkpoints are scored a group at a time, every model of the group on each batch in turn: the
  // batch's stored values (e.g. uint8 pixels) are converted to Float32 once for the whole group
  // instead of once per checkpoint — at a million records that conversion costs as much as a
  // checkpoint's inference. Groups are bounded by the models' file sizes and by their checkpoints'
  // probabilities (GROUP_PROB_BYTES) so memory stays bounded.
  // uint8 inputs: a runtime that can decode the codes inside the model (converted ONNX graphs) is
  // fed the stored bytes themselves — often a view of the inputs, no copy at all.
  const table = codeTable(inputs);
  const codeData = table ? (inputs.data as Uint8Array) : null;
  // The budget bounds the memory of the loaded models, so a runtime holding several copies of each gets less of it per file.
  const budget = (opts.groupBytes ?? GROUP_BYTES) / Math.max(1, runtime.copiesPerModel ?? 1);
  const maxItems = Math.min(runtime.maxLoaded ?? Infinity, checkpointsPerGroup(n, k, opts.groupProbBytes));
  for (const group of groupByBytes(pending, (c) => checkpointBytes(checkpoints[c].path), budget, maxItems)) {
    const models: LoadedModel[] = [];
    try {
      for (const c of group) {
        const model = await runtime.load(checkpoints[c], { batchRows: opts.batchSize, ...(table ? { codes: { scale: inputs.scale ?? 1, offset: inputs.offset ?? 0 } } : {}) });
        models.push(model);
        checkShapes(checkpoints[c], model.inputShape, model.outputs, inputs, k);
      }
      const kinds: ('probabilities' | 'logits' | null)[] = group.map(() => (opts.output === 'auto' ? null : opts.output));
      for (const c of group) scores[c] = emptyScores(n, k);
      const byCodes = models.map((m) => codeData !== null && m.predictCodes !== undefined);
      // A turn: the batches each model scores before the next model's turn (runtime.turnBatches);
      // their values are converted once per turn for the whole group, batches keep their records.
      // A runtime on worker threads (concurrentTurns) takes a whole turn per call, also for one model,
      // in shared memory its workers read in place; the next turn is handed over before this one's
      // outputs are written, so the workers never wait for the main thread (two buffers of each).
      const whole = runtime.concurrentTurns === true;
      const turn = group.length > 1 || whole ? Math.max(1, Math.min(Math.floor(runtime.turnBatches ?? 1), Math.floor(TURN_BYTES / (opts.batchSize * inputs.rowSize * 4)))) : 1;
      const length = turn * opts.batchSize * inputs.rowSize;
      const buffers = whole ? 2 : 1;
      const valueBuffers = byCodes.every(Boolean) ? null : Array.from({ length: buffers }, () => (whole ? sharedFloats(length) : new Float32Array(length)));
      const codeBuffers = byCodes.some(Boolean) ? Array.from({ length: buffers }, () => (whole ? sharedBytes(length) : new Uint8Array(length))) : null;
      const names = group.map((c) => checkpoints[c].id).join(', ');
      const turnRows = turn * opts.batchSize;
      const sameInput = byCodes.every((b) => b === byCodes[0]);
      /** Write the outputs of the batches of [from, from + turnCount) — per model, `out(g, start, count)`. */
      const write = async (from: number, turnCount: number, out: (g: number, start: number, count: number) => Promise<Float32Array> | Float32Array) => {
        for (const [g, c] of group.entries()) {
          for (let start = from; start < from + turnCount; start += opts.batchSize) {
            const count = Math.min(opts.batchSize, from + turnCount - start);
            const o = await out(g, start, count);
            if (kinds[g] === null) kinds[g] = looksLikeProbabilities(o, count, k) ? 'probabilities' : 'logits';
            else if (start === 0) checkDeclaredOutput(checkpoints[c], o, count, k, kinds[g]!);
            writeBatch(scores[c], o, rows.subarray(start, start + count), dataset.labels, k, kinds[g] === 'logits');
          }
        }
        opts.progress.tick(done + (from + turnCount) * group.length, total, group.length === 1 ? names : `${group.length} checkpoints (${names})`);
      };
      let previous: (() => Promise<void>) | null = null;
      for (let from = 0, t = 0; from < rows.length; from += turnRows, t++) {
        const turnCount = Math.min(turnRows, rows.length - from);
        // Stored values become the model's Float32 values (or gathered codes) here, once per turn for the group.
        const values = valueBuffers?.[t % buffers] ?? null;
        if (values) fillBatch(inputs, rows, values, from, turnCount);
        const codes = codeBuffers && gatherCodes(codeData!, inputs.rowSize, rows, from, turnCount, codeBuffers[t % buffers]);
        const predict = (g: number, at: number, count: number) =>
          byCodes[g] ? models[g].predictCodes!(codes!.subarray(at, at + count * inputs.rowSize), count) : models[g].predict(values!.subarray(at, at + count * inputs.rowSize), count);
        if (!whole) {
          await write(from, turnCount, (g, start, count) => predict(g, (start - from) * inputs.rowSize, count));
          continue;
        }
        // One call for the whole group when every model takes the same input (the runtime prepares each batch once).
        const outs =
          runtime.scoreTurn && sameInput
            ? runtime.scoreTurn(models, byCodes[0] ? codes! : values!.subarray(0, turnCount * inputs.rowSize), turnCount)
            : (async () => {
                const list: Float32Array[] = [];
                for (let g = 0; g < models.length; g++) list.push(await predict(g, 0, turnCount));
                return list;
              })();
        outs.catch(() => undefined); // awaited below; until then a failure is not unhandled
        const turnFrom = from;
        await previous?.();
        previous = async () => {
          const list = await outs;
          await write(turnFrom, turnCount, (g, start, count) => list[g].subarray((start - turnFrom) * k, (start - turnFrom + count) * k));
        };
      }
      await previous?.();
      done += rows.length * group.length;
      for (const [g, c] of group.entries()) {
        outputKind[c] = kinds[g] ?? 'probabilities';
        await entries[c]?.write({ probs: fullProbs(scores[c], 'score cache'), outputKind: outputKind[c] });
        scores[c] = keepFull(c) ? scores[c] : compactScores(scores[c], dataset.labels, k);
      }
    } finally {
      for (const m of models) m.dispose();
    }
  }
  opts.progress.done();
  return { n, k, classes: dataset.classes, backend: runtime.name, checkpoints, scores, scorable, unscorable, outputKind };
}

function findScorable(dataset: Dataset, inputs: ModelInputs): { scorable: Uint8Array; unscorable: UnscorableRecord[] } {
  const scorable = new Uint8Array(dataset.n).fill(1);
  const unscorable: UnscorableRecord[] = [];
  const unknown = unknownLabelsByRecord(dataset);
  for (let i = 0; i < dataset.n; i++) {
    const bad = firstNonFinite(inputs, i);
    let reason: string | null = null;
    if (bad >= 0) reason = `input value ${bad} is ${inputValue(inputs, i, bad)}`;
    else if (unknown.has(i)) reason = `label "${unknown.get(i)}" is not in dataset.classes`;
    if (reason) {
      scorable[i] = 0;
      unscorable.push({ index: i, id: dataset.ids[i], reason });
    }
  }
  return { scorable, unscorable };
}

function checkShapes(ckpt: Checkpoint, inputShape: number[], outputs: number, inputs: ModelInputs, k: number): void {
  const modelSize = inputShape.every((d) => d > 0) ? inputShape.reduce((a, b) => a * b, 1) : -1;
  if (modelSize !== -1 && modelSize !== inputs.rowSize) {
    throw new InputError(ckpt.path, `inputs of shape [${inputShape.join(', ')}] per record (${modelSize} values)`, `[${inputs.shape.join(', ')}] (${inputs.rowSize} values) in ${inputs.file}`);
  }
  if (outputs !== k) {
    throw new InputError(ckpt.path, `${k} outputs (one per class in dataset.classes)`, `${outputs} outputs`);
  }
}

/**
 * Scores before any batch is written. The n·k probabilities are in shared memory: the analyses'
 * worker thread (calibration's numbers) then reads the final checkpoint's in place, where posting
 * them would copy 40 MB at a million records × 10 classes on each side (~0.1 s of both threads).
 */
function emptyScores(n: number, k: number, withProbs = true): CheckpointScores {
  return {
    probs: withProbs ? sharedProbs(n * k).fill(Number.NaN) : new Float32Array(0),
    loss: new Float32Array(n).fill(Number.NaN),
    pred: new Int32Array(n).fill(-1),
    conf: new Float32Array(n).fill(Number.NaN),
  };
}

/** Rows of a first batch beyond which probability-shaped outputs cannot be logits by chance. */
const MIN_ROWS_TO_REFUSE_LOGITS = 16;

/**
 * A declared model.output the first batch contradicts, refused: probabilities that are not (an
 * ONNX model returning logits gave NLL −0.95 and ECE 4.35 with exit 0), or logits whose rows are
 * all probability distributions (a softmax inside the model, applied again: every record's
 * confidence flattened).
 */
function checkDeclaredOutput(checkpoint: Checkpoint, out: Float32Array, rows: number, k: number, declared: 'probabilities' | 'logits'): void {
  const fix = 'set model.output to match, or to "auto" to tell from the values';
  if (declared === 'probabilities') {
    for (let r = 0; r < rows; r++) {
      const row = out.subarray(r * k, r * k + k);
      if (!looksLikeProbabilities(row, 1, k)) {
        const sum = row.reduce((a, v) => a + v, 0);
        const lo = row.reduce((a, v) => Math.min(a, v), Infinity);
        const hi = row.reduce((a, v) => Math.max(a, v), -Infinity);
        throw new InputError(`${checkpoint.path} (model.output = "probabilities")`, `rows in [0, 1] summing to 1 (±0.001); ${fix}`, `a row of the first batch summing to ${sum.toPrecision(6)}, values from ${lo.toPrecision(4)} to ${hi.toPrecision(4)}`);
      }
    }
  } else if (k > 1 && rows >= MIN_ROWS_TO_REFUSE_LOGITS && looksLikeProbabilities(out, rows, k)) {
    throw new InputError(`${checkpoint.path} (model.output = "logits")`, `logits; ${fix}`, `all ${rows} rows of the first batch in [0, 1] summing to 1 — probabilities (a softmax inside the model?), which a second softmax would flatten`);
  }
}

/** Probabilities when every row is in [0, 1] and sums to 1 within 1e-3; otherwise logits. */
export function looksLikeProbabilities(out: Float32Array, rows: number, k: number): boolean {
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = out[r * k + j];
      if (!(v >= 0 && v <= 1)) return false;
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return true;
}

/**
 * Scores rebuilt from stored probabilities (n·k, any value for unscored rows), e.g. the merged
 * partials of a sharded audit: pred, conf and loss come out exactly as when the probabilities were
 * first computed, because they are derived from the same Float32 values by the same code.
 */
export function scoresFromProbs(probs: Float32Array, scorable: Uint8Array, labels: Int32Array, k: number): CheckpointScores {
  const rows = Int32Array.from({ length: scorable.length }, (_, i) => i).filter((i) => scorable[i] === 1);
  const s = emptyScores(scorable.length, k);
  writeBatch(s, probs, rows, labels, k, false, rows);
  return s;
}

/** writeBatch's exponentials of one record's logits, grown to the class count on demand. */
let expScratch = new Float64Array(0);

/**
 * Write one batch of model outputs (row r of `out` is record rows[r]; with `outRows`, row outRows[r]
 * of `out`, so stored n·k probabilities need no packing copy) as probabilities, pred, conf and loss.
 */
function writeBatch(s: CheckpointScores, out: Float32Array, rows: Int32Array, labels: Int32Array, k: number, logits: boolean, outRows?: Int32Array): void {
  const probs = fullProbs(s, 'writeBatch');
  // Each exp once, kept for the division (the same doubles: Math.exp was most of this loop's time).
  if (expScratch.length < k) expScratch = new Float64Array(k);
  const e = expScratch;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const o = (outRows ? outRows[r] : r) * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, out[o + j]);
    let sum = 0;
    if (logits) {
      for (let j = 0; j < k; j++) {
        e[j] = Math.exp(out[o + j] - max);
        sum += e[j];
      }
    }
    let best = 0;
    for (let j = 0; j < k; j++) {
      const p = logits ? e[j] / sum : out[o + j];
      probs[i * k + j] = p;
      // Compare the stored (Float32) values, so a re-read from the score cache picks the same argmax.
      if (probs[i * k + j] > probs[i * k + best]) best = j;
    }
    s.pred[i] = best;
    s.conf[i] = probs[i * k + best];
    const label = labels[i];
    s.loss[i] = label >= 0 ? -Math.log(Math.max(probs[i * k + label], LOSS_CLAMP)) : Number.NaN;
  }
}
