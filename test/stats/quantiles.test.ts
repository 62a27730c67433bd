import { describe, expect, it } from 'vitest';
import { quantile, quantiles, sortedFinite } from '../../src/stats/quantiles.ts';

describe('quantile (numpy "linear")', () => {
  it('interpolates at (n-1)q', () => {
    const s = [1, 2, 3, 4];
    // np.quantile([1,2,3,4], [0, .25, .5, .9, 1]) = [1, 1.75, 2.5, 3.7, 4]
    expect(quantile(s, 0)).toBe(1);
    expect(quantile(s, 0.25)).toBe(1.75);
    expect(quantile(s, 0.5)).toBe(2.5);
    expect(quantile(s, 0.9)).toBeCloseTo(3.7, 14);
    expect(quantile(s, 1)).toBe(4);
  });

  it('gives NaN for empty input or q outside [0, 1]; the single value otherwise', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantile([1, 2], 1.5)).toBeNaN();
    expect(quantile([1, 2], NaN)).toBeNaN();
    expect(quantile([7], 0.3)).toBe(7);
  });

  it('does not produce NaN between equal infinite order statistics', () => {
    expect(quantile([1, Infinity, Infinity], 0.75)).toBe(Infinity);
  });
});

describe('quantiles', () => {
  it('ignores NaN, sorts a copy, and leaves the input alone', () => {
    const v = new Float32Array([4, NaN, 1, 3, 2]);
    expect(quantiles(v, [0, 0.5, 1])).toEqual([1, 2.5, 4]);
    expect(Array.from(v)).toEqual([4, NaN, 1, 3, 2]);
  });

  it('all-identical values give that value at every q', () => {
    expect(quantiles([5, 5, 5], [0, 0.37, 1])).toEqual([5, 5, 5]);
  });

  it('all-NaN input gives NaN', () => {
    expect(quantiles([NaN, NaN], [0.5])).toEqual([NaN]);
  });
});

describe('sortedFinite', () => {
  it('drops NaN and infinities and sorts numerically (not lexicographically)', () => {
    expect(Array.from(sortedFinite([10, NaN, 9, -Infinity, 100, Infinity, -1]))).toEqual([-1, 9, 10, 100]);
  });
});
