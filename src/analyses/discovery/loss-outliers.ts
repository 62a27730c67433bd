/**
 * The loss-outlier rule. Per split and per given class, each record's loss ℓ is mapped to the
 * negative log-odds of its given label, t = ln(e^ℓ − 1) = ln((1 − p)/p), and flagged when
 *
 *   robust z = (t − median t) / (1.4826 · MAD t) > k   and   ℓ > ln 2 (p(label) < 0.5).
 *
 * Why t and not ℓ or ln ℓ: for well-fitted records t ≈ ln ℓ (confidence varies multiplicatively,
 * so a log is the right scale), for badly fitted ones t ≈ ℓ (loss adds). Plain ℓ is so skewed
 * that the MAD flags every mildly uncertain record; ln ℓ stretches the irrelevant near-zero end so
 * much that the fence lands beyond any real loss. The ln 2 floor keeps a record whose label the
 * model still finds more likely than not from being flagged when a group's spread is tiny.
 */
import { quantile, sortFloat32 } from '../../stats/quantiles.ts';
import { robustCenterScale, zScores } from '../../stats/robust.ts';

/** float32 cannot resolve 1 − p below 2^-24, so smaller losses are rounding noise. */
export const LOSS_FLOOR = 2 ** -24;
export const MIN_FLAG_LOSS = Math.LN2;

/** ℓ → ln(e^ℓ − 1), the negative log-odds of the given label; NaN stays NaN. */
export function negLogOdds(loss: number): number {
  if (Number.isNaN(loss)) return NaN;
  const l = Math.max(loss, LOSS_FLOOR);
  return l > 30 ? l : Math.log(Math.expm1(l));
}

/** Inverse of negLogOdds: softplus(t) = ln(1 + e^t). */
export function softplus(t: number): number {
  return t > 30 ? t : Math.log1p(Math.exp(t));
}

export interface OutlierGroup {
  split: number;
  label: number;
  n: number;
  flagged: number;
  /** The rule's cut-off in loss units: max(ln 2, softplus(median t + k·scale)); Infinity when the group has no spread. */
  thresholdLoss: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Share of the group's total loss carried by its worst 1 % (at least one record). */
  worstShare: number;
}

export interface LossOutliers {
  /** Robust z per record (NaN for records without a loss). */
  z: Float64Array;
  flagged: Uint8Array;
  /** Flagged record indices, worst (highest loss) first; ties by dataset order. */
  order: number[];
  groups: OutlierGroup[];
  k: number;
}

/**
 * Apply the rule to every record with a finite loss, grouped by (split, label). Records with NaN
 * loss (unscorable or unlabelled) get z = NaN and are never flagged.
 */
export function lossOutliers(loss: ArrayLike<number>, labels: ArrayLike<number>, split: ArrayLike<number>, k: number): LossOutliers {
  const n = loss.length;
  const grouped = groupRecords(loss, labels, split);
  const { starts, pos, lossG } = grouped;
  // Work in group order (each group contiguous, sequential memory access), with scratch sized for
  // the largest group and reused: at a million records every big allocation also costs GC time.
  let largest = 0;
  for (let g = 0; g + 1 < starts.length; g++) largest = Math.max(largest, starts[g + 1] - starts[g]);
  const t = new Float64Array(largest);
  const select = new Float64Array(largest);
  const sortScratch = new Uint32Array(2 * largest);
  const zG = new Float64Array(lossG.length);
  const groups: OutlierGroup[] = [];
  for (let g = 0; g + 1 < starts.length; g++) {
    const from = starts[g];
    const m = starts[g + 1] - from;
    if (m === 0) continue;
    const lg = lossG.subarray(from, from + m);
    const tg = t.subarray(0, m);
    for (let r = 0; r < m; r++) tg[r] = negLogOdds(lg[r]);
    const { center, scale } = robustCenterScale(tg, select);
    const zg = zScores(tg, center, scale, zG.subarray(from, from + m));
    let count = 0;
    for (let r = 0; r < m; r++) if (zg[r] > k && lg[r] > MIN_FLAG_LOSS) count++;
    const sorted = lg instanceof Float32Array ? sortFloat32(lg, sortScratch) : Float64Array.from(lg).sort();
    groups.push({ split: grouped.splitOf(g), label: grouped.labelOf(g), n: m, flagged: count, thresholdLoss: cutoff(tg, zg, center, k), ...sortedLossStats(sorted) });
  }
  const z = new Float64Array(n);
  const flagged = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = pos[i];
    if (p < 0) {
      z[i] = NaN;
      continue;
    }
    z[i] = zG[p];
    if (zG[p] > k && lossG[p] > MIN_FLAG_LOSS) flagged[i] = 1;
  }
  // Group keys ascend with (split, label), so groups are already in that order.
  return { z, flagged, order: byLossDescending(flagged, loss), groups, k };
}

/**
 * Records with a loss and a label, grouped by (split, label) with a counting sort on a numeric key
 * (no string or JS array per record at a million records). Group g holds positions starts[g] ..
 * starts[g + 1] of the group order (records in dataset order within a group, groups ascending by
 * (split, label)); pos[i] is record i's position (-1 when not grouped) and lossG[pos[i]] its loss.
 */
function groupRecords(loss: ArrayLike<number>, labels: ArrayLike<number>, split: ArrayLike<number>) {
  const n = loss.length;
  let maxLabel = 0;
  let minSplit = Infinity;
  let maxSplit = -Infinity;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(loss[i]) || labels[i] < 0) continue;
    if (labels[i] > maxLabel) maxLabel = labels[i];
    if (split[i] < minSplit) minSplit = split[i];
    if (split[i] > maxSplit) maxSplit = split[i];
  }
  const width = maxLabel + 1;
  const keys = minSplit <= maxSplit ? (maxSplit - minSplit + 1) * width : 0;
  const pos = new Int32Array(n).fill(-1);
  const starts = new Int32Array(keys + 1);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(loss[i]) || labels[i] < 0) continue;
    pos[i] = (split[i] - minSplit) * width + labels[i];
    starts[pos[i] + 1]++;
  }
  for (let g = 0; g < keys; g++) starts[g + 1] += starts[g];
  const lossG = loss instanceof Float32Array ? new Float32Array(starts[keys]) : new Float64Array(starts[keys]);
  const next = starts.slice(0, keys);
  for (let i = 0; i < n; i++) {
    if (pos[i] < 0) continue;
    const p = next[pos[i]]++;
    pos[i] = p;
    lossG[p] = loss[i];
  }
  return { starts, pos, lossG, splitOf: (g: number) => minSplit + Math.floor(g / width), labelOf: (g: number) => g % width };
}

/** Recover the scale robustZ used from any record with a finite, non-zero z (as the rule always has). */
function cutoff(t: Float64Array, zs: Float64Array, m: number, k: number): number {
  let r = 0;
  while (r < zs.length && !(Number.isFinite(zs[r]) && zs[r] !== 0)) r++;
  if (r === zs.length) return Infinity;
  const scale = (t[r] - m) / zs[r];
  return Math.max(MIN_FLAG_LOSS, softplus(m + k * scale));
}

/**
 * Indices with flagged[i] = 1 by descending loss, ties by dataset order. For float32 losses each
 * (loss, rank in dataset order) pair is packed into one exact float64 sort key, so the native
 * numeric sort does the work (no comparator call per comparison).
 */
function byLossDescending(flagged: Uint8Array, loss: ArrayLike<number>): number[] {
  const order: number[] = [];
  for (let i = 0; i < flagged.length; i++) if (flagged[i]) order.push(i);
  const rankBits = Math.ceil(Math.log2(order.length + 1));
  if (!(loss instanceof Float32Array) || 32 + rankBits > 53) return order.sort((a, b) => loss[b] - loss[a] || a - b);
  const bits = new Uint32Array(loss.buffer, loss.byteOffset, loss.length);
  const scale = 2 ** rankBits;
  const packed = new Float64Array(order.length);
  // Flagged losses are > ln 2 (positive, not NaN), where larger float bits mean a larger loss.
  for (let r = 0; r < order.length; r++) packed[r] = (0xffffffff - bits[order[r]]) * scale + r;
  packed.sort();
  return Array.from(packed, (key) => order[key % scale]);
}

/** Quantiles and worst-1 % loss share of one group's losses, sorted ascending (NaN-free); sums run in that order. */
function sortedLossStats(sorted: ArrayLike<number>): { p50: number; p90: number; p99: number; max: number; worstShare: number } {
  const [p50, p90, p99] = [0.5, 0.9, 0.99].map((q) => quantile(sorted, q));
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i];
  const worst = Math.max(1, Math.ceil(sorted.length * 0.01));
  let worstSum = 0;
  for (let i = sorted.length - worst; i < sorted.length; i++) worstSum += sorted[i];
  return { p50, p90, p99, max: sorted.length ? sorted[sorted.length - 1] : NaN, worstShare: total > 0 ? worstSum / total : 0 };
}
