/**
 * Fixed-edge histograms. Counts outside the edges and NaNs are reported separately so that a
 * chart never silently drops records (DESIGN: "nothing is silently dropped").
 */

export interface Histogram {
  /** counts[i] = values in [edges[i], edges[i+1]); the last bin is closed on the right. */
  counts: number[];
  /** values < edges[0] (including −Infinity). */
  below: number;
  /** values > edges[last] (including +Infinity). */
  above: number;
  /** NaN values. */
  nan: number;
}

/** `bins + 1` evenly spaced edges from `min` to `max`; the end points are exact. */
export function linearEdges(min: number, max: number, bins: number): number[] {
  checkBins(bins);
  const edges: number[] = [];
  // Computed from the index (not by repeated addition) so rounding error does not accumulate.
  for (let i = 0; i <= bins; i++) edges.push(i === bins ? max : min + ((max - min) * i) / bins);
  return edges;
}

/** `bins + 1` geometrically spaced edges from `min` to `max` (both > 0); end points exact. */
export function logEdges(min: number, max: number, bins: number): number[] {
  checkBins(bins);
  if (!(min > 0 && max > 0)) throw new RangeError(`logEdges needs min > 0 and max > 0, got ${min}, ${max}`);
  const lmin = Math.log(min);
  const lmax = Math.log(max);
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    edges.push(i === 0 ? min : i === bins ? max : Math.exp(lmin + ((lmax - lmin) * i) / bins));
  }
  return edges;
}

/**
 * Count `values` into bins defined by ascending `edges` (length ≥ 2). Bins are half-open
 * [e_i, e_{i+1}) except the last, which also includes its right edge.
 */
export function histogram(values: ArrayLike<number>, edges: number[]): Histogram {
  if (edges.length < 2) throw new RangeError('histogram needs at least 2 edges');
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const first = edges[0]!;
  const last = edges[bins]!;
  // Evenly spaced edges: guess the bin arithmetically, then step to the exact one (same counts as
  // the binary search, in about one comparison instead of log2(bins)).
  const step = evenStep(edges);
  let below = 0;
  let above = 0;
  let nan = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) nan++;
    else if (v < first) below++;
    else if (v > last) above++;
    else if (v === last) counts[bins - 1]!++;
    else counts[step > 0 ? stepToBin(edges, v, Math.min(bins - 1, Math.floor((v - first) / step))) : upperBound(edges, v) - 1]!++;
  }
  return { counts, below, above, nan };
}

/**
 * `histogram` of values already sorted ascending (NaN last), by binary search for each edge
 * instead of a search per value: O(bins · log n).
 */
export function histogramSorted(sorted: ArrayLike<number>, edges: number[]): Histogram {
  if (edges.length < 2) throw new RangeError('histogram needs at least 2 edges');
  const bins = edges.length - 1;
  let n = sorted.length;
  while (n > 0 && Number.isNaN(sorted[n - 1]!)) n--;
  // Values < e are the first countBelow(e); the last bin also takes values equal to its right edge.
  const countBelow = (e: number, orEqual: boolean) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < e || (orEqual && sorted[mid] === e)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const at = edges.map((e, b) => countBelow(e, b === bins));
  const counts = new Array<number>(bins);
  for (let b = 0; b < bins; b++) counts[b] = at[b + 1]! - at[b]!;
  return { counts, below: at[0]!, above: n - at[bins]!, nan: sorted.length - n };
}

/** The common width of evenly spaced edges (within rounding), else 0. */
function evenStep(edges: number[]): number {
  const bins = edges.length - 1;
  const step = (edges[bins]! - edges[0]!) / bins;
  if (!(step > 0 && Number.isFinite(step))) return 0;
  for (let b = 1; b < bins; b++) if (Math.abs(edges[b]! - (edges[0]! + step * b)) > step * 1e-6) return 0;
  return step;
}

/** The bin of v (edges[0] ≤ v < edges[last]) from a guess: the last b with edges[b] ≤ v. */
function stepToBin(edges: number[], v: number, b: number): number {
  if (b < 0) b = 0;
  while (b > 0 && edges[b]! > v) b--;
  while (edges[b + 1]! <= v) b++;
  return b;
}

/** Index of the first edge strictly greater than v (binary search; edges ascending). */
function upperBound(edges: number[], v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkBins(bins: number): void {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
}
