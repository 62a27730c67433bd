/** The bytes of everything a checkpoint's scores hold (probabilities when kept, and every per-record column): for bit-for-bit comparisons. */
import type { CheckpointScores } from '../../src/types.ts';

export function scoreBytes(s: CheckpointScores): Buffer {
  const parts = [s.probs, s.loss, s.pred, s.conf, s.pLabel, s.pOther].map((a) => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.from('-')));
  return Buffer.concat(parts);
}
