/** Per-record predictions and losses of a baseline from its probability rows. */
import { LOSS_CLAMP } from '../../stats/losses.ts';

export function fromProbs(probs: ArrayLike<number>, labels: Int32Array, k: number): { pred: Int32Array; loss: Float32Array } {
  const n = labels.length;
  const pred = new Int32Array(n);
  const loss = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[r * k + j] > probs[r * k + best]) best = j;
    pred[r] = best;
    loss[r] = -Math.log(Math.max(probs[r * k + labels[r]], LOSS_CLAMP));
  }
  return { pred, loss };
}

/**
 * The same probability row for every record (a constant classifier): what fromProbs gives for that
 * row (as float32) repeated per record, its prediction and per-class losses worked out once.
 */
export function constant(p: ArrayLike<number>, labels: Int32Array, k: number): { pred: Int32Array; loss: Float32Array } {
  const n = labels.length;
  const row = Float32Array.from({ length: k }, (_, j) => p[j]);
  let best = 0;
  for (let j = 1; j < k; j++) if (row[j] > row[best]) best = j;
  const lossOf = Float32Array.from(row, (q) => -Math.log(Math.max(q, LOSS_CLAMP)));
  return { pred: new Int32Array(n).fill(best), loss: lossesOf(labels, lossOf) };
}

/** Each record's loss from its label's (a loop of its own: compiled once while it runs, cold). */
function lossesOf(labels: Int32Array, lossOf: Float32Array): Float32Array {
  const n = labels.length;
  const k = lossOf.length;
  const loss = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const t = labels[r];
    // A label outside 0..k−1 read the repeated rows at r·k + t: another class's entry, or none (NaN).
    loss[r] = t >= 0 && t < k ? lossOf[t] : r * k + t >= 0 && r * k + t < n * k ? lossOf[(((r * k + t) % k) + k) % k] : NaN;
  }
  return loss;
}
