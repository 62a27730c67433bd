import { describe, expect, it } from 'vitest';
import { bootstrapCI, bootstrapMany, bootstrapVector, confusionCells, KeyGroups, macroF1OfCounts } from '../../src/stats/bootstrap.ts';
import { confusionMatrix, macroF1 } from '../../src/stats/classification.ts';
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

  it('all-identical data gives a zero-width interval; n = 0 gives NaN bounds', () => {
    const r = bootstrapCI(5, () => 3, { seed: 1, resamples: 50 });
    expect([r.estimate, r.lo, r.hi]).toEqual([3, 3, 3]);
    const e = bootstrapCI(0, (idx) => idx.length, { seed: 1, resamples: 10 });
    expect(e.lo).toBeNaN();
    expect(e.valid).toBe(0);
  });
});

describe('bootstrapMany / bootstrapVector', () => {
  const max = (idx: Int32Array) => Math.max(...Array.from(idx, (i) => data[i]!));
  it('equal separate bootstrapCI calls with the same options (same draws, same numbers)', () => {
    const opts = { seed: 11, resamples: 300, level: 0.9 };
    expect(bootstrapMany(200, [mean, max], opts)).toEqual([bootstrapCI(200, mean, opts), bootstrapCI(200, max, opts)]);
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
});
