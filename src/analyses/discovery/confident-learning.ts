/**
 * Confident-learning label-issue detection (Northcutt, Jiang & Chuang 2021), on one pool of
 * records. Per-class threshold t_j = mean p_j over the records labelled j. A record labelled y is
 * a candidate when some class j ≠ y has p_j ≥ t_j and p_j > p_y; the suggested label is the most
 * probable such j. Candidates are ranked by self-confidence p_y, lowest first (cleanlab's default);
 * ties by the normalised margin p_y − max_{j≠y} p_j, then dataset order.
 */

export interface LabelIssue {
  index: number;
  given: number;
  suggested: number;
  /** p(given label). */
  selfConfidence: number;
  /** p(suggested label). */
  suggestedConfidence: number;
  /** p_y − max_{j≠y} p_j (negative for a candidate). */
  margin: number;
}

export interface LabelIssueResult {
  /** t_j per class; NaN when no record of the pool is labelled j (then j is never suggested). */
  thresholds: Float64Array;
  /** Records labelled j in the pool. */
  support: Int32Array;
  /** Worst first. */
  issues: LabelIssue[];
}

/**
 * @param probs n·k row-major probabilities over all records
 * @param labels class index per record (-1 = none)
 * @param rows the pool: indices of scorable, labelled records
 */
export function confidentLearning(probs: Float32Array, labels: ArrayLike<number>, k: number, rows: ArrayLike<number>): LabelIssueResult {
  const sums = new Float64Array(k);
  const support = new Int32Array(k);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const y = labels[i];
    if (y < 0) continue;
    sums[y] += probs[i * k + y];
    support[y]++;
  }
  const thresholds = Float64Array.from(sums, (s, j) => (support[j] > 0 ? s / support[j] : NaN));
  const issues: LabelIssue[] = [];
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const y = labels[i];
    if (y < 0) continue;
    const o = i * k;
    const py = probs[o + y];
    let other = -Infinity;
    for (let j = 0; j < k; j++) if (j !== y && probs[o + j] > other) other = probs[o + j];
    // A candidate needs some p_j > p_y: when the given label is the top class, nothing more to check.
    if (!(other > py)) continue;
    let best = -1;
    let pBest = -Infinity;
    for (let j = 0; j < k; j++) {
      if (j === y) continue;
      const pj = probs[o + j];
      // NaN thresholds compare false: a class nobody is labelled with is never suggested.
      if (pj >= thresholds[j] && pj > py && (best < 0 || pj > pBest)) {
        best = j;
        pBest = pj;
      }
    }
    if (best >= 0) issues.push({ index: i, given: y, suggested: best, selfConfidence: py, suggestedConfidence: pBest, margin: py - other });
  }
  issues.sort((a, b) => a.selfConfidence - b.selfConfidence || a.margin - b.margin || a.index - b.index);
  return { thresholds, support, issues };
}
