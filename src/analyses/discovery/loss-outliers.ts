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
import { quantiles } from '../../stats/quantiles.ts';
import { median, robustZ } from '../../stats/robust.ts';

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
  const z = new Float64Array(n).fill(NaN);
  const flagged = new Uint8Array(n);
  // Numeric (split, label) keys: no string per record at a million records. Groups keep the
  // order of first appearance and are sorted below either way.
  let maxLabel = 0;
  for (let i = 0; i < n; i++) if (labels[i] > maxLabel) maxLabel = labels[i];
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(loss[i]) || labels[i] < 0) continue;
    const key = split[i] * (maxLabel + 1) + labels[i];
    const list = members.get(key);
    if (list) list.push(i);
    else members.set(key, [i]);
  }
  const groups: OutlierGroup[] = [];
  for (const idx of members.values()) {
    const t = idx.map((i) => negLogOdds(loss[i]));
    const zs = robustZ(t);
    let count = 0;
    idx.forEach((i, r) => {
      z[i] = zs[r];
      if (zs[r] > k && loss[i] > MIN_FLAG_LOSS) {
        flagged[i] = 1;
        count++;
      }
    });
    const threshold = cutoff(t, zs, k);
    groups.push({ split: split[idx[0]], label: labels[idx[0]], n: idx.length, flagged: count, thresholdLoss: threshold, ...lossStats(idx.map((i) => loss[i])) });
  }
  groups.sort((a, b) => a.split - b.split || a.label - b.label);
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (flagged[i]) order.push(i);
  order.sort((a, b) => loss[b] - loss[a] || a - b);
  return { z, flagged, order, groups, k };
}

/** Recover the centre and scale robustZ used from any record with a finite, non-zero z. */
function cutoff(t: number[], zs: Float64Array, k: number): number {
  const m = median(t);
  const r = zs.findIndex((v) => Number.isFinite(v) && v !== 0);
  if (r < 0) return Infinity;
  const scale = (t[r] - m) / zs[r];
  return Math.max(MIN_FLAG_LOSS, softplus(m + k * scale));
}

/** Quantiles and worst-1 % loss share of one group's (finite) losses. */
export function lossStats(values: number[]): { p50: number; p90: number; p99: number; max: number; worstShare: number } {
  const sorted = Float64Array.from(values).sort();
  const [p50, p90, p99] = quantiles(sorted, [0.5, 0.9, 0.99]);
  let total = 0;
  for (const v of sorted) total += v;
  const worst = Math.max(1, Math.ceil(sorted.length * 0.01));
  let worstSum = 0;
  for (let i = sorted.length - worst; i < sorted.length; i++) worstSum += sorted[i];
  return { p50, p90, p99, max: sorted.length ? sorted[sorted.length - 1] : NaN, worstShare: total > 0 ? worstSum / total : 0 };
}
