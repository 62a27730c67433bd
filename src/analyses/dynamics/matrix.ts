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
import { fullProbs } from '../../score/compact.ts';
import { HARD, regionIndex } from './regions.ts';
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
  return marginOf(probs[i * k + y], largestOther(probs, i * k, k, y));
}

/** The largest probability other than the label's in the row starting at `at`, from 0 (as labelProbs). */
function largestOther(probs: Float32Array, at: number, k: number, y: number): number {
  let other = 0;
  for (let j = at; j < at + y; j++) if (probs[j] > other) other = probs[j];
  for (let j = at + y + 1; j < at + k; j++) if (probs[j] > other) other = probs[j];
  return other;
}

/** ln p − ln other, both clamped like the loss. */
function marginOf(p: number, other: number): number {
  return Math.log(Math.max(p, LOSS_CLAMP)) - Math.log(Math.max(other, LOSS_CLAMP));
}

/**
 * Whether ln p − ln other (clamped) is certainly ≥ 0 without taking the logarithms: equal clamped
 * values give exactly 0, and a ratio above 1 + 1e-9 puts the true difference above 1e-9, far beyond
 * the few-ulp error of two logarithms (|ln| ≤ 89 for any finite float32). NaN gives false.
 */
function marginSurelyNonNegative(p: number, other: number): boolean {
  const a = Math.max(p, LOSS_CLAMP);
  const b = Math.max(other, LOSS_CLAMP);
  return a === b || a > b * (1 + 1e-9);
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
  /**
   * Mean logit margin over checkpoints (AUM-style), computed where it is read in bulk: for every
   * record whose margin could be negative at some checkpoint and every hard-to-learn record. NaN
   * for the rest, whose mean margin is certainly ≥ 0 (10M logarithms are most of the pass at a
   * million records × 5 checkpoints); meanMarginAt gives any record's value.
   */
  meanMargin: Float64Array;
  meanLoss: Float64Array;
  /** Transitions correct at checkpoint t → wrong at t+1. */
  forgetting: Int32Array;
  /** Correct at no checkpoint. */
  neverLearned: Uint8Array;
}

/** The mean margin of position r: d.meanMargin[r] where computed, else summed cell by cell (the same sum). */
export function meanMarginAt(run: ScoredRun, labels: Int32Array, d: RecordDynamics, r: number): number {
  const stored = d.meanMargin[r];
  if (!Number.isNaN(stored)) return stored;
  let sum = 0;
  for (const c of d.used) sum += cellAt(run, labels, c, d.rows[r]).margin;
  return sum / d.used.length;
}

const NONE = new Float32Array(0);

/** Where each used checkpoint's p(label) and largest other p come from: compact columns, or (NONE there) the probabilities. */
interface LabelColumns {
  k: number;
  pLabelOf: Float32Array[];
  pOtherOf: Float32Array[];
  probsOf: Float32Array[];
}

/** Record i's (label y) mean margin over the checkpoints, summed in checkpoint order; off the pass's hot path. */
function recordMeanMargin(cols: LabelColumns, i: number, y: number): number {
  const { k, pLabelOf, pOtherOf, probsOf } = cols;
  let sum = 0;
  for (let t = 0; t < probsOf.length; t++) {
    const probs = probsOf[t];
    sum += probs.length === 0 ? marginOf(pLabelOf[t][i], pOtherOf[t][i]) : marginOf(probs[i * k + y], largestOther(probs, i * k, k, y));
  }
  return sum / probsOf.length;
}

/**
 * One pass over the records, each followed through every checkpoint with its running sums in local
 * variables: no per-cell call or object, and each record's sums are added in checkpoint order, so the
 * figures are the same as summing checkpoint by checkpoint. p(label) and the largest other p come
 * from a compact checkpoint's columns or straight from the probabilities (the Float32 values
 * labelProbs would copy out: no n-long arrays per full checkpoint).
 */
export function recordDynamics(run: ScoredRun, labels: Int32Array, rows: Int32Array, used: number[]): RecordDynamics {
  const m = rows.length;
  const C = used.length;
  const k = run.k;
  const pLabelOf: Float32Array[] = [];
  const pOtherOf: Float32Array[] = [];
  const probsOf: Float32Array[] = [];
  for (const c of used) {
    const s = run.scores[c];
    const compact = s.pLabel && s.pOther; // labelProbs' choice
    pLabelOf.push(compact ? s.pLabel! : NONE);
    pOtherOf.push(compact ? s.pOther! : NONE);
    probsOf.push(compact ? NONE : fullProbs(s, 'recordDynamics'));
  }
  const cols: LabelColumns = { k, pLabelOf, pOtherOf, probsOf };
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
    let sumLoss = 0;
    let forgot = 0;
    let prev = 0;
    let surelyNonNegative = true;
    for (let t = 0; t < C; t++) {
      const probs = probsOf[t];
      const at = i * k;
      const p = probs.length === 0 ? pLabelOf[t][i] : probs[at + y];
      const other = probs.length === 0 ? pOtherOf[t][i] : largestOther(probs, at, k, y);
      surelyNonNegative = surelyNonNegative && marginSurelyNonNegative(p, other);
      sumP += p;
      sumP2 += p * p;
      sumLoss += lossOf[t][i];
      const ok = predOf[t][i] === y ? 1 : 0;
      if (t > 0 && prev === 1 && ok === 0) forgot++;
      prev = ok;
      hits += ok;
    }
    const conf = sumP / C;
    confidence[r] = conf;
    // E[p²] − E[p]² can dip below 0 by rounding; clamp before the square root.
    const vary = Math.sqrt(Math.max(0, sumP2 / C - conf * conf));
    variability[r] = vary;
    correctness[r] = hits / C;
    meanLoss[r] = sumLoss / C;
    forgetting[r] = forgot;
    neverLearned[r] = hits === 0 ? 1 : 0;
    meanMargin[r] = surelyNonNegative && regionIndex(conf, vary) !== HARD ? NaN : recordMeanMargin(cols, i, y);
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
