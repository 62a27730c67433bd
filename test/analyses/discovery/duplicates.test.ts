/**
 * Exact duplicate inputs against a definitional reference (rows keyed by the bit patterns of their
 * float32 values), over every storage the word packing distinguishes: uint8 codes with distinct
 * values (aligned or not, row sizes not a multiple of four), codes that collapse to equal values,
 * float32 values as stored or scaled — and enough rows for several hash partitions and chunks.
 */
import { describe, expect, it } from 'vitest';
import { duplicateGroups, forEachWordChunk } from '../../../src/analyses/discovery/duplicates.ts';
import { rowValues } from '../../../src/load/input-values.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';
import type { ModelInputs } from '../../../src/types.ts';

/** Groups of records whose float32 values are bit-identical, by first index, each ascending. */
function referenceGroups(inputs: ModelInputs): number[][] {
  const byKey = new Map<string, number[]>();
  const scratch = new Float32Array(inputs.rowSize);
  for (let i = 0; i < inputs.n; i++) {
    const row = rowValues(inputs, i, scratch);
    const key = Array.from(new Uint32Array(Float32Array.from(row).buffer)).join(',');
    const g = byKey.get(key);
    if (g) g.push(i);
    else byKey.set(key, [i]);
  }
  return [...byKey.values()].filter((g) => g.length > 1).sort((a, b) => a[0] - b[0]);
}

/**
 * n seeded uint8 rows drawn from `levels` code values (few levels: many duplicates), every 7th
 * record a copy of an earlier one; `shift` bytes before the data make the view unaligned.
 */
function codes(n: number, rowSize: number, levels: number, shift = 0, seed = 1): Uint8Array {
  const rng = mulberry32(seed);
  const data = new Uint8Array(shift + n * rowSize).subarray(shift);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rng() * levels) * Math.floor(255 / Math.max(levels - 1, 1));
  for (let i = 7; i < n; i += 7) data.copyWithin(i * rowSize, Math.floor(rng() * i) * rowSize, (Math.floor(rng() * i) + 1) * rowSize);
  return data;
}

const uint8 = (data: Uint8Array, n: number, rowSize: number, scale?: number, offset?: number): ModelInputs => ({ file: 'x.npy', n, shape: [rowSize], rowSize, data, scale, offset });

describe('duplicateGroups', () => {
  it('matches the reference for uint8 codes of every row size modulo 4, aligned or not', () => {
    for (const rowSize of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      for (const shift of [0, 1, 3]) {
        const n = 5000; // more than one hash partition
        const inputs = uint8(codes(n, rowSize, 3, shift, rowSize), n, rowSize, 1 / 255);
        const groups = duplicateGroups(inputs);
        expect(groups.length).toBeGreaterThan(0);
        expect(groups).toEqual(referenceGroups(inputs));
      }
    }
  });

  it('groups by value, not by code, when codes collapse to one value or to NaN', () => {
    const n = 300;
    for (const [scale, offset] of [[0, 3], [1e-40, 0], [1, NaN], [-0, 0]]) {
      const inputs = uint8(codes(n, 5, 4), n, 5, scale, offset);
      expect(duplicateGroups(inputs)).toEqual(referenceGroups(inputs));
    }
    // Every row is the same value everywhere: one group of all records.
    expect(duplicateGroups(uint8(codes(n, 5, 4), n, 5, 0, 3))).toEqual([Array.from({ length: n }, (_, i) => i)]);
  });

  it('matches the reference for float32 values, stored or scaled, NaN and −0 by bit pattern', () => {
    const n = 3000;
    const rowSize = 3;
    const rng = mulberry32(5);
    const pool = [0, -0, 1, 0.5, NaN, Infinity];
    const data = Float32Array.from({ length: n * rowSize }, () => pool[Math.floor(rng() * pool.length)]);
    const stored: ModelInputs = { file: 'x.npy', n, shape: [rowSize], rowSize, data };
    expect(duplicateGroups(stored)).toEqual(referenceGroups(stored));
    const scaled: ModelInputs = { ...stored, scale: 2, offset: 0 };
    expect(duplicateGroups(scaled)).toEqual(referenceGroups(scaled));
    // 0 and −0 differ in their bits: rows [0, x, y] and [−0, x, y] never share a group.
    for (const g of duplicateGroups(stored)) expect(new Set(g.map((i) => Object.is(data[i * rowSize], -0))).size).toBe(1);
  });

  it('streams converted rows in several chunks without losing a row or a duplicate across chunks', () => {
    // 9-byte rows are padded to 3 words; ~350 000 rows fit a chunk, so 400 000 rows take two.
    const n = 400_000;
    const rowSize = 9;
    const inputs = uint8(codes(n, rowSize, 2, 1, 9), n, rowSize, 1 / 255);
    const starts: number[] = [];
    let rows = 0;
    forEachWordChunk(inputs, (c) => {
      starts.push(c.firstRow);
      expect(c.firstRow).toBe(rows);
      expect(c.words.length).toBe(c.rows * c.rowWords);
      rows += c.rows;
    });
    expect(starts.length).toBeGreaterThan(1);
    expect(rows).toBe(n);
    expect(duplicateGroups(inputs)).toEqual(referenceGroups(inputs));
    // Codes whose values collide (scale 0) take the per-value path, chunked too.
    const collapsed = uint8(inputs.data as Uint8Array, n, rowSize, 0, 1);
    expect(duplicateGroups(collapsed)).toEqual([Array.from({ length: n }, (_, i) => i)]);
  });

  it('finds nothing in empty or duplicate-free inputs', () => {
    expect(duplicateGroups(uint8(new Uint8Array(0), 0, 4, 1))).toEqual([]);
    const distinct = uint8(Uint8Array.from({ length: 256 * 4 }, (_, i) => (i % 4 === 0 ? i / 4 : 0)), 256, 4, 1);
    expect(duplicateGroups(distinct)).toEqual([]);
  });
});
