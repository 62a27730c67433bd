/**
 * Persistently high-loss records: in the worst `q` of their split's losses at ≥ `share` of the
 * checkpoints. Ranking within the split keeps held-out records (higher loss by nature) from
 * crowding out training records. At q = 10 %, share = 80 % and 5 checkpoints a record whose rank
 * were random would qualify with probability ≈ 0.05 %, so the list is not noise.
 */
import { selectQuantile } from '../../stats/quantiles.ts';
import type { Dataset, ScoredRun } from '../../types.ts';

export const PERSISTENT_Q = 0.1;
export const PERSISTENT_SHARE = 0.8;

/**
 * Checkpoints (of `used`) at which each record of `rows` was in its split's worst q by loss. Per
 * checkpoint: one pass gathers each split's finite losses (contiguous, laid out by split), a
 * selection (no sort) finds each split's threshold, one pass counts the records at or above it.
 */
export function worstQHits(run: ScoredRun, dataset: Dataset, rows: Int32Array, used: number[], q = PERSISTENT_Q): Int32Array {
  const m = rows.length;
  const hits = new Int32Array(m);
  const splits = dataset.splitNames.length;
  const splitOf = new Int32Array(m);
  // start[s]: where split s's losses begin in the scratch buffer.
  const start = new Int32Array(splits + 1);
  for (let r = 0; r < m; r++) {
    splitOf[r] = dataset.split[rows[r]];
    start[splitOf[r] + 1]++;
  }
  for (let s = 0; s < splits; s++) start[s + 1] += start[s];
  const scratch = new Float64Array(m);
  const filled = new Int32Array(splits);
  const threshold = new Float64Array(splits);
  for (const c of used) {
    const loss = run.scores[c].loss;
    filled.fill(0);
    for (let r = 0; r < m; r++) {
      const v = loss[rows[r]];
      const s = splitOf[r];
      if (Number.isFinite(v)) scratch[start[s] + filled[s]++] = v;
    }
    for (let s = 0; s < splits; s++) threshold[s] = selectQuantile(scratch.subarray(start[s], start[s] + filled[s]), 1 - q);
    for (let r = 0; r < m; r++) if (loss[rows[r]] >= threshold[splitOf[r]]) hits[r]++;
  }
  return hits;
}

/** The number of checkpoints a record must be in the worst q at: ⌈share · C⌉. */
export function requiredHits(checkpoints: number, share = PERSISTENT_SHARE): number {
  // The epsilon keeps 0.8 · 5 = 4 from rounding up to 5.
  return Math.ceil(share * checkpoints - 1e-9);
}
