/** The first positions of a ranking, against sorting every candidate. */
import { describe, expect, it } from 'vitest';
import { firstInOrder } from '../../src/analyses/first-in-order.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

describe('firstInOrder', () => {
  const m = 5000;
  const rng = mulberry32(3);
  // Few distinct keys (many ties, broken by position) and some NaN-free negatives.
  const key = Float64Array.from({ length: m }, () => Math.floor(rng() * 20) - 5);
  const candidates = Array.from({ length: m }, (_, r) => r).filter((r) => key[r] !== 0);
  const compare = (a: number, b: number) => key[b] - key[a] || a - b;
  const all = [...candidates].sort(compare);

  it('gives the prefix a full sort gives', () => {
    for (const limit of [0, 1, 10, 64, 65, 200, m]) expect(firstInOrder(candidates, compare, limit)).toEqual(all.slice(0, limit));
    expect(firstInOrder(Int32Array.from(candidates), compare, 10)).toEqual(all.slice(0, 10));
  });

  it('handles candidates arriving worst first and fewer candidates than wanted', () => {
    const asc = (a: number, b: number) => b - a; // later positions rank first: every candidate is inserted at the front
    expect(firstInOrder(Array.from({ length: 100 }, (_, r) => r), asc, 5)).toEqual([99, 98, 97, 96, 95]);
    expect(firstInOrder([0, 2], asc, 10)).toEqual([2, 0]);
    expect(firstInOrder([0, 2], asc, -1)).toEqual([]);
  });
});
