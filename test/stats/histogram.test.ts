import { describe, expect, it } from 'vitest';
import { histogram, histogramSorted, linearEdges, logEdges } from '../../src/stats/histogram.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

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

/** The plain definition: a linear scan over the edges for every value. */
function reference(values: ArrayLike<number>, edges: number[]) {
  const counts = new Array<number>(edges.length - 1).fill(0);
  let below = 0;
  let above = 0;
  let nan = 0;
  for (const v of Array.from(values)) {
    if (Number.isNaN(v)) nan++;
    else if (v < edges[0]) below++;
    else if (v > edges[edges.length - 1]) above++;
    else {
      let b = 0;
      while (b < counts.length - 1 && edges[b + 1] <= v) b++;
      counts[b]++;
    }
  }
  return { counts, below, above, nan };
}

describe('histogram on many values', () => {
  const rng = mulberry32(7);
  // Values exactly on edges as well as between them, outside, infinite and NaN.
  const lin = linearEdges(-5, 20, 50);
  const log = logEdges(1e-5, 30, 48);
  const sample = (edges: number[]) =>
    Array.from({ length: 5000 }, () => {
      const u = rng();
      if (u < 0.2) return edges[Math.floor(rng() * edges.length)];
      if (u < 0.22) return [NaN, Infinity, -Infinity][Math.floor(rng() * 3)];
      return edges[0] - 1 + rng() * (edges[edges.length - 1] - edges[0] + 2);
    });

  it('evenly spaced and geometric edges count as the definition does', () => {
    for (const edges of [lin, log, [0, 0.1, 0.3, 1, 3]]) {
      const v = sample(edges);
      expect(histogram(v, edges)).toEqual(reference(v, edges));
    }
  });

  it('histogramSorted gives the same counts from sorted values (NaN last)', () => {
    for (const edges of [lin, log, [0, 1, 2, 3]]) {
      const v = Float64Array.from(sample(edges)).sort();
      expect(histogramSorted(v, edges)).toEqual(reference(v, edges));
    }
    expect(histogramSorted([], [0, 1])).toEqual({ counts: [0], below: 0, above: 0, nan: 0 });
  });
});
