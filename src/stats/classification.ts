/**
 * Confusion-matrix based classification metrics. Everything derives from the matrix so the
 * report's per-class table, macro F1 and confusion chart can never disagree.
 */

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** number of samples whose true label is this class. */
  support: number;
}

/**
 * k×k counts, `matrix[true][pred]`. Pairs with a label or prediction outside 0..k−1 (e.g. −1 for
 * "unlabelled" or "unscorable") are skipped; callers count those separately.
 */
export function confusionMatrix(labels: Int32Array, preds: Int32Array, k: number): number[][] {
  if (labels.length !== preds.length) {
    throw new RangeError(`labels (${labels.length}) and preds (${preds.length}) differ in length`);
  }
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = preds[i]!;
    if (t < 0 || t >= k || p < 0 || p >= k) continue;
    m[t]![p]!++;
  }
  return m;
}

/**
 * Row sums (support) and column sums (predictions) of a square matrix in one row-major pass. Each
 * sum is added in index order, as a loop down the column adds it — the same bits, without reading
 * a column across k row arrays (at 5 000 classes that read took seconds per call).
 */
export function marginals(matrix: number[][]): { support: Float64Array; predicted: Float64Array } {
  const k = matrix.length;
  const support = new Float64Array(k);
  const predicted = new Float64Array(k);
  for (let t = 0; t < k; t++) {
    const row = matrix[t]!;
    let s = 0;
    for (let j = 0; j < k; j++) {
      s += row[j]!;
      predicted[j] += row[j]!;
    }
    support[t] = s;
  }
  return { support, predicted };
}

/**
 * Per-class precision, recall and F1 from a confusion matrix. Undefined ratios are 0 (as sklearn
 * with zero_division=0): precision 0 with no predictions, recall 0 with no support, F1 0 when p+r=0.
 */
export function perClassMetrics(matrix: number[][], sums = marginals(matrix)): ClassMetrics[] {
  const k = matrix.length;
  const out: ClassMetrics[] = [];
  for (let c = 0; c < k; c++) {
    const tp = matrix[c]![c]!;
    const support = sums.support[c]!;
    const predicted = sums.predicted[c]!;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    out.push({ precision, recall, f1, support });
  }
  return out;
}

/**
 * Macro F1 per CONTRACT: unweighted mean of per-class F1, excluding classes with neither support
 * nor predictions (they carry no evidence either way); a class with support but no predictions
 * counts with F1 0. NaN when no class qualifies.
 */
export function macroF1(matrix: number[][], sums = marginals(matrix)): number {
  const per = perClassMetrics(matrix, sums);
  let sum = 0;
  let n = 0;
  per.forEach((m, c) => {
    if (m.support === 0 && sums.predicted[c] === 0) return;
    sum += m.f1;
    n++;
  });
  return n > 0 ? sum / n : NaN;
}

/**
 * Macro-F1 from per-class counts of the confusion matrix: true positives (diagonal), support (row
 * sums) and predictions (column sums). The same arithmetic as stats/classification's
 * perClassMetrics + macroF1, so equal counts give the identical number — without k² cells.
 */
export function macroF1OfClassCounts(tp: ArrayLike<number>, support: ArrayLike<number>, predicted: ArrayLike<number>, k: number): number {
  let sum = 0;
  let n = 0;
  for (let c = 0; c < k; c++) {
    if (support[c] === 0 && predicted[c] === 0) continue;
    const precision = predicted[c] > 0 ? tp[c] / predicted[c] : 0;
    const recall = support[c] > 0 ? tp[c] / support[c] : 0;
    sum += precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    n++;
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * The diagonal, row sums and column sums of confusionMatrix(labels, preds, k) — true positives,
 * support and predictions per class — counted in O(n + k), without its k² cells (at 15 000
 * classes one matrix is 1.8 GB of heap). Integer counts: equal to the matrix's sums exactly.
 */
export function classCounts(labels: Int32Array, preds: Int32Array, k: number): { tp: Float64Array; support: Float64Array; predicted: Float64Array } {
  if (labels.length !== preds.length) {
    throw new RangeError(`labels (${labels.length}) and preds (${preds.length}) differ in length`);
  }
  const tp = new Float64Array(k);
  const support = new Float64Array(k);
  const predicted = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = preds[i]!;
    if (t < 0 || t >= k || p < 0 || p >= k) continue;
    support[t]++;
    predicted[p]++;
    if (t === p) tp[t]++;
  }
  return { tp, support, predicted };
}

/** macroF1(confusionMatrix(labels, preds, k)), the same number, from classCounts. */
export function macroF1Of(labels: Int32Array, preds: Int32Array, k: number): number {
  const { tp, support, predicted } = classCounts(labels, preds, k);
  return macroF1OfClassCounts(tp, support, predicted, k);
}

/** Support-weighted mean of per-class F1 (sklearn's average="weighted"); NaN with no support. */
export function weightedF1(matrix: number[][], sums = marginals(matrix)): number {
  let sum = 0;
  let total = 0;
  for (const m of perClassMetrics(matrix, sums)) {
    sum += m.f1 * m.support;
    total += m.support;
  }
  return total > 0 ? sum / total : NaN;
}

/**
 * Fraction of pairs with pred === label. Pairs with a negative label or prediction (the −1
 * "unlabelled"/"unscorable" marker) are skipped, matching confusionMatrix so that accuracy equals
 * trace/sum of the matrix. NaN when no pair is left.
 */
export function accuracy(labels: Int32Array, preds: Int32Array): number {
  if (labels.length !== preds.length) {
    throw new RangeError(`labels (${labels.length}) and preds (${preds.length}) differ in length`);
  }
  let hit = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! < 0 || preds[i]! < 0) continue;
    n++;
    if (labels[i] === preds[i]) hit++;
  }
  return n > 0 ? hit / n : NaN;
}
