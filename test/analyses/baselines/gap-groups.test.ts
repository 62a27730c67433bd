/**
 * gapGroupSource forms the grouped gap bootstrap's per-group sums array by array; checked against
 * the straightforward definition — a dozen count slots per record, summed by stats/bootstrap's
 * recordSource — bit for bit, with unlabelled records, invalid predictions and several blocks of groups.
 */
import { describe, expect, it } from 'vitest';
import { gapGroupSource, gapLayout } from '../../../src/analyses/baselines/gap-groups.ts';
import { GroupSums, hashGroups } from '../../../src/stats/bootstrap.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';

/** The definition: per record its count slots (−1: none) and each scorer's loss into float slot j. */
function recordSums(groups: number, group: Int32Array, labels: Int32Array, preds: Int32Array[], losses: Float32Array[], k: number): GroupSums {
  const n = labels.length;
  const w = preds.length;
  const { SUPPORT, counts, floats, scorer } = gapLayout(k, w);
  const PER = 2 + 2 * w;
  const slots = new Int32Array(n * PER).fill(-1);
  for (let r = 0; r < n; r++) {
    const e = r * PER;
    const t = labels[r];
    const labelled = t >= 0 && t < k;
    slots[e] = 0;
    if (!labelled) continue;
    slots[e + 1] = SUPPORT + t;
    for (let j = 0; j < w; j++) {
      const p = preds[j][r];
      const valid = p >= 0 && p < k;
      if (valid && p === t) slots[e + 2 + 2 * j] = scorer(j) + t;
      slots[e + 3 + 2 * j] = valid ? scorer(j) + k + p : scorer(j) + 2 * k + t;
    }
  }
  return new GroupSums(groups, counts, floats, group, slots, losses.map((value, j) => ({ slot: j, value })));
}

function fixture(n: number, k: number, w: number, seed: number) {
  const rng = mulberry32(seed);
  // Some labels and predictions outside 0..k−1: unlabelled records, no valid prediction.
  const labels = Int32Array.from({ length: n }, () => (rng() < 0.05 ? (rng() < 0.5 ? -1 : k) : Math.floor(rng() * k)));
  const preds = Array.from({ length: w }, (_, j) => Int32Array.from(labels, (t) => (rng() < 0.03 ? -1 : j === 0 || rng() < 0.3 ? Math.floor(rng() * k) : t)));
  const losses = Array.from({ length: w }, () => Float32Array.from(labels, () => -Math.log(rng() + 1e-9)));
  return { labels, preds, losses };
}

describe('gapGroupSource', () => {
  for (const [label, n, k, groups] of [
    ['one block of groups', 20_000, 10, 200],
    ['several blocks of groups (many classes)', 3_000, 200, 2000],
  ] as const) {
    it(`gives the GroupSums of the per-record slots exactly, ${label}`, () => {
      const w = 4;
      const { labels, preds, losses } = fixture(n, k, w, n);
      const group = hashGroups(Int32Array.from({ length: n }, (_, i) => 3 * i), groups, 11);
      const { counts, floats } = gapLayout(k, w);
      const got = new GroupSums(groups, counts, floats, gapGroupSource(group, labels, preds, losses, k));
      const want = recordSums(groups, group, labels, preds, losses, k);
      expect(got.total.every((t, s) => Object.is(t, want.total[s]))).toBe(true);
      expect(got.entryValue.every((v, e) => Object.is(v, want.entryValue[e]))).toBe(true);
      expect(got).toEqual(want);
      if (k === 200) expect(Math.floor(2 ** 22 / (counts + floats))).toBeLessThan(groups); // several blocks
    });
  }
});
