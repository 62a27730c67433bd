import { describe, expect, it } from 'vitest';
import { mad, median, robustCenterScale, robustZ, zScores } from '../../src/stats/robust.ts';

describe('median / mad', () => {
  it('odd and even counts, NaN ignored', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, NaN, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    // |x − 3| for [1,2,3,4,100] = [2,1,0,1,97] → median 1
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(mad([NaN])).toBeNaN();
  });
});

describe('robustZ', () => {
  it('uses 1.4826·MAD', () => {
    const z = robustZ([1, 2, 3, 4, 100]);
    expect(Array.from(z)).toEqual([-2 / 1.4826, -1 / 1.4826, 0, 1 / 1.4826, 97 / 1.4826]);
  });

  it('falls back to 1.2533·mean absolute deviation when MAD is 0', () => {
    // median 0, MAD 0 (four zeros of five); mean |dev| = 10/5 = 2 → scale 2.5066
    const z = robustZ([0, 0, 0, 0, 10]);
    expect(z[4]).toBeCloseTo(10 / (1.2533 * 2), 12);
    expect(z[0]).toBe(0);
  });

  it('all-identical values give 0 everywhere', () => {
    expect(Array.from(robustZ([2, 2, 2]))).toEqual([0, 0, 0]);
  });

  it('a single record gives 0', () => {
    expect(Array.from(robustZ([5]))).toEqual([0]);
  });

  it('NaN in → NaN out, and NaN does not move the centre', () => {
    const z = robustZ([1, NaN, 2, 3, 4, 100]);
    expect(z[1]).toBeNaN();
    expect(z[3]).toBe(0);
    expect(z[0]).toBe(-2 / 1.4826);
  });

  it('does not mutate its input', () => {
    const v = new Float32Array([3, 1, 2]);
    robustZ(v);
    expect(Array.from(v)).toEqual([3, 1, 2]);
  });
});

describe('robustCenterScale / zScores', () => {
  it('are the centre and scale robustZ uses', () => {
    const v = [1, NaN, 2, 3, 4, 100, -7, 2];
    const { center, scale } = robustCenterScale(v);
    expect(center).toBe(median(v));
    expect(scale).toBe(1.4826 * mad(v));
    expect(Array.from(zScores(v, center, scale, new Float64Array(v.length)))).toEqual(Array.from(robustZ(v)));
  });

  it('a median on the larger side of a long run of ties (selection, not sorting)', () => {
    // 1000 values: 600 copies of 5, then 0..399: sorted position 499.5 falls inside the 5s.
    const v = [...new Array<number>(600).fill(5), ...Array.from({ length: 400 }, (_, i) => i)];
    expect(median(v)).toBe(5);
    expect(mad(v)).toBe(0);
  });
});
