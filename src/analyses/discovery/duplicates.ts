/**
 * Exact duplicate model inputs: rows hashed over their float32 bit patterns, then compared bit for
 * bit within a hash bucket, so a hash collision can never merge two different inputs.
 */
import type { ModelInputs } from '../../types.ts';

/** Groups (≥ 2 records each) of bit-identical input rows, each ascending; groups by first index. */
export function duplicateGroups(inputs: ModelInputs): number[][] {
  const { n, rowSize, data } = inputs;
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const buckets = new Map<string, number[][]>();
  for (let i = 0; i < n; i++) {
    const key = hashRow(bits, i * rowSize, rowSize);
    const groups = buckets.get(key);
    if (!groups) {
      buckets.set(key, [[i]]);
      continue;
    }
    const same = groups.find((g) => equalRows(bits, g[0] * rowSize, i * rowSize, rowSize));
    if (same) same.push(i);
    else groups.push([i]);
  }
  const out: number[][] = [];
  for (const groups of buckets.values()) for (const g of groups) if (g.length > 1) out.push(g);
  return out.sort((a, b) => a[0] - b[0]);
}

/** Two independent 32-bit FNV-1a-style hashes (different offsets and multipliers) as one key. */
function hashRow(bits: Uint32Array, start: number, len: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ len;
  for (let j = start; j < start + len; j++) {
    const v = bits[j];
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h2 = Math.imul(h2 ^ (v >>> 16) ^ (v << 16), 0x5bd1e995);
  }
  return `${(h1 >>> 0).toString(36)}.${(h2 >>> 0).toString(36)}`;
}

function equalRows(bits: Uint32Array, a: number, b: number, len: number): boolean {
  for (let j = 0; j < len; j++) if (bits[a + j] !== bits[b + j]) return false;
  return true;
}
