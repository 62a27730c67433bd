import { describe, expect, it } from 'vitest';
import { firstRepeat, fnv1a } from '../../src/load/unique-ids.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

/** The obvious version: a Map from id to its first row. */
function reference(ids: string[]): [number, number] | null {
  const seen = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    const prev = seen.get(ids[i]!);
    if (prev !== undefined) return [prev, i];
    seen.set(ids[i]!, i);
  }
  return null;
}

describe('firstRepeat', () => {
  it('finds the first repeated id and its earlier row, as a Map would, on seeded random ids', () => {
    const rand = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 3000);
      const space = 1 + Math.floor(rand() * 4 * n); // from almost all repeats to almost none
      const ids = Array.from({ length: n }, () => `id-${Math.floor(rand() * space)}`);
      expect(firstRepeat(ids)).toEqual(reference(ids));
    }
  });

  it('tells apart different ids with the same hash', () => {
    expect(fnv1a('costarring')).toBe(fnv1a('liquid'));
    expect(firstRepeat(['costarring', 'liquid'])).toBeNull();
    expect(firstRepeat(['costarring', 'liquid', 'x', 'liquid'])).toEqual([1, 3]);
    expect(firstRepeat([])).toBeNull();
  });
});
