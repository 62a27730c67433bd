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
  let below = 0;
  let above = 0;
  let nan = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) nan++;
    else if (v < first) below++;
    else if (v > last) above++;
    else if (v === last) counts[bins - 1]!++;
    else counts[upperBound(edges, v) - 1]!++;
  }
  return { counts, below, above, nan };
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
