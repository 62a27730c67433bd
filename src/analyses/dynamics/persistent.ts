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
 * Each pass is its own small function, called once per checkpoint: optimised after the first
 * call with complete type feedback, rather than the whole loop nest recompiled as each new loop
 * is reached.
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
    gatherFinite(loss, rows, splitOf, start, filled, scratch);
    for (let s = 0; s < splits; s++) threshold[s] = selectQuantile(scratch.subarray(start[s], start[s] + filled[s]), 1 - q);
    countAtLeast(loss, rows, splitOf, threshold, hits);
  }
  return hits;
}

/** Each split's finite losses into scratch from start[s] on; filled[s] is how many. */
function gatherFinite(loss: Float32Array, rows: Int32Array, splitOf: Int32Array, start: Int32Array, filled: Int32Array, scratch: Float64Array): void {
  filled.fill(0);
  for (let r = 0; r < rows.length; r++) {
    const v = loss[rows[r]];
    const s = splitOf[r];
    if (Number.isFinite(v)) scratch[start[s] + filled[s]++] = v;
  }
}

/** hits[r] + 1 where the record's loss is at or above its split's threshold. */
function countAtLeast(loss: Float32Array, rows: Int32Array, splitOf: Int32Array, threshold: Float64Array, hits: Int32Array): void {
  for (let r = 0; r < rows.length; r++) if (loss[rows[r]] >= threshold[splitOf[r]]) hits[r]++;
}

/** The number of checkpoints a record must be in the worst q at: ⌈share · C⌉. */
export function requiredHits(checkpoints: number, share = PERSISTENT_SHARE): number {
  // The epsilon keeps 0.8 · 5 = 4 from rounding up to 5.
  return Math.ceil(share * checkpoints - 1e-9);
}
