import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  binomialTestGreater,
  fisherExact2x2,
  fisherGreater,
  holm,
  logFactorial,
} from '../../src/stats/significance.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

describe('fisherExact2x2', () => {
  it('tea tasting [[3,1],[1,3]]: two-sided 0.4857142857 (= 34/70), greater 17/70', () => {
    const r = fisherExact2x2(3, 1, 1, 3);
    expect(r.pTwoSided).toBeCloseTo(34 / 70, 12);
    expect(r.pTwoSided).toBeCloseTo(0.4857142857, 10);
    expect(r.pGreater).toBeCloseTo(17 / 70, 12);
    expect(r.oddsRatio).toBe(9);
  });

  it('perfect separation [[5,0],[0,5]]: two-sided 2/252, odds ratio ∞', () => {
    const r = fisherExact2x2(5, 0, 0, 5);
    expect(r.pTwoSided).toBeCloseTo(2 / 252, 14);
    expect(r.pGreater).toBeCloseTo(1 / 252, 14);
    expect(r.oddsRatio).toBe(Infinity);
  });

  it('exact ties that differ by rounding are still counted ([[0,2],[5,3]] → 112/252 = 4/9)', () => {
    // P(x=0) = P(x=2) = 56/252 exactly, but their log-space values differ in the last ulp; without
    // the (1 + 1e-7) tolerance the two-sided p would be 2/9.
    expect(fisherExact2x2(0, 2, 5, 3).pTwoSided).toBeCloseTo(4 / 9, 12);
  });

  it('a zero margin gives p = 1 and NaN odds ratio (as scipy)', () => {
    expect(fisherExact2x2(0, 0, 3, 4)).toEqual({ pTwoSided: 1, pGreater: 1, oddsRatio: NaN });
  });

  it('rejects non-count input', () => {
    expect(() => fisherExact2x2(1.5, 1, 1, 1)).toThrow(RangeError);
  });
});

describe('fisherGreater', () => {
  it('equals fisherExact2x2(...).pGreater bit for bit, on small tables and on a million-record slice', () => {
    const tables: [number, number, number, number][] = [[3, 1, 1, 3], [0, 2, 5, 3], [0, 0, 3, 4], [7, 0, 0, 9], [30_000, 220_000, 0, 750_000], [7_500, 242_500, 22_500, 727_500], [8_200, 241_800, 21_800, 728_200]];
    for (let a = 0; a <= 12; a += 3) for (let c = 0; c <= 12; c += 4) tables.push([a, 15 - a, c, 20 - c]);
    for (const t of tables) expect(fisherGreater(...t)).toBe(fisherExact2x2(...t).pGreater);
    expect(() => fisherGreater(-1, 1, 1, 1)).toThrow(RangeError);
    expect(() => fisherGreater(1, 1.5, 1, 1)).toThrow(RangeError);
  });

  it('bit for bit on 3 000 random tables, tiny groups to thousands of terms, in any call order (its scratch buffers are reused)', () => {
    const rng = mulberry32(11);
    const draw = (max: number) => Math.floor(rng() ** 3 * max);
    for (let i = 0; i < 3000; i++) {
      const scale = [10, 300, 20_000][i % 3];
      const t: [number, number, number, number] = [draw(scale), draw(scale), draw(scale), draw(scale * 10)];
      expect(fisherGreater(...t)).toBe(fisherExact2x2(...t).pGreater);
    }
  });
});

describe('binomialTestGreater', () => {
  it('hand-computed and edge cases', () => {
    // P(X ≥ 7 | n=10, p=.5) = (120 + 45 + 10 + 1)/1024
    expect(binomialTestGreater(7, 10, 0.5)).toBeCloseTo(176 / 1024, 14);
    expect(binomialTestGreater(0, 10, 0.3)).toBe(1);
    expect(binomialTestGreater(11, 10, 0.3)).toBe(0);
    expect(binomialTestGreater(1, 5, 0)).toBe(0);
    expect(binomialTestGreater(5, 5, 1)).toBe(1);
    expect(binomialTestGreater(1, 1, 0.9)).toBeCloseTo(0.9, 14);
  });
});

describe('logFactorial', () => {
  it('is continuous across the table/Stirling switch', () => {
    expect(logFactorial(0)).toBe(0);
    expect(logFactorial(1)).toBe(0);
    expect(logFactorial(1024) - logFactorial(1023)).toBeCloseTo(Math.log(1024), 10);
  });
});

describe('multiple testing', () => {
  it('Benjamini–Hochberg, hand-computed, input order kept, monotone and ≤ 1', () => {
    // sorted p: .01 .02 .03 .5 → ×4/rank: .04 .04 .04 .5
    expect(benjaminiHochberg([0.5, 0.01, 0.03, 0.02])).toEqual([0.5, 0.04, 0.04, 0.04]);
    expect(benjaminiHochberg([0.9, 0.95])).toEqual([0.95, 0.95]);
    expect(benjaminiHochberg([])).toEqual([]);
  });

  it('Holm, hand-computed', () => {
    // sorted p: .01 .02 .03 .5 → ×(4,3,2,1): .04 .06 .06 .5 (running max)
    const h = holm([0.5, 0.01, 0.03, 0.02]);
    expect(h[0]).toBe(0.5);
    expect(h[1]).toBe(0.04);
    expect(h[2]).toBeCloseTo(0.06, 15);
    expect(h[3]).toBeCloseTo(0.06, 15);
    expect(holm([0.4, 0.6])).toEqual([0.8, 0.8]);
  });

  it('NaN p-values stay NaN and do not count towards m', () => {
    expect(benjaminiHochberg([0.01, NaN, 0.02])).toEqual([0.02, NaN, 0.02]);
    expect(holm([0.01, NaN, 0.02])).toEqual([0.02, NaN, 0.02]);
  });
});
