/**
 * Exact duplicate model inputs: rows hashed over the float32 bit patterns of their values, then
 * compared bit for bit within a hash bucket, so a hash collision can never merge two different inputs.
 */
import { codeTable, rowValues } from '../../load/input-values.ts';
import type { ModelInputs } from '../../types.ts';

/** Groups (≥ 2 records each) of bit-identical input rows, each ascending; groups by first index. */
export function duplicateGroups(inputs: ModelInputs): number[][] {
  const { n, rowSize } = inputs;
  const bitsOf = rowBits(inputs);
  // Hash → the first record with it (a plain number: no per-record array for the common unique row),
  // or → groups once a second record shares the hash.
  const buckets = new Map<number, number | number[][]>();
  for (let i = 0; i < n; i++) {
    const row = bitsOf(i, 0);
    const key = hashRow(row, rowSize);
    const seen = buckets.get(key);
    if (seen === undefined) {
      buckets.set(key, i);
      continue;
    }
    const groups = typeof seen === 'number' ? [[seen]] : seen;
    if (typeof seen === 'number') buckets.set(key, groups);
    const same = groups.find((g) => equalRows(bitsOf(g[0], 1), row, rowSize));
    if (same) same.push(i);
    else groups.push([i]);
  }
  const out: number[][] = [];
  for (const groups of buckets.values()) if (typeof groups !== 'number') for (const g of groups) if (g.length > 1) out.push(g);
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * The float32 bit patterns of record i's values, in one of two scratch rows (slot 0 or 1, so two
 * records can be compared). uint8 codes map through the bit patterns of their 256 values.
 */
function rowBits(inputs: ModelInputs): (i: number, slot: 0 | 1) => ArrayLike<number> {
  const { rowSize, data } = inputs;
  const table = codeTable(inputs);
  const scratch = [new Uint32Array(rowSize), new Uint32Array(rowSize)];
  if (table) {
    const bits = new Uint32Array(table.buffer, table.byteOffset, table.length);
    // Codes with pairwise different values: equal codes ⇔ equal bits, so rows are hashed and compared
    // as bytes (the groups come out the same; only hash buckets differ, and they are not output).
    if (new Set(bits).size === 256) return (i) => (data as Uint8Array).subarray(i * rowSize, (i + 1) * rowSize);
    return (i, slot) => {
      const out = scratch[slot];
      for (let j = 0, o = i * rowSize; j < rowSize; j++) out[j] = bits[data[o + j]];
      return out;
    };
  }
  const values = [new Float32Array(scratch[0].buffer), new Float32Array(scratch[1].buffer)];
  return (i, slot) => {
    const row = rowValues(inputs, i, values[slot]);
    return row === values[slot] ? scratch[slot] : new Uint32Array(row.buffer, row.byteOffset, row.length);
  };
}

/** Two independent 32-bit FNV-1a-style hashes (different offsets and multipliers), folded to one small integer key. */
function hashRow(bits: ArrayLike<number>, len: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ len;
  for (let j = 0; j < len; j++) {
    const v = bits[j];
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ (v >>> 16) ^ (v << 16), 0x5bd1e995);
  }
  // 30 bits keep the Map's keys small integers; equal hashes are still compared bit for bit.
  return ((h1 ^ Math.imul(h2, 0x9e3779b1)) >>> 2) & 0x3fffffff;
}

function equalRows(a: ArrayLike<number>, b: ArrayLike<number>, len: number): boolean {
  for (let j = 0; j < len; j++) if (a[j] !== b[j]) return false;
  return true;
}
