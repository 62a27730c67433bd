/**
 * Temperature scaling (Guo et al. 2017): one scalar T dividing the logits, fitted to minimise NLL.
 * Dividing by T > 0 never changes the argmax, so accuracy is unchanged — only confidence moves.
 *
 * Only probabilities available? Pass ln(max(p, 1e-12)) as logits: ln p differs from the true
 * logits by a per-row constant (the log-partition), which softmax ignores.
 */
import { LOSS_CLAMP } from './losses.ts';

/** β = 1/T ranges over [1/20, 20], i.e. T ∈ [0.05, 20]. */
const BETA_MIN = 1 / 20;
const BETA_MAX = 20;
/** Stop when a step is this small relative to β (then taken: the error left is ~1e-12). */
const STEP_TOL = 1e-4;
/** Rows of the strided sample that gives the starting point on large fits, and its tolerance. */
const SAMPLE = 16_384;
const SAMPLE_TOL = 1e-3;
/** Bisection alone halves ln(hi/lo) = ln 400 per pass, so 100 passes are far more than enough. */
const MAX_PASSES = 100;
const MAX_LOSS = -Math.log(LOSS_CLAMP);

/** Row-wise softmax(z / T) of row-major `logits` (n·k), computed in float64 with max subtraction. */
export function applyTemperature(logProbsOrLogits: Float32Array, k: number, T: number): Float32Array {
  checkScaling(logProbsOrLogits, k, T);
  const out = new Float32Array(logProbsOrLogits.length);
  const row = new Float64Array(k);
  for (let o = 0; o < logProbsOrLogits.length; o += k) scaledRow(logProbsOrLogits, o, k, T, row, out, o);
  return out;
}

function checkScaling(logits: Float32Array, k: number, T: number): void {
  if (logits.length % k !== 0) throw new RangeError(`length not a multiple of k=${k}`);
  if (!(T > 0)) throw new RangeError(`temperature must be > 0, got ${T}`);
}

/** softmax(z / T) of the row at logits[o..o+k) into out[at..at+k) (float32), with `row` (k float64) as scratch. */
function scaledRow(logits: Float32Array, o: number, k: number, T: number, row: Float64Array, out: Float32Array, at: number): void {
  let max = -Infinity;
  for (let j = 0; j < k; j++) {
    row[j] = logits[o + j]! / T;
    max = Math.max(max, row[j]!);
  }
  let sum = 0;
  for (let j = 0; j < k; j++) {
    row[j] = Math.exp(row[j]! - max);
    sum += row[j]!;
  }
  for (let j = 0; j < k; j++) out[at + j] = row[j]! / sum;
}

/** One float64 pass over the rows at β = 1/T: mean clamped NLL and its first three derivatives in β. */
interface Evaluation {
  f: number;
  df: number;
  d2f: number;
  d3f: number;
}

/** The records a fit uses: row-major logits (n·k) and their labels, every label in 0..k−1. */
interface Rows {
  z: Float32Array;
  y: Int32Array;
}

/** The rows with a label in 0..k−1 (the arrays themselves when that is all of them). */
function labelled(logits: Float32Array, labels: Int32Array, k: number): Rows {
  let valid = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && labels[i]! < k) valid++;
  if (valid === labels.length) return { z: logits, y: labels };
  const keep: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && labels[i]! < k) keep.push(i);
  return pick({ z: logits, y: labels }, k, keep);
}

/** Rows `keep` of `rows`, copied. */
function pick(rows: Rows, k: number, keep: number[]): Rows {
  const z = new Float32Array(keep.length * k);
  keep.forEach((i, r) => z.set(rows.z.subarray(i * k, (i + 1) * k), r * k));
  return { z, y: Int32Array.from(keep, (i) => rows.y[i]!) };
}

/**
 * Mean NLL of softmax(β·z) with the CONTRACT clamp (loss ≤ −ln 1e-12, as `nll()`), and its first
 * three derivatives in β. Per row, with d_j = z_j − max z (float64, ≤ 0, so the largest term is 1
 * and nothing overflows) and p = softmax(β·d): NLL = ln Σ_j exp(β·d_j) − β·d_y, and its
 * derivatives are the cumulants of d under p: E_p[d] − d_y, Var_p[d] ≥ 0 (NLL is convex in β) and
 * the third central moment. A clamped record is flat: it adds the clamp and no slope.
 */
function evaluate({ z, y }: Rows, k: number, beta: number): Evaluation {
  let f = 0;
  let df = 0;
  let d2f = 0;
  let d3f = 0;
  for (let r = 0, o = 0; r < y.length; r++, o += k) {
    let max = -Infinity;
    for (let j = o; j < o + k; j++) if (z[j]! > max) max = z[j]!;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = o; j < o + k; j++) {
      const x = z[j]! - max;
      const e = Math.exp(beta * x);
      s0 += e;
      s1 += e * x;
      s2 += e * x * x;
      s3 += e * x * x * x;
    }
    const dy = z[o + y[r]!]! - max;
    const loss = Math.log(s0) - beta * dy;
    if (loss >= MAX_LOSS) {
      f += MAX_LOSS;
      continue;
    }
    const mean = s1 / s0;
    const m2 = s2 / s0;
    f += loss;
    df += mean - dy;
    d2f += Math.max(m2 - mean * mean, 0);
    d3f += s3 / s0 - 3 * mean * m2 + 2 * mean * mean * mean;
  }
  const n = y.length;
  return { f: f / n, df: df / n, d2f: d2f / n, d3f: d3f / n };
}

/**
 * Safeguarded Halley iteration on β ∈ [BETA_MIN, BETA_MAX] from `beta`, one evaluate() pass per
 * step: Halley's step (cubic convergence, from the first three derivatives), else Newton's. The
 * sign of each slope shrinks a bracket [lo, hi] around the minimum; a step that leaves it (or meets
 * zero curvature) becomes the range end it points past — tried once, so a minimum at the end (NLL
 * still falling, e.g. every record right) is found in one pass — or else the bracket's geometric
 * midpoint. Stops when a step is below `tol` relative (taking it: the error left is then about
 * tol³) or the bracket is narrower than 1e-12 relative.
 */
function minimise(rows: Rows, k: number, beta: number, tol: number): number {
  let lo = BETA_MIN;
  let hi = BETA_MAX;
  const tried = new Set<number>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const { df, d2f, d3f } = evaluate(rows, k, beta);
    tried.add(beta);
    if (df > 0) hi = beta;
    else if (df < 0) lo = beta;
    // A zero (or NaN) slope, or a slope pushing past the end of the range: this is the minimum.
    if (!(df !== 0) || (df < 0 && beta === BETA_MAX) || (df > 0 && beta === BETA_MIN)) break;
    const newton = d2f > 0 ? beta - df / d2f : NaN;
    const halley = beta - (2 * df * d2f) / (2 * d2f * d2f - df * d3f);
    const step = halley > lo && halley < hi && d2f > 0 ? halley : newton;
    if (step > lo && step < hi) {
      if (Math.abs(step - beta) <= tol * beta) return step;
      beta = step;
      continue;
    }
    // Past the bracket on the side of the range end (no curvature counts as past): try the end once.
    const end = df < 0 ? BETA_MAX : BETA_MIN;
    const past = df < 0 ? !(newton < hi) : !(newton > lo);
    const next = past && !tried.has(end) ? end : Math.sqrt(lo * hi);
    if (hi - lo <= 1e-12 * beta) break;
    beta = next;
  }
  return beta;
}

/**
 * Fit T minimising the (clamped) NLL over T ∈ [0.05, 20], i.e. β = 1/T ∈ [1/20, 20], with
 * safeguarded Halley steps on β (minimise). Past 4·SAMPLE rows, the steps start from the minimum
 * on every ⌈n/SAMPLE⌉-th row (cheap passes), so usually two passes over all rows finish the fit;
 * the result is the minimum on all rows either way. Deterministic: no randomness, the same result
 * every run. Rows with an out-of-range label are ignored.
 * @returns the fitted temperature (temperatureNll gives the NLL at any T).
 */
export function fitTemperature(logits: Float32Array, labels: Int32Array, k: number): { temperature: number } {
  if (logits.length !== labels.length * k) throw new RangeError(`logits length ≠ labels length × k=${k}`);
  const rows = labelled(logits, labels, k);
  if (rows.y.length === 0) return { temperature: 1 };
  let start = 1;
  if (rows.y.length > 4 * SAMPLE) {
    const stride = Math.ceil(rows.y.length / SAMPLE);
    start = minimise(pick(rows, k, Array.from({ length: Math.ceil(rows.y.length / stride) }, (_, r) => r * stride)), k, 1, SAMPLE_TOL);
  }
  return { temperature: 1 / minimise(rows, k, start, STEP_TOL) };
}

/** Mean clamped NLL of softmax(z / T) over the rows with a label in 0..k−1 (NaN without any). */
export function temperatureNll(logits: Float32Array, labels: Int32Array, k: number, T: number): number {
  if (logits.length !== labels.length * k) throw new RangeError(`logits length ≠ labels length × k=${k}`);
  if (!(T > 0)) throw new RangeError(`temperature must be > 0, got ${T}`);
  const rows = labelled(logits, labels, k);
  return rows.y.length ? evaluate(rows, k, 1 / T).f : NaN;
}
