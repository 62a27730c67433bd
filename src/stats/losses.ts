/**
 * Per-sample and mean losses from row-major probability matrices (row i = sample i, k columns).
 * Definitions follow CONTRACT.md exactly; everything accumulates in float64.
 */

/** Probabilities are clamped to at least this before taking a log, so loss ≤ −ln 1e-12 ≈ 27.631. */
export const LOSS_CLAMP = 1e-12;

function checkShape(probs: Float32Array, k: number, labels?: Int32Array): number {
  if (!Number.isInteger(k) || k < 1 || probs.length % k !== 0) {
    throw new RangeError(`probs length ${probs.length} is not a multiple of k=${k}`);
  }
  const n = probs.length / k;
  if (labels && labels.length !== n) throw new RangeError(`labels length ${labels.length} ≠ n=${n}`);
  return n;
}

/**
 * Per-sample loss −ln max(p_label, 1e-12). A label outside 0..k−1 gives NaN (no loss is defined),
 * as does a NaN probability.
 */
export function sampleLoss(probs: Float32Array, labels: Int32Array, k: number): Float32Array {
  const n = checkShape(probs, k, labels);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    out[i] = y < 0 || y >= k ? NaN : -Math.log(Math.max(probs[i * k + y]!, LOSS_CLAMP));
  }
  return out;
}

/**
 * Mean per-sample loss (negative log-likelihood), computed in float64 (not from the rounded
 * float32 sampleLoss). Samples with an out-of-range label are skipped; NaN if none remain.
 */
export function nll(probs: Float32Array, labels: Int32Array, k: number): number {
  const n = checkShape(probs, k, labels);
  let sum = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y < 0 || y >= k) continue;
    const p = probs[i * k + y]!;
    // Math.max(NaN, c) is NaN, so a NaN probability propagates to the mean rather than hiding.
    sum += -Math.log(Math.max(p, LOSS_CLAMP));
    m++;
  }
  return m > 0 ? sum / m : NaN;
}

/**
 * Multiclass Brier score: mean over samples of Σ_j (1[j = label] − p_j)², range 0..2. Samples
 * with an out-of-range label are skipped; NaN if none remain.
 */
export function brier(probs: Float32Array, labels: Int32Array, k: number): number {
  const n = checkShape(probs, k, labels);
  let sum = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y < 0 || y >= k) continue;
    let row = 0;
    for (let j = 0; j < k; j++) {
      const d = (j === y ? 1 : 0) - probs[i * k + j]!;
      row += d * d;
    }
    sum += row;
    m++;
  }
  return m > 0 ? sum / m : NaN;
}

/**
 * Top-1 prediction and its probability per row. Ties go to the lowest index (like numpy argmax),
 * so results are deterministic; NaN entries never win.
 */
export function topLabel(probs: Float32Array, k: number): { pred: Int32Array; conf: Float32Array } {
  const n = checkShape(probs, k);
  const pred = new Int32Array(n);
  const conf = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestP = -Infinity;
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j]!;
      if (p > bestP) {
        bestP = p;
        best = j;
      }
    }
    pred[i] = best;
    conf[i] = bestP === -Infinity ? NaN : bestP;
  }
  return { pred, conf };
}

/**
 * Margin p_label − max_{j≠label} p_j per sample: negative means misclassified, near 0 means
 * ambiguous. NaN for an out-of-range label; with k = 1 the margin is p_label (no competitor).
 */
export function margin(probs: Float32Array, labels: Int32Array, k: number): Float32Array {
  const n = checkShape(probs, k, labels);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y < 0 || y >= k) {
      out[i] = NaN;
      continue;
    }
    let other = k === 1 ? 0 : -Infinity;
    for (let j = 0; j < k; j++) if (j !== y && probs[i * k + j]! > other) other = probs[i * k + j]!;
    out[i] = probs[i * k + y]! - other;
  }
  return out;
}
