/**
 * Which classes the per-class charts and table show when there are too many to read (ImageNet's
 * thousand): a 1 000 × 1 000 confusion heatmap is a million cells that no one can read (and
 * that vega cannot draw), a thousand lines are a blot. Up to each limit every class is shown, so
 * runs with few classes are unchanged; beyond it the classes that need a look, and summary.json
 * keeps every class.
 */
import { marginals, type ClassMetrics } from '../stats/classification.ts';

/** Classes a confusion heatmap shows: 30 keeps the cells large enough to carry their counts. */
export const MAX_MATRIX_CLASSES = 30;
/** Classes the per-class accuracy chart draws as lines. */
export const MAX_CURVE_CLASSES = 12;
/** Class rows of the per-class table. */
export const MAX_CLASS_ROWS = 100;

const all = (k: number) => Array.from({ length: k }, (_, c) => c);

/**
 * The `limit` classes with the most confused records — off the diagonal in their row (given label)
 * or column (prediction) — in class order; ties by class order. Every class when k ≤ limit.
 */
export function mostConfusedClasses(matrix: number[][], sums = marginals(matrix), limit = MAX_MATRIX_CLASSES): number[] {
  const k = matrix.length;
  if (k <= limit) return all(k);
  // Off the diagonal: the row and column sums less the diagonal cell, counted in both.
  const off = Float64Array.from({ length: k }, (_, c) => sums.support[c] + sums.predicted[c] - 2 * matrix[c][c]);
  return all(k)
    .sort((a, b) => off[b] - off[a] || a - b)
    .slice(0, limit)
    .sort((a, b) => a - b);
}

/**
 * The classes whose accuracy curves are drawn: every class when k ≤ limit; else the forgotten ones,
 * then the late ones, then the least accurate at the final checkpoint (classes without records
 * last; ties by class order), `limit` in all, in class order.
 */
export function curveClasses(finalAccuracy: readonly number[], flagged: readonly number[], limit = MAX_CURVE_CLASSES): number[] {
  const k = finalAccuracy.length;
  if (k <= limit) return all(k);
  const acc = (c: number) => (Number.isFinite(finalAccuracy[c]) ? finalAccuracy[c] : Infinity);
  const rest = all(k).sort((a, b) => acc(a) - acc(b) || a - b);
  return [...new Set([...flagged, ...rest])].slice(0, limit).sort((a, b) => a - b);
}

/**
 * The classes of the per-class table: every class in class order when k ≤ limit; else the `limit`
 * with the lowest F1 (then more records first, then class order), worst first — classes with
 * neither records nor predictions last (their F1 of 0 says nothing; the macro average leaves them
 * out too). `predicted`: predictions per class.
 */
export function tableClasses(metrics: readonly ClassMetrics[], predicted: ArrayLike<number>, limit = MAX_CLASS_ROWS): number[] {
  const k = metrics.length;
  if (k <= limit) return all(k);
  const absent = (c: number) => (metrics[c].support === 0 && predicted[c] === 0 ? 1 : 0);
  return all(k)
    .sort((a, b) => absent(a) - absent(b) || metrics[a].f1 - metrics[b].f1 || metrics[b].support - metrics[a].support || a - b)
    .slice(0, limit);
}

/** Rows and columns `shown` of a square matrix. */
export function subMatrix<T>(matrix: T[][], shown: readonly number[]): T[][] {
  return shown.map((t) => shown.map((p) => matrix[t][p]));
}
