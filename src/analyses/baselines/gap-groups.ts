/**
 * The per-group sums of the grouped gap bootstrap (gap.ts groupedGaps): their layout and a
 * GroupSource that forms them array by array.
 */
import type { GroupSource } from '../../stats/bootstrap.ts';

/**
 * Logical slots for `w` scorers of `k` classes. Counts: records, labelled records per class
 * (support), then per scorer true positives, predictions and labelled records without a valid
 * prediction ("dropped"), each per class. Floats: each scorer's loss sum.
 */
export function gapLayout(k: number, w: number) {
  const SUPPORT = 1;
  const counts = 1 + k + 3 * k * w;
  return { SUPPORT, counts, floats: w, scorer: (j: number) => 1 + k + 3 * k * j };
}

/**
 * The sums of gapLayout per group: record r (in group[r], every record in one) counts in
 * `records`, and when labelled (0..k−1) in its class's support and, per scorer, in predictions of
 * its predicted class and true positives when that is right — or, a prediction outside 0..k−1
 * (no confusion cell, as confusionCells), in dropped of its class. Its loss under each scorer
 * adds to that scorer's float slot. A pass per scorer over two arrays instead of a dozen slot
 * entries per record (stats/bootstrap's recordSource gives the same numbers from those).
 */
export function gapGroupSource(group: Int32Array, labels: Int32Array, preds: readonly Int32Array[], losses: readonly Float32Array[], k: number): GroupSource {
  const n = labels.length;
  const w = preds.length;
  const { SUPPORT, counts, floats, scorer } = gapLayout(k, w);
  const width = counts + floats;
  return {
    fill(g0, g1, into, total) {
      const groups = g1 - g0;
      // Each record's group within this block (−1: outside it).
      const at = new Int32Array(n);
      for (let r = 0; r < n; r++) at[r] = group[r] >= g0 && group[r] < g1 ? group[r] - g0 : -1;
      // Each part is counted into a small table of its own (stays in cache), then added to `into`.
      const add = (table: ArrayLike<number>, per: number, slot: number) => {
        for (let g = 0; g < groups; g++) for (let c = 0; c < per; c++) into[g * width + slot + c] += table[g * per + c];
      };
      const head = new Int32Array(groups * (1 + k)); // records, then support per class
      for (let r = 0; r < n; r++) {
        const g = at[r];
        if (g < 0) continue;
        head[g * (1 + k)]++;
        const t = labels[r];
        if (t >= 0 && t < k) head[g * (1 + k) + 1 + t]++;
      }
      add(head, 1 + k, 0);
      const cells = new Int32Array(groups * 3 * k); // per scorer: tp, predicted, dropped per class
      for (let j = 0; j < w; j++) {
        const pred = preds[j];
        cells.fill(0);
        for (let r = 0; r < n; r++) {
          const g = at[r];
          const t = labels[r];
          if (g < 0 || !(t >= 0 && t < k)) continue;
          const p = pred[r];
          const o = g * 3 * k;
          if (p >= 0 && p < k) {
            cells[o + k + p]++;
            if (p === t) cells[o + t]++;
          } else cells[o + 2 * k + t]++;
        }
        add(cells, 3 * k, scorer(j));
      }
      const lossSums = new Float64Array(groups);
      for (let j = 0; j < w; j++) {
        const loss = losses[j];
        const slot = counts + j;
        if (total !== null) {
          let sum = total[slot]; // in record order, as a record-by-record pass adds it
          for (let r = 0; r < n; r++) sum += loss[r];
          total[slot] = sum;
        }
        // Each group's sum in record order too (into's entries are zero: 0 + sum is sum).
        lossSums.fill(0);
        for (let r = 0; r < n; r++) if (at[r] >= 0) lossSums[at[r]] += loss[r];
        add(lossSums, 1, slot);
      }
    },
  };
}
