/**
 * Seeded percentile bootstrap for confidence intervals on any statistic of the sample indices.
 * The statistic receives index arrays (not copied data) so callers keep their typed arrays.
 *
 * `bootstrapMany` evaluates several statistics on the very same resamples, drawing each resample
 * once: at a million records the draws dominate, so a section with three intervals (or a paired
 * gap per baseline) pays for one set of draws instead of one per statistic. Its results equal
 * separate `bootstrapCI` calls with the same seed and options.
 */
import { macroF1 } from './classification.ts';
import { quantile } from './quantiles.ts';

export interface BootstrapOptions {
  /** number of resamples (default 1000). */
  resamples?: number;
  /** seed for mulberry32; printed in the report so the interval can be reproduced. */
  seed: number;
  /** central coverage of the interval (default 0.95). */
  level?: number;
}

export interface BootstrapResult {
  /** stat on the identity indices 0..n−1. */
  estimate: number;
  lo: number;
  hi: number;
  /** resamples requested. */
  resamples: number;
  /** resamples whose stat was not NaN and entered the interval (NaN values are skipped). */
  valid: number;
  seed: number;
}

export type Statistic = (idx: Int32Array) => number;

/**
 * Percentile bootstrap interval: draw `resamples` index sets of size n with replacement, evaluate
 * `stat` on each, and take the (1−level)/2 and (1+level)/2 quantiles (numpy "linear"). lo/hi are
 * NaN when every resample gives NaN. `stat` gets a fresh copy of each index set (it may keep or
 * mutate it).
 */
export function bootstrapCI(n: number, stat: Statistic, opts: BootstrapOptions): BootstrapResult {
  return run(n, 1, (idx, out) => (out[0] = stat(idx)), opts, true)[0];
}

/**
 * One interval per statistic, all on the same resamples (identical to `bootstrapCI` per statistic
 * with the same options). The index set is shared, not copied: statistics must only read it.
 */
export function bootstrapMany(n: number, stats: readonly Statistic[], opts: BootstrapOptions): BootstrapResult[] {
  return bootstrapVector(n, stats.length, (idx, out) => {
    for (let s = 0; s < stats.length; s++) out[s] = stats[s](idx);
  }, opts);
}

/**
 * The fast path: `m` statistics computed together by one function, writing out[0..m), typically
 * in one pass over the drawn indices. Same resamples and results as `bootstrapMany` with the m
 * statistics separately. `stat` must only read `idx` and `mult`. With `multiplicities`, `mult[i]`
 * holds how often record i was drawn in this resample (on the estimate: 1 each), so integer
 * counts can be formed per record or per group (`KeyGroups`) instead of per draw — counts do not
 * depend on the order they are summed in; floating-point sums do, so those stay in draw order.
 */
export function bootstrapVector(
  n: number,
  m: number,
  stat: (idx: Int32Array, out: Float64Array, mult: Int32Array) => void,
  opts: BootstrapOptions & { multiplicities?: boolean },
): BootstrapResult[] {
  return run(n, m, stat, opts, false);
}

function run(n: number, m: number, stat: (idx: Int32Array, out: Float64Array, mult: Int32Array) => void, opts: BootstrapOptions & { multiplicities?: boolean }, copy: boolean): BootstrapResult[] {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const counted = opts.multiplicities === true;
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const mult = new Int32Array(counted ? n : 0);
  const estimates = new Float64Array(m);
  stat(identity, estimates, counted ? mult.fill(1) : mult);
  mult.fill(0);

  const values = Array.from({ length: m }, () => new Float64Array(resamples));
  const out = new Float64Array(m);
  const idx = new Int32Array(n);
  // mulberry32 (stats/rng.ts) inlined: the same sequence as randomInt(mulberry32(seed), n) per
  // draw, without a closure call per element. x / 2^32 · n equals x · (n / 2^32): scaling by a
  // power of two is exact, so both round the same real product once.
  let a = opts.seed >>> 0;
  const scale = n / 4294967296;
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      idx[i] = Math.floor(((t ^ (t >>> 14)) >>> 0) * scale);
    }
    if (counted) for (let i = 0; i < n; i++) mult[idx[i]]++;
    if (n > 0) stat(copy ? idx.slice() : idx, out, mult);
    else out.fill(NaN);
    if (counted) mult.fill(0);
    for (let s = 0; s < m; s++) values[s][r] = out[s];
  }
  const alpha = (1 - level) / 2;
  return Array.from(estimates, (estimate, s) => {
    // Skip NaN only: an infinite statistic is a real (extreme) value and must widen the interval.
    const sorted = values[s].filter((v) => !Number.isNaN(v)).sort();
    return { estimate, lo: quantile(sorted, alpha), hi: quantile(sorted, 1 - alpha), resamples, valid: sorted.length, seed: opts.seed };
  });
}

/**
 * Records grouped by an integer key in 0..K−1 (a counting sort, once), so a resample's count per
 * key is a sum of multiplicities over each group: sequential reads and one accumulator per key
 * instead of a read-modify-write of a counter per draw. Keys outside 0..K−1 are left out.
 */
export class KeyGroups {
  readonly order: Int32Array;
  readonly offsets: Int32Array;
  constructor(
    keys: ArrayLike<number>,
    readonly size: number,
  ) {
    const offsets = new Int32Array(size + 1);
    for (let i = 0; i < keys.length; i++) if (keys[i] >= 0 && keys[i] < size) offsets[keys[i] + 1]++;
    for (let c = 0; c < size; c++) offsets[c + 1] += offsets[c];
    const order = new Int32Array(offsets[size]);
    const at = offsets.slice(0, size);
    for (let i = 0; i < keys.length; i++) if (keys[i] >= 0 && keys[i] < size) order[at[keys[i]]++] = i;
    this.order = order;
    this.offsets = offsets;
  }

  /** out[c] = Σ mult[i] over the records with key c. */
  sum(mult: Int32Array, out: Float64Array): Float64Array {
    const { order, offsets } = this;
    for (let c = 0; c < this.size; c++) {
      let s = 0;
      for (let p = offsets[c]; p < offsets[c + 1]; p++) s += mult[order[p]];
      out[c] = s;
    }
    return out;
  }
}

// ---------------------------------------------------------------- helpers for tight statistics

/**
 * Confusion cell per record, label·k + pred; −1 when either is outside 0..k−1 (skipped, as
 * stats/classification's confusionMatrix skips it). Counting cells over drawn indices gives the
 * resample's confusion matrix without copying labels and predictions.
 */
export function confusionCells(labels: ArrayLike<number>, preds: ArrayLike<number>, k: number): Int32Array {
  const out = new Int32Array(labels.length);
  for (let r = 0; r < labels.length; r++) {
    const t = labels[r];
    const p = preds[r];
    out[r] = t < 0 || t >= k || p < 0 || p >= k ? -1 : t * k + p;
  }
  return out;
}

/** Macro-F1 (CONTRACT, stats/classification) of k·k cell counts laid out as confusionCells numbers them. */
export function macroF1OfCounts(counts: ArrayLike<number>, k: number): number {
  return macroF1(Array.from({ length: k }, (_, t) => Array.from({ length: k }, (_, p) => counts[t * k + p])));
}
