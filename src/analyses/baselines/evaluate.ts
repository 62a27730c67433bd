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

/** The same probability row for every record (a constant classifier). */
export function constant(p: ArrayLike<number>, labels: Int32Array, k: number): { pred: Int32Array; loss: Float32Array } {
  const probs = new Float32Array(labels.length * k);
  for (let r = 0; r < labels.length; r++) for (let j = 0; j < k; j++) probs[r * k + j] = p[j];
  return fromProbs(probs, labels, k);
}
