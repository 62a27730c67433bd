/**
 * Persistently high-loss records: in the worst `q` of their split's losses at ≥ `share` of the
 * checkpoints. Ranking within the split keeps held-out records (higher loss by nature) from
 * crowding out training records. At q = 10 %, share = 80 % and 5 checkpoints a record whose rank
 * were random would qualify with probability ≈ 0.05 %, so the list is not noise.
 */
import { quantile } from '../../stats/quantiles.ts';
import type { Dataset, ScoredRun } from '../../types.ts';

export const PERSISTENT_Q = 0.1;
export const PERSISTENT_SHARE = 0.8;

/** Checkpoints (of `used`) at which each record of `rows` was in its split's worst q by loss. */
export function worstQHits(run: ScoredRun, dataset: Dataset, rows: Int32Array, used: number[], q = PERSISTENT_Q): Int32Array {
  const hits = new Int32Array(rows.length);
  const bySplit = new Map<number, number[]>();
  rows.forEach((i, r) => {
    const s = dataset.split[i];
    if (!bySplit.has(s)) bySplit.set(s, []);
    bySplit.get(s)!.push(r);
  });
  const scratch = new Float64Array(rows.length);
  for (const c of used) {
    const loss = run.scores[c].loss;
    for (const positions of bySplit.values()) {
      // sortedFinite without a JS array per split and checkpoint: finite losses, ascending.
      let m = 0;
      for (const r of positions) {
        const v = loss[rows[r]];
        if (Number.isFinite(v)) scratch[m++] = v;
      }
      const threshold = quantile(scratch.subarray(0, m).sort(), 1 - q);
      for (const r of positions) if (loss[rows[r]] >= threshold) hits[r]++;
    }
  }
  return hits;
}

/** The number of checkpoints a record must be in the worst q at: ⌈share · C⌉. */
export function requiredHits(checkpoints: number, share = PERSISTENT_SHARE): number {
  // The epsilon keeps 0.8 · 5 = 4 from rounding up to 5.
  return Math.ceil(share * checkpoints - 1e-9);
}
