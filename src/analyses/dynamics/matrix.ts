/**
 * The per-sample matrix over checkpoints, reduced in one streaming pass: for every record and every
 * checkpoint, p(given label), loss, correctness and the logit margin — never materialised as an
 * N × C matrix, so memory stays O(N) at a million records and many checkpoints.
 *
 * Margin (Area Under the Margin, Pleiss et al. 2020) = z_label − max_{j≠label} z_j on logits. For a
 * softmax model logit differences equal log-probability differences (the normaliser cancels), so
 * it is computed from the scored probabilities as ln p_label − max_{j≠label} ln p_j, with p clamped
 * to ≥ 1e-12 like the loss (the margin is therefore bounded by ±27.6).
 */
import { LOSS_CLAMP } from '../../stats/losses.ts';
import type { ScoredRun } from '../../types.ts';

/** One cell of the matrix: record `i` under checkpoint `c`. */
export interface Cell {
  p: number;
  loss: number;
  correct: boolean;
  margin: number;
}

export function cellAt(run: ScoredRun, labels: Int32Array, c: number, i: number): Cell {
  const s = run.scores[c];
  const k = run.k;
  const y = labels[i];
  return { p: s.probs[i * k + y], loss: s.loss[i], correct: s.pred[i] === y, margin: logitMargin(s.probs, i, k, y) };
}

/** ln p_y − max_{j≠y} ln p_j for record i (probabilities clamped to ≥ 1e-12). */
export function logitMargin(probs: Float32Array, i: number, k: number, y: number): number {
  let other = 0;
  for (let j = 0; j < k; j++) if (j !== y && probs[i * k + j] > other) other = probs[i * k + j];
  return Math.log(Math.max(probs[i * k + y], LOSS_CLAMP)) - Math.log(Math.max(other, LOSS_CLAMP));
}

/** Per-record summaries over the checkpoints `used` (indices into run.scores, in step order). */
export interface RecordDynamics {
  /** Dataset indices of the records summarised (scorable and labelled). */
  rows: Int32Array;
  used: number[];
  /** Mean p(given label) over checkpoints. */
  confidence: Float64Array;
  /** Population standard deviation of p(given label) over checkpoints. */
  variability: Float64Array;
  /** Fraction of checkpoints whose prediction equals the given label. */
  correctness: Float64Array;
  /** Mean logit margin over checkpoints (AUM-style). */
  meanMargin: Float64Array;
  meanLoss: Float64Array;
  /** Transitions correct at checkpoint t → wrong at t+1. */
  forgetting: Int32Array;
  /** Correct at no checkpoint. */
  neverLearned: Uint8Array;
}

export function recordDynamics(run: ScoredRun, labels: Int32Array, rows: Int32Array, used: number[]): RecordDynamics {
  const m = rows.length;
  const k = run.k;
  const sumP = new Float64Array(m);
  const sumP2 = new Float64Array(m);
  const hits = new Float64Array(m);
  const sumMargin = new Float64Array(m);
  const sumLoss = new Float64Array(m);
  const forgetting = new Int32Array(m);
  const prevCorrect = new Uint8Array(m);
  for (const [t, c] of used.entries()) {
    const s = run.scores[c];
    for (let r = 0; r < m; r++) {
      const i = rows[r];
      const y = labels[i];
      const p = s.probs[i * k + y];
      sumP[r] += p;
      sumP2[r] += p * p;
      sumLoss[r] += s.loss[i];
      sumMargin[r] += logitMargin(s.probs, i, k, y);
      const ok = s.pred[i] === y ? 1 : 0;
      if (t > 0 && prevCorrect[r] === 1 && ok === 0) forgetting[r]++;
      prevCorrect[r] = ok;
      hits[r] += ok;
    }
  }
  const C = used.length;
  const confidence = sumP.map((s) => s / C);
  // E[p²] − E[p]² can dip below 0 by rounding; clamp before the square root.
  const variability = sumP2.map((s2, r) => Math.sqrt(Math.max(0, s2 / C - confidence[r] * confidence[r])));
  return {
    rows,
    used,
    confidence,
    variability,
    correctness: hits.map((h) => h / C),
    meanMargin: sumMargin.map((s) => s / C),
    meanLoss: sumLoss.map((s) => s / C),
    forgetting,
    neverLearned: Uint8Array.from(hits, (h) => (h === 0 ? 1 : 0)),
  };
}

/**
 * Which checkpoints the per-sample dynamics use: all of them, except a step-0 checkpoint when at
 * least two others remain — step 0 is the model before any training, whose predictions reflect the
 * random initialisation (Swayamdipta et al. likewise measure after each epoch, from the first on).
 */
export function dynamicsCheckpoints(run: ScoredRun): { used: number[]; skipped: number[] } {
  const all = run.checkpoints.map((_, c) => c);
  const skipped = all.filter((c) => run.checkpoints[c].step === 0);
  if (skipped.length === 0 || all.length - skipped.length < 2) return { used: all, skipped: [] };
  return { used: all.filter((c) => run.checkpoints[c].step !== 0), skipped };
}
