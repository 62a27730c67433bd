import { describe, expect, it } from 'vitest';
import { firstRepeat, fnv1a, IdIndex, idIndexOf } from '../../src/load/unique-ids.ts';
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

describe('IdIndex', () => {
  it('gives the row of every id and −1 for absent ones, as a Map would, on seeded random ids', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 100; trial++) {
      const n = Math.floor(rand() * 3000);
      const ids = [...new Set(Array.from({ length: n }, () => `id-${Math.floor(rand() * 8 * n)}`))];
      const index = new IdIndex(ids);
      const map = new Map(ids.map((id, i) => [id, i]));
      for (let q = 0; q < 200; q++) {
        const probe = `id-${Math.floor(rand() * 8 * n)}`;
        expect(index.get(probe)).toBe(map.get(probe) ?? -1);
      }
      ids.forEach((id, i) => expect(index.get(id)).toBe(i));
    }
  });

  it('tells apart ids with the same hash, and is built once per id list', () => {
    const ids = ['costarring', 'x', 'liquid'];
    const index = idIndexOf(ids);
    expect([index.get('costarring'), index.get('liquid'), index.get('x'), index.get('y')]).toEqual([0, 2, 1, -1]);
    expect(new IdIndex([]).get('a')).toBe(-1);
    expect(idIndexOf(ids)).toBe(index);
    expect(idIndexOf([...ids])).not.toBe(index);
  });
});
