/**
 * Reliability bins and calibration errors. CONTRACT fixes the headline ECE: 15 equal-width bins
 * (a, b] of top-label confidence, the first bin including 0, empty bins skipped.
 */
import { brier, nll, topLabel } from './losses.ts';

export interface CalibrationBin {
  /** lower end (exclusive, except 0 in the first equal-width bin). Adaptive bins: min confidence. */
  lo: number;
  /** upper end (inclusive). Adaptive bins: max confidence in the bin. */
  hi: number;
  count: number;
  /** mean of `correct` in the bin; NaN when empty. */
  accuracy: number;
  /** mean confidence in the bin; NaN when empty. */
  confidence: number;
}

export interface CalibrationSummary {
  ece: number;
  mce: number;
  adaptiveEce: number;
  classwiseEce: number;
  brier: number;
  nll: number;
  bins: CalibrationBin[];
  adaptiveBins: CalibrationBin[];
}

function toBin(lo: number, hi: number, count: number, sumCorrect: number, sumConf: number): CalibrationBin {
  return {
    lo,
    hi,
    count,
    accuracy: count > 0 ? sumCorrect / count : NaN,
    confidence: count > 0 ? sumConf / count : NaN,
  };
}

/**
 * Equal-width reliability bins over [0, 1]. Bin m is (m/B, (m+1)/B]; bin 0 also takes 0 (and
 * anything below), the last bin takes 1.0 (and anything above, e.g. float32 sums a hair over 1).
 * A confidence exactly on an edge m/B falls in the bin ending at it. NaN confidences are skipped.
 * Edges are computed as m/B (correctly rounded) and compared directly, not via ceil(c·B), whose
 * product rounding could push an on-edge value into the next bin.
 */
export function equalWidthBins(
  conf: ArrayLike<number>,
  correct: ArrayLike<number | boolean>,
  nBins = 15,
): CalibrationBin[] {
  if (conf.length !== correct.length) throw new RangeError('conf and correct differ in length');
  const edges = Array.from({ length: nBins + 1 }, (_, m) => m / nBins);
  const count = new Array<number>(nBins).fill(0);
  const sumCorrect = new Array<number>(nBins).fill(0);
  const sumConf = new Array<number>(nBins).fill(0);
  for (let i = 0; i < conf.length; i++) {
    const c = conf[i]!;
    if (Number.isNaN(c)) continue;
    // First edge ≥ c, found by binary search over edges[1..nBins-1]; values past them go last.
    let lo = 0;
    let hi = nBins - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c <= edges[mid + 1]!) hi = mid;
      else lo = mid + 1;
    }
    count[lo]!++;
    sumCorrect[lo]! += Number(correct[i]);
    sumConf[lo]! += c;
  }
  return count.map((n, m) => toBin(edges[m]!, edges[m + 1]!, n, sumCorrect[m]!, sumConf[m]!));
}

/**
 * Adaptive (equal-mass) bins: samples sorted by confidence, then split into `nBins` consecutive
 * groups whose sizes differ by at most one, the larger groups first (numpy.array_split). Ties are
 * ordered by sample index (stable), so equal confidences may straddle two bins — deterministic and
 * keeps the masses equal. lo/hi are the min/max confidence in each group; with fewer samples than
 * bins, the trailing groups are empty (count 0, NaN everywhere). NaN confidences are skipped.
 */
export function equalMassBins(
  conf: ArrayLike<number>,
  correct: ArrayLike<number | boolean>,
  nBins = 15,
): CalibrationBin[] {
  if (conf.length !== correct.length) throw new RangeError('conf and correct differ in length');
  const order: number[] = [];
  for (let i = 0; i < conf.length; i++) if (!Number.isNaN(conf[i]!)) order.push(i);
  order.sort((a, b) => conf[a]! - conf[b]! || a - b);
  const n = order.length;
  const base = Math.floor(n / nBins);
  const extra = n % nBins;
  const bins: CalibrationBin[] = [];
  let start = 0;
  for (let g = 0; g < nBins; g++) {
    const size = base + (g < extra ? 1 : 0);
    let sumCorrect = 0;
    let sumConf = 0;
    for (let j = start; j < start + size; j++) {
      sumCorrect += Number(correct[order[j]!]);
      sumConf += conf[order[j]!]!;
    }
    const lo = size > 0 ? conf[order[start]!]! : NaN;
    const hi = size > 0 ? conf[order[start + size - 1]!]! : NaN;
    bins.push(toBin(lo, hi, size, sumCorrect, sumConf));
    start += size;
  }
  return bins;
}

/**
 * Expected calibration error Σ |B|/n · |acc(B) − conf(B)| over non-empty bins. `n` defaults to
 * the total binned count; NaN when it is 0.
 */
export function ece(bins: CalibrationBin[], n?: number): number {
  const total = n ?? bins.reduce((s, b) => s + b.count, 0);
  if (!(total > 0)) return NaN;
  let sum = 0;
  for (const b of bins) if (b.count > 0) sum += (b.count / total) * Math.abs(b.accuracy - b.confidence);
  return sum;
}

/** Maximum calibration error: max |acc − conf| over non-empty bins; NaN when all are empty. */
export function mce(bins: CalibrationBin[]): number {
  let max = NaN;
  for (const b of bins) {
    if (b.count === 0) continue;
    const gap = Math.abs(b.accuracy - b.confidence);
    if (!(gap <= max)) max = gap; // first non-empty bin replaces the initial NaN
  }
  return max;
}

/** Indices of samples whose label is in 0..k−1 (others have no defined correctness). */
function validRows(labels: Int32Array, k: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && labels[i]! < k) rows.push(i);
  return rows;
}

/**
 * Class-wise ECE: for every class c, the equal-width ECE of p_c against 1[label = c] over all
 * samples with a valid label; then the unweighted mean over the k classes.
 */
export function classwiseEce(probs: Float32Array, labels: Int32Array, k: number, nBins = 15): number {
  const rows = validRows(labels, k);
  if (rows.length === 0 || k === 0) return NaN;
  const conf = new Float64Array(rows.length);
  const hit = new Uint8Array(rows.length);
  let sum = 0;
  for (let c = 0; c < k; c++) {
    rows.forEach((i, r) => {
      conf[r] = probs[i * k + c]!;
      hit[r] = labels[i] === c ? 1 : 0;
    });
    sum += ece(equalWidthBins(conf, hit, nBins));
  }
  return sum / k;
}

/**
 * Everything the calibration section needs from one probability matrix: top-label ECE/MCE
 * (CONTRACT), adaptive ECE, class-wise ECE, Brier and NLL. Samples with an out-of-range label are
 * left out of every number.
 */
export function calibrationSummary(
  probs: Float32Array,
  labels: Int32Array,
  k: number,
  nBins = 15,
): CalibrationSummary {
  const { pred, conf } = topLabel(probs, k);
  const rows = validRows(labels, k);
  const c = new Float64Array(rows.length);
  const hit = new Uint8Array(rows.length);
  rows.forEach((i, r) => {
    c[r] = conf[i]!;
    hit[r] = pred[i] === labels[i] ? 1 : 0;
  });
  const bins = equalWidthBins(c, hit, nBins);
  const adaptiveBins = equalMassBins(c, hit, nBins);
  return {
    ece: ece(bins),
    mce: mce(bins),
    adaptiveEce: ece(adaptiveBins),
    classwiseEce: classwiseEce(probs, labels, k, nBins),
    brier: brier(probs, labels, k),
    nll: nll(probs, labels, k),
    bins,
    adaptiveBins,
  };
}
