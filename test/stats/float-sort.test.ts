import { describe, expect, it } from 'vitest';
import { floatKey, keysToBits, radixSort } from '../../src/stats/float-sort.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

const bitsOf = (xs: number[]) => new Uint32Array(Float32Array.from(xs).buffer);

describe('floatKey', () => {
  it('orders keys like the floats (−0 as +0) and keysToBits gives the bits back', () => {
    const floats = [-Infinity, -3e38, -1, -1e-45, -0, 0, 1e-45, 1e-38, 0.5, 1, 3e38, Infinity].map(Math.fround);
    const keys = Uint32Array.from(bitsOf(floats), floatKey);
    for (let i = 1; i < floats.length; i++) expect(Math.sign(keys[i]! - keys[i - 1]!)).toBe(Math.sign(floats[i]! - floats[i - 1]!));
    keysToBits(keys);
    expect(Array.from(new Float32Array(keys.buffer))).toEqual(floats.map((x) => (Object.is(x, -0) ? 0 : x)));
  });
});

describe('radixSort', () => {
  /** The stable sort by its definition: a comparison sort by key, ties by position. */
  const byDefinition = (keys: Uint32Array) => Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]! || a - b);

  it('sorts items with their keys, stably, like a comparison sort', () => {
    const rng = mulberry32(12);
    for (const n of [0, 1, 7, 5000, 70_000]) {
      // Keys from the whole range and clustered ones (many ties), so every digit matters.
      const keys = Uint32Array.from({ length: n }, (_, i) => (i % 3 ? Math.floor(rng() * 2 ** 32) : 0x80000000 + Math.floor(rng() * 50) * 2049));
      const want = byDefinition(keys);
      const sorted = radixSort(Int32Array.from(keys.keys()), keys.slice());
      expect(Array.from(sorted.items)).toEqual(want);
      expect(Array.from(sorted.keys)).toEqual(want.map((i) => keys[i]!));
    }
  });

  it('skips a digit every key shares and still sorts (keys differing only in the low digits, or only in the top one)', () => {
    const rng = mulberry32(13);
    for (const make of [() => 0xbf000000 + Math.floor(rng() * 4096), () => Math.floor(rng() * 1024) << 22]) {
      const keys = Uint32Array.from({ length: 3000 }, make);
      const sorted = radixSort(Int32Array.from(keys.keys()), keys.slice());
      expect(Array.from(sorted.items)).toEqual(byDefinition(keys));
    }
  });
});
