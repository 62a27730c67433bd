/**
 * Seeded percentile bootstrap for confidence intervals on any statistic of the sample indices.
 * The statistic receives index arrays (not copied data) so callers keep their typed arrays.
 */
import { quantile } from './quantiles.ts';
import { mulberry32, randomInt } from './rng.ts';

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

/**
 * Percentile bootstrap interval: draw `resamples` index sets of size n with replacement, evaluate
 * `stat` on each, and take the (1−level)/2 and (1+level)/2 quantiles (numpy "linear"). lo/hi are
 * NaN when every resample gives NaN.
 */
export function bootstrapCI(
  n: number,
  stat: (idx: Int32Array) => number,
  opts: BootstrapOptions,
): BootstrapResult {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const estimate = stat(identity);

  const rng = mulberry32(opts.seed);
  const values = new Float64Array(resamples);
  const idx = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) idx[i] = randomInt(rng, n);
    // A fresh copy per call: stat may keep or mutate what it is given.
    values[r] = n > 0 ? stat(idx.slice()) : NaN;
  }
  // Skip NaN only: an infinite statistic is a real (extreme) value and must widen the interval.
  const sorted = values.filter((v) => !Number.isNaN(v)).sort();
  const alpha = (1 - level) / 2;
  return {
    estimate,
    lo: quantile(sorted, alpha),
    hi: quantile(sorted, 1 - alpha),
    resamples,
    valid: sorted.length,
    seed: opts.seed,
  };
}
