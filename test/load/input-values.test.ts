import { describe, expect, it } from 'vitest';
import { duplicateGroups } from '../../src/analyses/discovery/duplicates.ts';
import { inputHealth } from '../../src/analyses/discovery/integrity-checks.ts';
import { splitHash } from '../../src/analyses/split-hash.ts';
import { codeTable, convertCodes, copyRow, fillBatch, firstNonFinite, forEachChunk, inputValue, rowValues } from '../../src/load/input-values.ts';
import type { Dataset, ModelInputs } from '../../src/types.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

/** Seeded uint8 rows with duplicates, a blank row and a constant first column, plus their Float32 twin. */
function pair(scale: number, offset: number): { codes: ModelInputs; floats: ModelInputs } {
  const n = 40;
  const d = 6;
  const rng = mulberry32(7);
  const data = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 1; j < d; j++) data[i * d + j] = Math.floor(rng() * 4) * 85;
  data.copyWithin(5 * d, 2 * d, 3 * d); // record 5 = record 2
  data.fill(0, 9 * d, 10 * d); // a blank record
  const codes: ModelInputs = { file: 'x.npy', n, shape: [d], rowSize: d, data, scale, offset };
  // What loading produced before inputs stayed uint8: the float64 product stored as Float32.
  const floats: ModelInputs = { file: 'x.npy', n, shape: [d], rowSize: d, data: Float32Array.from(data, (v) => v * scale + offset) };
  return { codes, floats };
}

const all = (x: ModelInputs) => {
  const out = new Float32Array(x.n * x.rowSize);
  fillBatch(x, Int32Array.from({ length: x.n }, (_, i) => i), out);
  return out;
};

describe('input values', () => {
  it('maps uint8 codes bit for bit as loading into Float32 did, whatever accessor reads them', () => {
    const { codes, floats } = pair(1 / 255, -0.5);
    expect(Buffer.from(all(codes).buffer).equals(Buffer.from((floats.data as Float32Array).slice().buffer))).toBe(true);
    const scratch = new Float32Array(codes.rowSize);
    expect(Array.from(rowValues(codes, 3, scratch))).toEqual(Array.from(rowValues(floats, 3, scratch.slice())));
    expect(inputValue(codes, 7, 4)).toBe(floats.data[7 * 6 + 4]);
    const out = new Float32Array(8).fill(-1);
    copyRow(codes, 1, out, 2);
    expect(Array.from(out)).toEqual([-1, -1, ...Array.from(floats.data.subarray(6, 12))]);
    expect(codeTable(floats)).toBeNull();
    // A batch of chosen rows, packed densely.
    const batch = new Float32Array(2 * 6);
    fillBatch(codes, [4, 0, 9], batch, 1, 2);
    expect(Array.from(batch)).toEqual([...Array.from(floats.data.subarray(0, 6)), ...Array.from(floats.data.subarray(54, 60))]);
  });

  it('convertCodes looks up a range of codes into a range of values, and runs alone from its source (as the worker pools embed it)', () => {
    const table = Float32Array.from({ length: 256 }, (_, v) => v / 4 - 1);
    const codes = Uint8Array.from({ length: 11 }, (_, i) => (i * 37) % 256);
    const expected = (start: number, count: number) => Array.from(codes.subarray(start, start + count), (c) => table[c]);
    for (const [start, count] of [[0, 11], [3, 7], [2, 1], [5, 0]]) {
      const out = new Float32Array(count + 3).fill(9);
      convertCodes(table, codes, start, count, out, 2);
      expect(Array.from(out)).toEqual([9, 9, ...expected(start, count), 9]);
      // Compiled from its source text with nothing else in scope, it gives the same values.
      const embedded = new Function(`${convertCodes.toString()}; return convertCodes;`)() as typeof convertCodes;
      const again = new Float32Array(count + 3).fill(9);
      embedded(table, codes, start, count, again, 2);
      expect(Array.from(again)).toEqual(Array.from(out));
    }
  });

  it('views Float32 values without copying, and streams every value in row chunks', () => {
    const { floats } = pair(1, 0);
    const row = rowValues(floats, 2, new Float32Array(6));
    expect(row.buffer).toBe(floats.data.buffer);
    const seen: number[] = [];
    forEachChunk(floats, (values, first, rows) => {
      expect(values.length).toBe(rows * 6);
      seen.push(first);
    });
    expect(seen).toEqual([0]);
  });

  it('finds non-finite values through scale/offset (uint8 codes) and in Float32 rows', () => {
    const { codes } = pair(Number.POSITIVE_INFINITY, 0);
    expect(firstNonFinite(codes, 9)).toBe(0); // 0 × Infinity = NaN
    expect(firstNonFinite(pair(2, 1).codes, 9)).toBe(-1);
    const f: ModelInputs = { file: 'x', n: 1, shape: [3], rowSize: 3, data: Float32Array.from([0, Number.NaN, 1]) };
    expect(firstNonFinite(f, 0)).toBe(1);
  });

  it('gives uint8 and Float32 inputs of the same values the same duplicates, health and split hash', () => {
    for (const [scale, offset] of [[1 / 255, 0], [1, 0], [0, 3], [1e-40, 0]] as const) {
      // scale 0 and 1e-40 map distinct codes to one value: grouping must follow values, not codes.
      const { codes, floats } = pair(scale, offset);
      expect(duplicateGroups(codes)).toEqual(duplicateGroups(floats));
      expect(inputHealth(codes)).toEqual(inputHealth(floats));
      const dataset = { n: codes.n, ids: Array.from({ length: codes.n }, (_, i) => `r${i}`), labels: new Int32Array(codes.n), classes: ['a'], split: new Int32Array(codes.n), splitNames: ['test'] } as unknown as Dataset;
      expect(splitHash(dataset, codes, 'test')).toBe(splitHash(dataset, floats, 'test'));
    }
    expect(duplicateGroups(pair(1, 0).codes)).toContainEqual([2, 5]);
    expect(duplicateGroups(pair(0, 3).codes)).toEqual([Array.from({ length: 40 }, (_, i) => i)]);
  });
});
