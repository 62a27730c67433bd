/**
 * inputHealth on uint8 codes (the word-packed pass) against the same values stored as float32 (the
 * per-value pass): constant records, constant positions, positions that start varying only after
 * many rows, row sizes not a multiple of four, unaligned views.
 */
import { describe, expect, it } from 'vitest';
import { duplicateGroups } from '../../../src/analyses/discovery/duplicates.ts';
import { duplicateFindings, inputHealth, scanInputs } from '../../../src/analyses/discovery/integrity-checks.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';
import type { ModelInputs } from '../../../src/types.ts';

const SCALE = 1 / 255;

/**
 * n seeded rows: position 0 constant, position 1 constant (the same 7) until record `lateAt`, the
 * rest random; every 50th record flat (7 repeated), every 70th flat except its last value.
 */
function rowsOf(n: number, rowSize: number, lateAt: number, shift: number): Uint8Array {
  const rng = mulberry32(rowSize * 10 + shift);
  const data = new Uint8Array(shift + n * rowSize).subarray(shift);
  for (let i = 0; i < n; i++) {
    const row = data.subarray(i * rowSize, (i + 1) * rowSize);
    for (let j = 0; j < rowSize; j++) row[j] = Math.floor(rng() * 256);
    row[0] = 7;
    if (rowSize > 1) row[1] = i >= lateAt ? 8 : 7;
    if (i % 50 === 49) row.fill(7);
    if (i % 70 === 69) {
      row.fill(7);
      row[rowSize - 1] = 8;
    }
  }
  return data;
}

const asCodes = (data: Uint8Array, n: number, rowSize: number): ModelInputs => ({ file: 'x.npy', n, shape: [rowSize], rowSize, data, scale: SCALE });
const asFloats = (data: Uint8Array, n: number, rowSize: number): ModelInputs => ({ file: 'x.npy', n, shape: [rowSize], rowSize, data: Float32Array.from(data, (v) => v * SCALE) });

describe('inputHealth on uint8 codes', () => {
  it('matches the per-value pass for every row size modulo 4, aligned or not', () => {
    const n = 2000;
    for (const rowSize of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13]) {
      for (const shift of [0, 2]) {
        const data = rowsOf(n, rowSize, 1500, shift);
        const fast = inputHealth(asCodes(data, n, rowSize));
        expect(fast).toEqual(inputHealth(asFloats(data, n, rowSize)));
        if (rowSize > 1) expect(fast.constantRecords.length).toBeGreaterThan(0);
      }
    }
  });

  it('counts a position as varying even when it first varies long after the others settled', () => {
    const n = 3000;
    const rowSize = 6;
    const late = inputHealth(asCodes(rowsOf(n, rowSize, 2990, 0), n, rowSize));
    const never = inputHealth(asCodes(rowsOf(n, rowSize, n, 0), n, rowSize));
    expect(late.constantFeatures).toBe(1); // position 0 only
    expect(never.constantFeatures).toBe(2); // positions 0 and 1
  });

  it('a row equal to its first value except in the last position is not constant', () => {
    // Record 0: eight 3s then a 4 (the last value sits in a padded word); record 1: nine 3s.
    const data = Uint8Array.from([3, 3, 3, 3, 3, 3, 3, 3, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    const h = inputHealth(asCodes(data, 2, 9));
    expect(h.constantRecords).toEqual([1]);
    expect(h.constantFeatures).toBe(8);
  });
});

describe('scanInputs', () => {
  it('gives what inputHealth and duplicateGroups give separately, in one pass over many blocks', () => {
    // 20 000 rows of 9 codes (3 words): several blocks of a few thousand rows each; duplicates every 97th record.
    const n = 20_000;
    const rowSize = 9;
    const data = rowsOf(n, rowSize, 15_000, 1);
    for (let i = 97; i < n; i += 97) data.copyWithin(i * rowSize, (i - 90) * rowSize, (i - 89) * rowSize);
    for (const inputs of [asCodes(data, n, rowSize), asFloats(data, n, rowSize)]) {
      const scan = scanInputs(inputs);
      expect(scan.health).toEqual(inputHealth(inputs));
      expect(scan.duplicates).toEqual(duplicateGroups(inputs));
      expect(scan.duplicates.length).toBeGreaterThan(0);
    }
    expect(scanInputs(asCodes(data, n, rowSize)).health).toEqual(inputHealth(asFloats(data, n, rowSize)));
  });
});

describe('duplicateFindings', () => {
  it('lists a group of 200 000 copies spread over splits without spreading it as arguments', () => {
    const n = 200_000;
    const group = Array.from({ length: n }, (_, i) => i); // e.g. blank records: one input, many copies
    const split = Int32Array.from(group, (i) => i % 2);
    const f = duplicateFindings([group], new Int32Array(n), split, ['a', 'b']); // no training split: every copy counts
    expect(f.leaked.length).toBe(n);
    expect(f.extraCopies).toBe(n - 1);
  });
});
