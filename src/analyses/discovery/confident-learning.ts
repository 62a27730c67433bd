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
  return { thresholds, support, issues: rankIssues(issues) };
}

/** The ranking: self-confidence ascending, ties by margin, then dataset order. */
export const byRank = (a: LabelIssue, b: LabelIssue): number => a.selfConfidence - b.selfConfidence || a.margin - b.margin || a.index - b.index;

/**
 * `issues` sorted by byRank, in place. A poor model makes most records candidates (a random one at
 * a million records: 180 000 per split), where a comparator sort cost ~0.2 s; here one native sort
 * of numeric keys — the self-confidence's float32 bits (exact: it is a stored probability, ≥ 0, so
 * larger bits mean a larger value) above the position — then byRank only within runs of equal
 * self-confidence. Same order as sorting with byRank.
 */
export function rankIssues(issues: LabelIssue[]): LabelIssue[] {
  const m = issues.length;
  const positionBits = Math.max(1, Math.ceil(Math.log2(m + 1)));
  if (32 + positionBits > 53) return issues.sort(byRank);
  const scale = 2 ** positionBits;
  const bits = new Uint32Array(1);
  const f32 = new Float32Array(bits.buffer);
  const keys = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    const c = issues[r].selfConfidence;
    f32[0] = c;
    if (!(c >= 0) || f32[0] !== c) return issues.sort(byRank); // not a stored probability: no exact key
    keys[r] = (c === 0 ? 0 : bits[0]) * scale + r; // −0 counts as 0, as byRank's subtraction does
  }
  keys.sort();
  const sorted = Array.from(keys, (key) => issues[key % scale]);
  for (let from = 0; from < m; ) {
    let to = from + 1;
    while (to < m && sorted[to].selfConfidence === sorted[from].selfConfidence) to++;
    if (to - from > 1) {
      const run = sorted.slice(from, to).sort(byRank);
      for (let r = from; r < to; r++) sorted[r] = run[r - from];
    }
    from = to;
  }
  for (let r = 0; r < m; r++) issues[r] = sorted[r];
  return issues;
}
