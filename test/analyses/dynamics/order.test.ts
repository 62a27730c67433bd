/** The first positions of a ranking, against sorting every candidate. */
import { describe, expect, it } from 'vitest';
import { firstInOrder } from '../../../src/analyses/dynamics/order.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';

describe('firstInOrder', () => {
  const m = 5000;
  const rng = mulberry32(3);
  // Few distinct keys (many ties, broken by position) and some NaN-free negatives.
  const key = Float64Array.from({ length: m }, () => Math.floor(rng() * 20) - 5);
  const keep = (r: number) => key[r] !== 0;
  const compare = (a: number, b: number) => key[b] - key[a] || a - b;
  const all = Array.from({ length: m }, (_, r) => r).filter(keep).sort(compare);

  it('gives the prefix a full sort gives, and the number of candidates', () => {
    for (const limit of [0, 1, 10, 64, 65, 200, m]) {
      const { positions, count } = firstInOrder(m, keep, compare, limit);
      expect(positions).toEqual(all.slice(0, limit));
      expect(count).toBe(all.length);
    }
  });

  it('handles candidates arriving worst first and fewer candidates than wanted', () => {
    const asc = (a: number, b: number) => b - a; // later positions rank first: every candidate is inserted at the front
    expect(firstInOrder(100, () => true, asc, 5).positions).toEqual([99, 98, 97, 96, 95]);
    expect(firstInOrder(3, (r) => r !== 1, asc, 10)).toEqual({ positions: [2, 0], count: 2 });
  });
});
