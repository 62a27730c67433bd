import { describe, expect, it } from 'vitest';
import { bootstrapCI } from '../../src/stats/bootstrap.ts';

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
