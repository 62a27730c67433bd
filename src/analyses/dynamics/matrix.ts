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
import { labelProbs } from '../../score/compact.ts';
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
  // A compact checkpoint (score/compact.ts) keeps exactly the two probabilities a cell needs.
  const p = s.probs ? s.probs[i * k + y] : s.pLabel![i];
  const margin = s.probs ? logitMargin(s.probs, i, k, y) : marginOf(p, s.pOther![i]);
  return { p, loss: s.loss[i], correct: s.pred[i] === y, margin };
}

/** ln p_y − max_{j≠y} ln p_j for record i (probabilities clamped to ≥ 1e-12). */
export function logitMargin(probs: Float32Array, i: number, k: number, y: number): number {
  let other = 0;
  for (let j = 0; j < k; j++) if (j !== y && probs[i * k + j] > other) other = probs[i * k + j];
  return marginOf(probs[i * k + y], other);
}

/** ln p − ln other, both clamped like the loss. */
function marginOf(p: number, other: number): number {
  return Math.log(Math.max(p, LOSS_CLAMP)) - Math.log(Math.max(other, LOSS_CLAMP));
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

/**
 * One pass over the records, each followed through every checkpoint with its running sums in local
 * variables: no per-cell call or object, and each record's sums are added in checkpoint order, so the
 * figures are the same as summing checkpoint by checkpoint.
 */
export function recordDynamics(run: ScoredRun, labels: Int32Array, rows: Int32Array, used: number[]): RecordDynamics {
  const m = rows.length;
  const C = used.length;
  // p(label) and the largest other p per checkpoint: stored on compact checkpoints, derived from
  // the probabilities on the final one (labelProbs: the same Float32 values either way).
  const pLabelOf: Float32Array[] = [];
  const pOtherOf: Float32Array[] = [];
  for (const c of used) {
    const { pLabel, pOther } = labelProbs(run.scores[c], labels, run.k);
    pLabelOf.push(pLabel);
    pOtherOf.push(pOther);
  }
  const lossOf = used.map((c) => run.scores[c].loss);
  const predOf = used.map((c) => run.scores[c].pred);
  const confidence = new Float64Array(m);
  const variability = new Float64Array(m);
  const correctness = new Float64Array(m);
  const meanMargin = new Float64Array(m);
  const meanLoss = new Float64Array(m);
  const forgetting = new Int32Array(m);
  const neverLearned = new Uint8Array(m);
  for (let r = 0; r < m; r++) {
    const i = rows[r];
    const y = labels[i];
    let sumP = 0;
    let sumP2 = 0;
    let hits = 0;
    let sumMargin = 0;
    let sumLoss = 0;
    let forgot = 0;
    let prev = 0;
    for (let t = 0; t < C; t++) {
      const p = pLabelOf[t][i];
      sumP += p;
      sumP2 += p * p;
      sumLoss += lossOf[t][i];
      sumMargin += marginOf(p, pOtherOf[t][i]);
      const ok = predOf[t][i] === y ? 1 : 0;
      if (t > 0 && prev === 1 && ok === 0) forgot++;
      prev = ok;
      hits += ok;
    }
    const conf = sumP / C;
    confidence[r] = conf;
    // E[p²] − E[p]² can dip below 0 by rounding; clamp before the square root.
    variability[r] = Math.sqrt(Math.max(0, sumP2 / C - conf * conf));
    correctness[r] = hits / C;
    meanMargin[r] = sumMargin / C;
    meanLoss[r] = sumLoss / C;
    forgetting[r] = forgot;
    neverLearned[r] = hits === 0 ? 1 : 0;
  }
  return { rows, used, confidence, variability, correctness, meanMargin, meanLoss, forgetting, neverLearned };
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
