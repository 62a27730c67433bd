import { describe, expect, it } from 'vitest';
import { bootstrapCI, bootstrapVector, ClassCounts, confusionCells, GroupSums, groupedBootstrap, type FloatColumn, hashGroups, KeyGroups, macroF1OfCounts } from '../../src/stats/bootstrap.ts';
import { confusionMatrix, macroF1, macroF1OfClassCounts } from '../../src/stats/classification.ts';
import { mulberry32, randomInt } from '../../src/stats/rng.ts';

const data = Float64Array.from({ length: 200 }, (_, i) => (i % 10) / 10);
const mean = (idx: Int32Array) => {
  let s = 0;
  for (const i of idx) s += data[i]!;
  return s / idx.length;
};

describe('bootstrapCI', () => {
  it('estimate is the stat on identity indices; interval brackets it', () => {
    const r = bootstrapCI(200, mean, { seed: 1 });
    expect(r.estimate).toBeCloseTo(0.45, 15);
    expect(r.resamples).toBe(1000);
    expect(r.valid).toBe(1000);
    expect(r.seed).toBe(1);
    expect(r.lo).toBeLessThan(0.45);
    expect(r.hi).toBeGreaterThan(0.45);
    // sd of the mean ≈ 0.2872/√200 ≈ 0.0203 → 95% half-width ≈ 0.04
    expect(r.hi - r.lo).toBeGreaterThan(0.06);
    expect(r.hi - r.lo).toBeLessThan(0.1);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const a = bootstrapCI(200, mean, { seed: 7, resamples: 200 });
    expect(bootstrapCI(200, mean, { seed: 7, resamples: 200 })).toEqual(a);
    expect(bootstrapCI(200, mean, { seed: 8, resamples: 200 }).lo).not.toBe(a.lo);
  });

  it('a wider level gives a wider interval', () => {
    const a = bootstrapCI(200, mean, { seed: 3, level: 0.5 });
    const b = bootstrapCI(200, mean, { seed: 3, level: 0.99 });
    expect(b.hi - b.lo).toBeGreaterThan(a.hi - a.lo);
  });

  it('skips NaN statistics', () => {
    // NaN whenever index 0 is drawn (prob ≈ 1 − (1 − 1/20)^20 ≈ 0.64)
    const stat = (idx: Int32Array) => (idx.includes(0) ? NaN : idx.length);
    const r = bootstrapCI(20, stat, { seed: 5, resamples: 500 });
    expect(r.valid).toBeGreaterThan(100);
    expect(r.valid).toBeLessThan(300);
    expect(r.lo).toBe(20);
    expect(r.hi).toBe(20);
  });

  it('rejects a level outside (0, 1), record-level and grouped alike', () => {
    const sums = new GroupSums(2, 1, 0, Int32Array.from([0, 1]), Int32Array.from([0, 0]), []);
    for (const level of [0, 1, NaN]) {
      expect(() => bootstrapCI(5, mean, { seed: 1, level })).toThrow(RangeError);
      expect(() => groupedBootstrap(sums, 1, (t, out) => (out[0] = t[0]), { seed: 1, level })).toThrow(/level must be in \(0, 1\)/);
    }
  });

  it('all-identical data gives a zero-width interval; n = 0 gives NaN bounds', () => {
    const r = bootstrapCI(5, () => 3, { seed: 1, resamples: 50 });
    expect([r.estimate, r.lo, r.hi]).toEqual([3, 3, 3]);
    const e = bootstrapCI(0, (idx) => idx.length, { seed: 1, resamples: 10 });
    expect(e.lo).toBeNaN();
    expect(e.valid).toBe(0);
  });
});

describe('bootstrapVector', () => {
  const max = (idx: Int32Array) => Math.max(...Array.from(idx, (i) => data[i]!));
  it('equal separate bootstrapCI calls with the same options (same draws, same numbers)', () => {
    const opts = { seed: 11, resamples: 300, level: 0.9 };
    const v = bootstrapVector(200, 2, (idx, out) => ((out[0] = mean(idx)), (out[1] = max(idx))), opts);
    expect(v).toEqual([bootstrapCI(200, mean, opts), bootstrapCI(200, max, opts)]);
  });

  it('draws randomInt(mulberry32(seed), n) in order, one resample after another', () => {
    const seen: number[][] = [];
    bootstrapVector(7, 1, (idx, out) => ((out[0] = 0), seen.push(Array.from(idx))), { seed: 42, resamples: 3 });
    const rng = mulberry32(42);
    const want = [[0, 1, 2, 3, 4, 5, 6], ...Array.from({ length: 3 }, () => Array.from({ length: 7 }, () => randomInt(rng, 7)))];
    expect(seen).toEqual(want);
  });

  it('multiplicities count each record\'s draws (all 1 on the estimate)', () => {
    const checks: boolean[] = [];
    bootstrapVector(
      50,
      1,
      (idx, out, mult) => {
        const want = new Int32Array(50);
        for (const i of idx) want[i]++;
        checks.push(mult.every((m, i) => m === want[i]));
        out[0] = 0;
      },
      { seed: 3, resamples: 20, multiplicities: true },
    );
    expect(checks).toHaveLength(21);
    expect(checks.every(Boolean)).toBe(true);
  });
});

describe('KeyGroups and confusion helpers', () => {
  it('sums multiplicities per key, leaving out-of-range keys out', () => {
    const g = new KeyGroups([2, 0, 2, -1, 1, 5], 3);
    expect(Array.from(g.sum(Int32Array.from([1, 2, 3, 4, 5, 6]), new Float64Array(3)))).toEqual([2, 5, 4]);
  });

  it('macroF1OfCounts of counted cells equals macroF1(confusionMatrix)', () => {
    const labels = Int32Array.from([0, 1, 2, 2, 1, -1, 0]);
    const preds = Int32Array.from([0, 2, 2, 1, 1, 0, 3]);
    const counts = new Float64Array(9);
    for (const c of confusionCells(labels, preds, 3)) if (c >= 0) counts[c]++;
    expect(macroF1OfCounts(counts, 3)).toBe(macroF1(confusionMatrix(labels, preds, 3)));
  });

  it('ClassCounts gives the per-class counts of the drawn records: tp, row and column sums of their cells', () => {
    // Records 5 (label −1) and 6 (prediction 3, out of range for k = 3) have no cell and count nowhere.
    const labels = Int32Array.from([0, 1, 2, 2, 1, -1, 0]);
    const preds = Int32Array.from([0, 2, 2, 1, 1, 0, 3]);
    const mult = Int32Array.from([2, 1, 0, 3, 1, 4, 5]);
    const counts = new Float64Array(9);
    confusionCells(labels, preds, 3).forEach((c, r) => c >= 0 && (counts[c] += mult[r]));
    const cc = new ClassCounts(labels, preds, 3);
    expect(cc.sum(mult)).toBe(counts[0] + counts[4] + counts[8]);
    expect(Array.from(cc.tp)).toEqual([counts[0], counts[4], counts[8]]);
    expect(Array.from(cc.support)).toEqual([0, 1, 2].map((t) => counts[3 * t] + counts[3 * t + 1] + counts[3 * t + 2]));
    expect(Array.from(cc.predicted)).toEqual([0, 1, 2].map((p) => counts[p] + counts[3 + p] + counts[6 + p]));
    expect(cc.macroF1()).toBe(macroF1OfCounts(counts, 3));
  });

  it('macroF1OfCounts equals macroF1 of the same matrix bit for bit as k grows and shrinks (reused buffers)', () => {
    const rng = mulberry32(17);
    for (const k of [2, 6, 3, 9, 1, 4]) {
      // Fractional cells make the sum order visible; empty rows and columns exercise the skipped classes.
      const counts = Float64Array.from({ length: k * k }, (_, i) => (i % (k + 2) === 1 ? 0 : rng() < 0.3 ? 0 : rng() * 10));
      const matrix = Array.from({ length: k }, (_, t) => Array.from(counts.subarray(t * k, (t + 1) * k)));
      expect(Object.is(macroF1OfCounts(counts, k), macroF1(matrix))).toBe(true);
    }
    expect(macroF1OfCounts(new Float64Array(4), 2)).toBeNaN();
  });
});

describe('grouped bootstrap (large n)', () => {
  it('hashGroups: in range, deterministic, a function of the record index and the seed only', () => {
    const index = Int32Array.from({ length: 5000 }, (_, i) => 7 * i + 3);
    const g = hashGroups(index, 97, 11);
    expect(g.every((x) => x >= 0 && x < 97)).toBe(true);
    expect(hashGroups(index, 97, 11)).toEqual(g);
    // The same record gets the same group whatever subset or order it comes in.
    const reversed = hashGroups(index.slice().reverse(), 97, 11);
    expect(Array.from(reversed).reverse()).toEqual(Array.from(g));
    expect(hashGroups(index, 97, 12)).not.toEqual(g);
  });

  it('hashGroups spreads consecutive indices evenly (chi-square), also when the data is sorted by class', () => {
    const n = 200_000;
    const G = 200;
    const g = hashGroups(Int32Array.from({ length: n }, (_, i) => i), G, 5);
    const counts = new Float64Array(G);
    for (const x of g) counts[x]++;
    const e = n / G;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    // χ² with 199 degrees of freedom: mean 199, sd ≈ 20; 300 is beyond 5 sd.
    expect(chi2).toBeLessThan(300);
    // Records sorted by class (the first half class 0): every group gets both classes, about half each.
    const classZero = new Float64Array(G);
    for (let i = 0; i < n / 2; i++) classZero[g[i]]++;
    for (let c = 0; c < G; c++) expect(Math.abs(classZero[c] / counts[c] - 0.5)).toBeLessThan(0.15);
  });

  /** Random entries: per record 3 count slots (some −1) of `counts`; a float column with a slot per record (some −1) and one into the last slot. */
  function entries(n: number, counts: number, floats: number, seed: number) {
    const rng = mulberry32(seed);
    const countSlot = Int32Array.from({ length: 3 * n }, () => (rng() < 0.2 ? -1 : Math.floor(rng() ** 2 * counts)));
    const columns = [
      { slot: Int32Array.from({ length: n }, () => (rng() < 0.1 ? -1 : Math.floor(rng() * floats))), value: Float64Array.from({ length: n }, () => rng() - 0.3) },
      { slot: floats - 1, value: Float32Array.from({ length: n }, () => rng()) },
    ];
    return { countSlot, columns };
  }
  /** The per-group logical sums, added record by record. */
  function direct(group: Int32Array, G: number, counts: number, floats: number, e: { countSlot: Int32Array; columns: readonly FloatColumn[] }) {
    const W = counts + floats;
    const sums = new Float64Array(G * W);
    group.forEach((g, r) => {
      for (let q = 3 * r; q < 3 * r + 3; q++) if (e.countSlot[q] >= 0) sums[g * W + e.countSlot[q]]++;
      for (const { slot, value } of e.columns) {
        const sl = typeof slot === 'number' ? slot : slot[r];
        if (sl >= 0) sums[g * W + counts + sl] += value[r];
      }
    });
    return sums;
  }

  for (const [label, n, G, counts] of [
    ['packed several counts to a float64', 20_000, 50, 40],
    ['with more slots than one block of groups holds', 3_000, 64, 70_000],
  ] as const) {
    it(`GroupSums keeps every group's sums exactly, ${label}`, () => {
      const floats = 3;
      const e = entries(n, counts, floats, n);
      const group = hashGroups(Int32Array.from({ length: n }, (_, i) => i), G, 1);
      const sums = new GroupSums(G, counts, floats, group, e.countSlot, e.columns);
      const want = direct(group, G, counts, floats, e);
      const W = counts + floats;
      const physical = new Float64Array(G * sums.physical);
      for (let ph = 0; ph < sums.physical; ph++) {
        for (let p = sums.start[ph]; p < sums.start[ph + 1]; p++) {
          if (p > sums.start[ph]) expect(sums.entryGroup[p]).toBeGreaterThan(sums.entryGroup[p - 1]); // group order
          physical[sums.entryGroup[p] * sums.physical + ph] = sums.entryValue[p];
        }
      }
      const got = new Float64Array(W);
      let differ = 0;
      for (let g = 0; g < G; g++) {
        sums.unpack(physical.subarray(g * sums.physical, (g + 1) * sums.physical), got);
        for (let s = 0; s < W; s++) if (!Object.is(got[s], want[g * W + s])) differ++;
      }
      expect(differ).toBe(0);
      // Totals in record order: every record in one group, so direct() adds them as a record-by-record pass does.
      const total = direct(new Int32Array(n), 1, counts, floats, e);
      expect(sums.total.every((t, s) => Object.is(t, total[s]))).toBe(true);
      if (counts === 40) expect(sums.physical).toBeLessThan(counts + floats); // counts did share float64s
    });
  }

  it('GroupSums counts a record in no group once in the totals, also when the groups take several blocks', () => {
    const [n, G, counts, floats] = [3_000, 64, 70_000, 3];
    const e = entries(n, counts, floats, n);
    const group = hashGroups(Int32Array.from({ length: n }, (_, i) => i), G, 1);
    for (let r = 0; r < n; r += 7) group[r] = -1;
    const sums = new GroupSums(G, counts, floats, group, e.countSlot, e.columns);
    const total = direct(new Int32Array(n), 1, counts, floats, e);
    expect(sums.total.every((t, s) => Object.is(t, total[s]))).toBe(true);
  });

  /**
   * The resamples' logical totals by definition: mulberry32 draws of G groups per resample, each
   * drawn group's sums times its count added in group order. In blocks of four resamples a group
   * none of the four drew is skipped; one that another of the four drew adds 0·sum (NaN for ±∞).
   */
  function resampledTotals(per: Float64Array, G: number, W: number, seed: number, resamples: number): number[][] {
    const rng = mulberry32(seed);
    const out: number[][] = [];
    for (let r0 = 0; r0 < resamples; r0 += 4) {
      const mult = Array.from({ length: Math.min(4, resamples - r0) }, () => {
        const m = new Int32Array(G);
        for (let i = 0; i < G; i++) m[randomInt(rng, G)]++;
        return m;
      });
      for (const m of mult) {
        const want = new Float64Array(W);
        for (let g = 0; g < G; g++) if (mult.some((x) => x[g] > 0)) for (let s = 0; s < W; s++) if (per[g * W + s] !== 0) want[s] += m[g] * per[g * W + s];
        out.push(Array.from(want));
      }
    }
    return out;
  }

  for (const [label, n, G, counts, dense] of [
    ['dense slots', 4000, 30, 6, true],
    ['sparse slots', 400, 30, 900, false],
  ] as const) {
    it(`groupedBootstrap: each resample sums the drawn groups (mulberry32 draws, group order); estimate = stat(total); ${label}`, () => {
      const floats = 2;
      const e = entries(n, counts, floats, 9);
      const group = hashGroups(Int32Array.from({ length: n }, (_, i) => 2 * i), G, 4);
      const sums = new GroupSums(G, counts, floats, group, e.countSlot, e.columns);
      expect(sums.dense).toBe(dense);
      const per = direct(group, G, counts, floats, e);
      const W = counts + floats;
      const seen: number[][] = [];
      const res = groupedBootstrap(sums, 1, (t, out) => ((out[0] = t[counts] / t[0]), seen.push(Array.from(t))), { seed: 21, resamples: 7 });
      expect(res[0].estimate).toBe(sums.total[counts] / sums.total[0]);
      expect(seen[0]).toEqual(Array.from(sums.total));
      expect(seen.slice(1)).toEqual(resampledTotals(per, G, W, 21, 7));
      expect(groupedBootstrap(sums, 1, (t, out) => (out[0] = t[counts] / t[0]), { seed: 21, resamples: 7 })).toEqual(res);
    });
  }

  it('groupedBootstrap with an infinite sum: 0·∞ = NaN where a block-mate drew the group, nothing where none of the four did; dense and sparse', () => {
    for (const [n, G, counts] of [
      [4000, 30, 6],
      [400, 30, 900],
    ]) {
      const floats = 3;
      const e = entries(n, counts, floats, 5);
      const value = Float64Array.from(e.columns[1].value);
      value[17] = Infinity;
      const columns = [e.columns[0], { slot: 0, value }];
      const group = hashGroups(Int32Array.from({ length: n }, (_, i) => i), G, 8);
      const sums = new GroupSums(G, counts, floats, group, e.countSlot, columns);
      const per = direct(group, G, counts, floats, { countSlot: e.countSlot, columns });
      const seen: number[][] = [];
      groupedBootstrap(sums, 1, (t, out) => ((out[0] = 0), seen.push(Array.from(t))), { seed: 3, resamples: 400 });
      const want = resampledTotals(per, G, counts + floats, 3, 400);
      expect(seen.slice(1)).toEqual(want);
      // All three occur: drawn (∞), not drawn but by a block-mate (NaN), drawn by none of the four (finite).
      const kinds = new Set(want.map((t) => (Number.isNaN(t[counts]) ? 'NaN' : Number.isFinite(t[counts]) ? 'finite' : '∞')));
      expect([...kinds].sort()).toEqual(['NaN', 'finite', '∞']);
    }
  });

  it('macroF1OfClassCounts equals macroF1(confusionMatrix), absent classes included', () => {
    const labels = Int32Array.from([0, 1, 2, 2, 1, -1, 0, 3, 3]);
    const preds = Int32Array.from([0, 2, 2, 1, 1, 0, 3, 0, 5]);
    const k = 5;
    const tp = new Float64Array(k);
    const support = new Float64Array(k);
    const predicted = new Float64Array(k);
    for (let r = 0; r < labels.length; r++) {
      const [t, p] = [labels[r], preds[r]];
      if (t < 0 || t >= k || p < 0 || p >= k) continue;
      support[t]++;
      predicted[p]++;
      if (t === p) tp[t]++;
    }
    expect(macroF1OfClassCounts(tp, support, predicted, k)).toBe(macroF1(confusionMatrix(labels, preds, k)));
    expect(macroF1OfClassCounts([0, 0], [0, 0], [0, 0], 2)).toBeNaN();
  });
});
