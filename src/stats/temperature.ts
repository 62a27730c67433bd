/**
 * Temperature scaling (Guo et al. 2017): one scalar T dividing the logits, fitted to minimise NLL.
 * Dividing by T > 0 never changes the argmax, so accuracy is unchanged — only confidence moves.
 *
 * Only probabilities available? Pass ln(max(p, 1e-12)) as logits: ln p differs from the true
 * logits by a per-row constant (the log-partition), which softmax ignores.
 */
import { LOSS_CLAMP } from './losses.ts';

const LN_T_MIN = Math.log(0.05);
const LN_T_MAX = Math.log(20);
const GRID = 48;
const GOLDEN = (Math.sqrt(5) - 1) / 2;
const MAX_LOSS = -Math.log(LOSS_CLAMP);

/** Row-wise softmax(z / T) of row-major `logits` (n·k), computed in float64 with max subtraction. */
export function applyTemperature(logProbsOrLogits: Float32Array, k: number, T: number): Float32Array {
  if (logProbsOrLogits.length % k !== 0) throw new RangeError(`length not a multiple of k=${k}`);
  if (!(T > 0)) throw new RangeError(`temperature must be > 0, got ${T}`);
  const out = new Float32Array(logProbsOrLogits.length);
  const row = new Float64Array(k);
  for (let o = 0; o < logProbsOrLogits.length; o += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logProbsOrLogits[o + j]! / T);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      row[j] = Math.exp(logProbsOrLogits[o + j]! / T - max);
      sum += row[j]!;
    }
    for (let j = 0; j < k; j++) out[o + j] = row[j]! / sum;
  }
  return out;
}

/**
 * Mean NLL of softmax(z / T), as log-sum-exp in float64 (no float32 round trip), with the
 * CONTRACT clamp (loss ≤ −ln 1e-12) so the numbers line up with `nll()`.
 */
function nllAt(logits: Float32Array, rows: number[], labels: Int32Array, k: number, T: number): number {
  let sum = 0;
  for (const i of rows) {
    const o = i * k;
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits[o + j]! / T);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(logits[o + j]! / T - max);
    const loss = max + Math.log(s) - logits[o + labels[i]!]! / T;
    sum += Math.min(loss, MAX_LOSS);
  }
  return sum / rows.length;
}

/**
 * Fit T minimising NLL over ln T ∈ [ln 0.05, ln 20]. NLL is convex in 1/T, hence unimodal in
 * ln T, so a coarse grid locates the basin and golden-section search refines it; no randomness,
 * no gradients, identical results every run. Rows with an out-of-range label are ignored.
 * @returns the fitted temperature and the NLL at T = 1 and at the fitted T.
 */
export function fitTemperature(
  logits: Float32Array,
  labels: Int32Array,
  k: number,
): { temperature: number; nllBefore: number; nllAfter: number } {
  if (logits.length !== labels.length * k) throw new RangeError(`logits length ≠ labels length × k=${k}`);
  const rows: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0 && labels[i]! < k) rows.push(i);
  if (rows.length === 0) return { temperature: 1, nllBefore: NaN, nllAfter: NaN };
  const f = (lnT: number) => nllAt(logits, rows, labels, k, Math.exp(lnT));

  const step = (LN_T_MAX - LN_T_MIN) / GRID;
  let best = 0;
  let bestF = Infinity;
  for (let g = 0; g <= GRID; g++) {
    const v = f(LN_T_MIN + g * step);
    if (v < bestF) {
      bestF = v;
      best = g;
    }
  }
  let a = LN_T_MIN + Math.max(best - 1, 0) * step;
  let b = LN_T_MIN + Math.min(best + 1, GRID) * step;
  let x1 = b - GOLDEN * (b - a);
  let x2 = a + GOLDEN * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  while (b - a > 1e-7) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - GOLDEN * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + GOLDEN * (b - a);
      f2 = f(x2);
    }
  }
  let lnT = (a + b) / 2;
  let after = f(lnT);
  // Guard: never report worse than the best grid point (flat objectives, e.g. all losses clamped).
  if (!(after <= bestF)) {
    lnT = LN_T_MIN + best * step;
    after = bestF;
  }
  return { temperature: Math.exp(lnT), nllBefore: f(0), nllAfter: after };
}
