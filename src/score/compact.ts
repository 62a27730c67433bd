/**
 * Compact checkpoints: once scored, every checkpoint but the final one drops its n·k probabilities
 * and keeps, per record, what analyses read of it — loss, prediction, confidence, p(given label) and
 * the largest other p (training dynamics' margin). A run then holds n·k floats once instead of once
 * per checkpoint, plus 20 bytes per record per checkpoint: at 20 checkpoints of a 100-class model,
 * 0.8 GB instead of 8.2 GB per million records.
 */
import type { CheckpointScores } from '../types.ts';

/**
 * p(given label) and the largest other p of every labelled record (NaN otherwise), from a checkpoint's
 * probabilities, or as stored on a compact checkpoint. Float32 values copied, so a margin computed
 * from them equals one computed from the probabilities.
 */
export function labelProbs(s: CheckpointScores, labels: Int32Array, k: number): { pLabel: Float32Array; pOther: Float32Array } {
  if (s.pLabel && s.pOther) return { pLabel: s.pLabel, pOther: s.pOther };
  const probs = fullProbs(s, 'labelProbs');
  const n = s.loss.length;
  const pLabel = new Float32Array(n).fill(Number.NaN);
  const pOther = new Float32Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y < 0) continue;
    const at = i * k;
    let other = 0;
    for (let j = at; j < at + y; j++) other = probs[j] > other ? probs[j] : other;
    for (let j = at + y + 1; j < at + k; j++) other = probs[j] > other ? probs[j] : other;
    pLabel[i] = probs[at + y];
    pOther[i] = other;
  }
  return { pLabel, pOther };
}

/** The checkpoint without its n·k probabilities: the per-record columns and labelProbs (see CheckpointScores). */
export function compactScores(s: CheckpointScores, labels: Int32Array, k: number): CheckpointScores {
  if (!s.probs) return s;
  return { probs: null, loss: s.loss, pred: s.pred, conf: s.conf, ...labelProbs(s, labels, k) };
}

/** `length` probabilities in shared memory (worker threads read them in place: score.ts emptyScores). */
export function sharedProbs(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}

/** A checkpoint's probabilities; only compact checkpoints (never the final one) lack them. */
export function fullProbs(s: CheckpointScores, who: string): Float32Array {
  if (!s.probs) throw new Error(`${who}: this checkpoint was kept compact (only the final checkpoint keeps its n·k probabilities)`);
  return s.probs;
}
