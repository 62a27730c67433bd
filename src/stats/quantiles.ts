/**
 * Quantiles with numpy's default ("linear", R type 7) interpolation, so numbers in the report
 * match what a user gets from `np.quantile` on the scores file.
 */

/** Finite values of `values` (NaN and ±Infinity removed), sorted ascending, as a new array. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out.push(v);
  }
  // Float64Array.sort is numeric (not lexicographic like Array.prototype.sort).
  return Float64Array.from(out).sort();
}

/**
 * Quantile `q` ∈ [0, 1] of an already ascending-sorted array, interpolating linearly between
 * order statistics at position (n − 1)·q. NaN for an empty array or q outside [0, 1].
 */
export function quantile(sortedAsc: ArrayLike<number>, q: number): number {
  const n = sortedAsc.length;
  if (n === 0 || !(q >= 0 && q <= 1)) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  const a = sortedAsc[lo]!;
  const b = sortedAsc[hi]!;
  if (frac === 0 || a === b) return a; // exact, and avoids inf − inf
  // numpy's two-sided lerp: interpolate from the nearer end so the result stays monotone in q.
  return frac < 0.5 ? a + (b - a) * frac : b - (b - a) * (1 - frac);
}

/**
 * Several quantiles of unsorted `values`. NaN entries are ignored (±Infinity are kept as real
 * order statistics); the input is not mutated.
 */
export function quantiles(values: ArrayLike<number>, qs: number[]): number[] {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) kept.push(v);
  }
  const sorted = Float64Array.from(kept).sort();
  return qs.map((q) => quantile(sorted, q));
}
