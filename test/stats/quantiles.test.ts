import { describe, expect, it } from 'vitest';
import { quantile, quantiles, selectQuantile, sortedFinite, sortFloat32 } from '../../src/stats/quantiles.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

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

/** Seeded samples with the awkward cases: long runs of ties, ±0, infinities, negatives. */
function awkward(n: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const special = [0, -0, Infinity, -Infinity, 1e-30, -1e-30, 3, 3, 3];
  return Float64Array.from({ length: n }, () => {
    const u = rng();
    if (u < 0.3) return special[Math.floor(rng() * special.length)];
    if (u < 0.5) return Math.round(rng() * 5); // many ties
    return (rng() - 0.3) * 10 ** Math.floor(rng() * 8 - 4);
  });
}

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('sortFloat32', () => {
  it('gives the typed-array sort order bit for bit, NaN last, without touching the input', () => {
    for (const [n, seed] of [[0, 1], [1, 2], [7, 3], [1000, 4], [5000, 5]]) {
      const v = Float32Array.from(awkward(n, seed));
      if (n > 3) v[1] = NaN;
      const before = bits(v);
      expect(bits(sortFloat32(v))).toEqual(bits(Float64Array.from(v).sort()));
      expect(bits(v)).toEqual(before);
    }
  });

  it('skips digits every key shares and still sorts', () => {
    const v = Float32Array.from([1.5, 1.25, 1.75, 1.5, 1.0625]);
    expect(Array.from(sortFloat32(v))).toEqual([1.0625, 1.25, 1.5, 1.5, 1.75]);
  });
});

describe('selectQuantile', () => {
  it('equal quantile() on the sorted copy, signed zeros included', () => {
    for (const [n, seed] of [[1, 1], [2, 2], [5, 3], [601, 4], [4000, 5], [20001, 6]]) {
      const v = awkward(n, seed);
      const sorted = Float64Array.from(v).sort();
      for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.99, 1]) {
        expect(bits([selectQuantile(Float64Array.from(v), q)])).toEqual(bits([quantile(sorted, q)]));
      }
    }
  });

  it('selects the k-th value and its successor right of it, at the ends and in the middle', () => {
    // q puts the interpolation between order statistics k and k+1, so the k-th value and the
    // partition (the successor is the minimum right of k) both reach the result; k = n−1 is q = 1.
    const v = awkward(3000, 9);
    const sorted = Float64Array.from(v).sort();
    for (const k of [0, 1, 1499, 2998, 2999]) {
      const q = k === 2999 ? 1 : (k + 0.25) / 2999;
      expect(Math.floor(2999 * q)).toBe(k);
      expect(bits([selectQuantile(Float64Array.from(v), q)])).toEqual(bits([quantile(sorted, q)]));
    }
  });

  it('is NaN for an empty array or q outside [0, 1]', () => {
    expect(selectQuantile(new Float64Array(0), 0.5)).toBeNaN();
    expect(selectQuantile(Float64Array.from([1, 2]), 2)).toBeNaN();
  });
});
