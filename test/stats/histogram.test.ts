import { describe, expect, it } from 'vitest';
import { histogram, linearEdges, logEdges } from '../../src/stats/histogram.ts';

describe('edges', () => {
  it('linearEdges is evenly spaced with exact end points', () => {
    expect(linearEdges(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const e = linearEdges(0, 0.3, 3);
    expect(e[3]).toBe(0.3);
  });

  it('logEdges is geometric with exact end points', () => {
    const e = logEdges(0.001, 10, 4);
    expect(e[0]).toBe(0.001);
    expect(e[4]).toBe(10);
    expect(e[1]).toBeCloseTo(0.01, 15);
    expect(e[2]).toBeCloseTo(0.1, 15);
    expect(e[3]).toBeCloseTo(1, 14);
  });

  it('rejects invalid arguments', () => {
    expect(() => logEdges(0, 1, 3)).toThrow(RangeError);
    expect(() => linearEdges(0, 1, 0)).toThrow(RangeError);
  });
});

describe('histogram', () => {
  const edges = [0, 1, 2, 3];

  it('bins are [a, b) with the last bin closed; nothing is dropped', () => {
    const h = histogram([0, 0.5, 1, 1.999, 2, 3, -0.1, 3.0001, NaN, Infinity, -Infinity], edges);
    // 0, 0.5 → bin0; 1, 1.999 → bin1; 2, 3 → bin2 (3 is the closed right edge)
    expect(h).toEqual({ counts: [2, 2, 2], below: 2, above: 2, nan: 1 });
  });

  it('all values in one bin', () => {
    expect(histogram(new Float32Array([1.5, 1.5, 1.5]), edges).counts).toEqual([0, 3, 0]);
  });

  it('empty input gives zero counts', () => {
    expect(histogram([], edges)).toEqual({ counts: [0, 0, 0], below: 0, above: 0, nan: 0 });
  });
});
