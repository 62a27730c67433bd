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
      const at = blockGroups(group, g0, g1);
      // Each part is counted into a small table of its own (stays in cache), then added to `into`.
      addTable(into, width, 0, countHead(at, labels, k, groups), 1 + k);
      const cells = new Float64Array(groups * 3 * k);
      for (let j = 0; j < w; j++) addTable(into, width, scorer(j), countCells(at, labels, preds[j], k, cells.fill(0)), 3 * k);
      const lossSums = new Float64Array(groups);
      for (let j = 0; j < w; j++) {
        if (total !== null) total[counts + j] = sumInOrder(losses[j], total[counts + j]);
        // Each group's sum in record order too (into's entries are zero: 0 + sum is sum).
        addTable(into, width, counts + j, groupSums(at, losses[j], lossSums.fill(0)), 1);
      }
    },
  };
}

// One loop per function below: each is compiled once (on-stack) while it runs, which a function
// of several long loops would repeat per loop (this code runs once per audit, cold).

/** Each record's group within g0..g1−1 (−1: outside). */
function blockGroups(group: Int32Array, g0: number, g1: number): Int32Array {
  const at = new Int32Array(group.length);
  for (let r = 0; r < group.length; r++) at[r] = group[r] >= g0 && group[r] < g1 ? group[r] - g0 : -1;
  return at;
}

/** Per group: records, then labelled records per class. */
function countHead(at: Int32Array, labels: Int32Array, k: number, groups: number): Float64Array {
  const head = new Float64Array(groups * (1 + k));
  for (let r = 0; r < at.length; r++) {
    const g = at[r];
    if (g < 0) continue;
    head[g * (1 + k)]++;
    const t = labels[r];
    if (t >= 0 && t < k) head[g * (1 + k) + 1 + t]++;
  }
  return head;
}

/** Per group, of one scorer's labelled records: true positives, predictions and dropped per class. */
function countCells(at: Int32Array, labels: Int32Array, pred: Int32Array, k: number, cells: Float64Array): Float64Array {
  for (let r = 0; r < at.length; r++) {
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
  return cells;
}

/** `from` plus every value, added in record order. */
function sumInOrder(values: Float32Array, from: number): number {
  let sum = from;
  for (let r = 0; r < values.length; r++) sum += values[r];
  return sum;
}

/** Per group the sum of its records' values, in record order. */
function groupSums(at: Int32Array, values: Float32Array, sums: Float64Array): Float64Array {
  for (let r = 0; r < at.length; r++) if (at[r] >= 0) sums[at[r]] += values[r];
  return sums;
}

/** into[g·width + slot + c] += table[g·per + c]. */
function addTable(into: Float64Array, width: number, slot: number, table: Float64Array, per: number): void {
  const groups = table.length / per;
  for (let g = 0; g < groups; g++) for (let c = 0; c < per; c++) into[g * width + slot + c] += table[g * per + c];
}
