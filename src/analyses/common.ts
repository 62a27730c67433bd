/**
 * Run-specific helpers shared by analyses and the report builder: picking records of a split and
 * computing the CONTRACT.md headline metrics for one checkpoint on a set of records.
 */
import { macroF1Of } from '../stats/classification.ts';
import { ece, equalWidthBins, mce, WidthBinSums } from '../stats/calibration.ts';
import type { Config } from '../config.ts';
import { InputError } from '../messages.ts';
import type { CheckpointScores, Dataset, ScoredRun } from '../types.ts';
import { fullProbs } from '../score/compact.ts';

export interface Subset {
  rows: Int32Array;
  probs: Float32Array;
  labels: Int32Array;
  preds: Int32Array;
  conf: Float32Array;
  loss: Float32Array;
}

const rowsMemo = new WeakMap<ScoredRun, { dataset: Dataset; bySplit: Map<string | null, Int32Array> }>();

/**
 * Scorable, labelled records of `split` (null = every split), in dataset order. Memoised per run
 * (several analyses ask for the same split): the array is shared, so callers must not modify it.
 */
export function rowsOf(run: ScoredRun, dataset: Dataset, split: string | null): Int32Array {
  let memo = rowsMemo.get(run);
  if (!memo || memo.dataset !== dataset) rowsMemo.set(run, (memo = { dataset, bySplit: everySplitRows(run, dataset) }));
  return memo.bySplit.get(split) ?? new Int32Array(0); // not a split of the dataset
}

/**
 * rowsOf for every split and for null at once — the analyses ask for all of them — in two passes
 * over the records (count, then fill) instead of two per split: at a million records five such
 * pairs of passes were ~0.15 s of the main thread before the first analysis.
 */
function everySplitRows(run: ScoredRun, dataset: Dataset): Map<string | null, Int32Array> {
  const { scorable } = run;
  const { labels, split } = dataset;
  const counts = new Int32Array(dataset.splitNames.length);
  for (let i = 0; i < run.n; i++) if (scorable[i] && labels[i] >= 0) counts[split[i]]++;
  const bySplit = Array.from(counts, (c) => new Int32Array(c));
  const all = new Int32Array(counts.reduce((a, b) => a + b, 0));
  const fill = new Int32Array(counts.length);
  for (let i = 0, r = 0; i < run.n; i++) {
    if (!(scorable[i] && labels[i] >= 0)) continue;
    all[r++] = i;
    const s = split[i];
    if (s >= 0 && s < bySplit.length) bySplit[s][fill[s]++] = i;
  }
  const out = new Map<string | null, Int32Array>([[null, all]]);
  dataset.splitNames.forEach((name, s) => out.set(name, bySplit[s]));
  return out;
}

/** Copies one checkpoint's scores for `rows` into dense arrays the stats functions take. */
export function subset(run: ScoredRun, dataset: Dataset, checkpoint: number, rows: Int32Array): Subset {
  return { rows, probs: gatherProbs(fullProbs(run.scores[checkpoint], 'subset'), run.k, rows), ...recordColumns(run, dataset, checkpoint, rows) };
}

/** The probability rows (k each) of `rows`, packed in their order. */
export function gatherProbs(probs: Float32Array, k: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * k);
  for (let r = 0; r < rows.length; r++) for (let j = 0, o = rows[r] * k, d = r * k; j < k; j++) out[d + j] = probs[o + j];
  return out;
}

type Columns = Pick<Subset, 'labels' | 'preds' | 'conf' | 'loss'>;

/** The per-record columns of one checkpoint for `rows` (everything of a Subset but the n·k probabilities). */
export function recordColumns(run: ScoredRun, dataset: Dataset, checkpoint: number, rows: Int32Array): Columns {
  const s = run.scores[checkpoint];
  const n = rows.length;
  const labels = new Int32Array(n);
  const preds = new Int32Array(n);
  const conf = new Float32Array(n);
  const loss = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const i = rows[r];
    labels[r] = dataset.labels[i];
    preds[r] = s.pred[i];
    conf[r] = s.conf[i];
    loss[r] = s.loss[i];
  }
  return { labels, preds, conf, loss };
}

export interface Headline {
  n: number;
  accuracy: number;
  macroF1: number;
  nll: number;
  brier: number;
  ece: number;
  mce: number;
}

/** The CONTRACT.md headline metrics; NaN when there are no records. */
export function headline(sub: Subset, k: number): Headline {
  return headlineOf(sub.probs, sub, null, k);
}

/**
 * `headline(subset(run, dataset, checkpoint, rows), k)` read straight from the run's arrays: the
 * same values summed in the same order, without copying n·k probabilities per checkpoint and split.
 */
export function headlineOfRun(run: ScoredRun, dataset: Dataset, checkpoint: number, rows: Int32Array): Headline {
  return headlineOf(fullProbs(run.scores[checkpoint], 'headline'), recordColumns(run, dataset, checkpoint, rows), rows, run.k);
}

/** Row r's probabilities are probs[at(r)·k …] with at(r) = rows ? rows[r] : r. */
function headlineOf(probs: Float32Array, cols: Columns, rows: Int32Array | null, k: number): Headline {
  const { labels, preds } = cols;
  const n = labels.length;
  if (n === 0) return { n, accuracy: NaN, macroF1: NaN, nll: NaN, brier: NaN, ece: NaN, mce: NaN };
  const core = coreMetrics(cols);
  let brierSum = 0;
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    const o = (rows ? rows[r] : r) * k;
    for (let j = 0; j < k; j++) {
      const d = (j === label ? 1 : 0) - probs[o + j];
      brierSum += d * d;
    }
  }
  return {
    n,
    accuracy: core.accuracy,
    macroF1: macroF1Of(labels, preds, k),
    nll: core.nll,
    brier: brierSum / n,
    ece: core.ece,
    mce: mce(core.bins),
  };
}

/** Accuracy, mean loss and ECE (15 equal-width bins) of non-empty columns, with the bins. */
function coreMetrics({ labels, preds, conf, loss }: Columns): CheckpointMetrics & { bins: ReturnType<typeof equalWidthBins> } {
  const n = labels.length;
  const hit = new Uint8Array(n);
  let correct = 0;
  let lossSum = 0;
  for (let r = 0; r < n; r++) {
    const h = preds[r] === labels[r] ? 1 : 0;
    hit[r] = h;
    correct += h;
    lossSum += loss[r];
  }
  const bins = equalWidthBins(conf, hit, 15);
  return { n, accuracy: correct / n, nll: lossSum / n, ece: ece(bins, n), bins };
}

/** What the per-checkpoint × split table shows: a subset of Headline, the same values. */
export type CheckpointMetrics = Pick<Headline, 'n' | 'accuracy' | 'nll' | 'ece'>;

interface HeadlineMemo {
  dataset: Dataset;
  metrics: Map<string, CheckpointMetrics[]>;
  full: Map<string, Headline>;
}
const headlineMemo = new WeakMap<ScoredRun, HeadlineMemo>();

function memoOf(run: ScoredRun, dataset: Dataset): HeadlineMemo {
  let memo = headlineMemo.get(run);
  if (!memo || memo.dataset !== dataset) headlineMemo.set(run, (memo = { dataset, metrics: new Map(), full: new Map() }));
  return memo;
}

/**
 * n, accuracy, mean loss and ECE of every checkpoint on the scorable, labelled records of `split` —
 * the per-checkpoint × split table of summary.json's checkpoints and the dynamics curves. Exactly
 * `headline`'s values (same sums in the same order) without its n·k Brier pass and confusion
 * matrix, which only the final checkpoint's headline needs. Memoised per run.
 */
export function checkpointMetrics(run: ScoredRun, dataset: Dataset, split: string): CheckpointMetrics[] {
  const memo = memoOf(run, dataset);
  if (!memo.metrics.has(split)) {
    everySplitMetrics(run, dataset, memo.metrics);
    if (!memo.metrics.has(split)) memo.metrics.set(split, run.scores.map(() => NO_RECORDS)); // not a split of the dataset
  }
  return memo.metrics.get(split)!;
}

const NO_RECORDS: CheckpointMetrics = { n: 0, accuracy: NaN, nll: NaN, ece: NaN };

/**
 * checkpointMetrics of every split at once (every caller wants them all): per checkpoint one pass
 * over the records in dataset order, each adding to its own split's sums — the sums a pass over
 * rowsOf(split) adds, in the same order — instead of two passes per split through its rows (at 20
 * checkpoints of a million records, ~1 s of the main thread's analyses).
 */
function everySplitMetrics(run: ScoredRun, dataset: Dataset, into: Map<string, CheckpointMetrics[]>): void {
  const { labels } = dataset;
  const splits = dataset.splitNames.length;
  // Each record's split when rowsOf counts it (scorable and labelled), else −1.
  const member = new Int32Array(run.n).fill(-1);
  const count = dataset.splitNames.map((name, g) => {
    const rows = rowsOf(run, dataset, name);
    for (let r = 0; r < rows.length; r++) member[rows[r]] = g;
    return rows.length;
  });
  const out = dataset.splitNames.map((): CheckpointMetrics[] => []);
  for (const s of run.scores) {
    const correct = new Float64Array(splits);
    const lossSum = new Float64Array(splits);
    const bins = new WidthBinSums(15, true, splits);
    sumBySplit(member, labels, s, correct, lossSum, bins);
    for (let g = 0; g < splits; g++) {
      const n = count[g];
      out[g].push(n === 0 ? NO_RECORDS : { n, accuracy: correct[g] / n, nll: lossSum[g] / n, ece: ece(bins.bins(g), n) });
    }
  }
  dataset.splitNames.forEach((name, g) => into.set(name, out[g]));
}

/** everySplitMetrics' pass over one checkpoint, a small function of its own: it runs once per checkpoint and audit, so it must get fast code soon. */
function sumBySplit(member: Int32Array, labels: Int32Array, s: CheckpointScores, correct: Float64Array, lossSum: Float64Array, bins: WidthBinSums): void {
  const { pred, loss, conf } = s;
  const bits = new Uint32Array(conf.buffer, conf.byteOffset, conf.length);
  for (let i = 0; i < member.length; i++) {
    const g = member[i];
    if (g < 0) continue;
    const hit = pred[i] === labels[i] ? 1 : 0;
    correct[g] += hit;
    lossSum[g] += loss[i];
    bins.add(conf[i], bits[i], hit, g);
  }
}

/** The full headline of one checkpoint on `split` (e.g. the report's final checkpoint), memoised. */
export function splitHeadline(run: ScoredRun, dataset: Dataset, split: string, checkpoint: number): Headline {
  const memo = memoOf(run, dataset);
  const key = `${checkpoint}\0${split}`;
  let h = memo.full.get(key);
  if (!h) memo.full.set(key, (h = headlineOfRun(run, dataset, checkpoint, rowsOf(run, dataset, split))));
  return h;
}

/** The headline split (chooseFinalSplit); a configured one the dataset lacks is refused before any scoring. */
export function headlineSplit(config: Pick<Config, 'path' | 'evaluate'>, dataset: Dataset): string {
  const split = chooseFinalSplit(dataset, config.evaluate.split);
  if (!dataset.splitNames.includes(split)) throw new InputError(`${config.path}: evaluate.split`, `one of the dataset's splits (${dataset.splitNames.join(', ')})`, `"${split}"`);
  return split;
}

/** Default headline split: the configured one, else a validation-like split, else test, else all. */
export function chooseFinalSplit(dataset: Dataset, configured: string | null): string {
  if (configured !== null) return configured;
  const names = dataset.splitNames;
  for (const want of ['val', 'valid', 'validation', 'dev', 'test']) if (names.includes(want)) return want;
  return names.length === 1 ? names[0] : names.find((s) => s !== 'train') ?? names[0];
}
