/**
 * Exact duplicate model inputs: rows hashed over the float32 bit patterns of their values, then
 * compared bit for bit within a hash bucket, so a hash collision can never merge two different inputs.
 *
 * Scale: at a million 784-byte rows this reads ~800 MB, so rows are hashed as 32-bit words straight
 * from the stored bytes (4 independent Math.imul lanes, no per-value conversion) and grouped with
 * small open-addressing tables over typed arrays, one per hash partition (no Map, no per-record object).
 */
import { codeTable, copyRow, rowValues, storesValues } from '../../load/input-values.ts';
import type { ModelInputs } from '../../types.ts';
import { fmix32 } from '../../stats/rng.ts';

/**
 * A row as 32-bit words such that two rows have equal words ⇔ their float32 values are bit-identical:
 * `words[r * rowWords + w]` for the chunk's row r. Byte rows are packed four codes a word (padded with
 * zero bytes to `rowWords` words) when distinct codes have distinct values.
 */
export interface WordChunk {
  words: Uint32Array;
  rowWords: number;
  firstRow: number;
  rows: number;
}

/** Words per chunk when rows must be converted or padded: bounds the scratch buffer. */
const CHUNK_WORDS = 1 << 20;

/** True when distinct uint8 codes have distinct float32 bit patterns: codes then stand for values. */
export function codesAreValues(inputs: ModelInputs): boolean {
  const table = codeTable(inputs);
  if (!table) return false;
  return new Set(new Uint32Array(table.buffer, table.byteOffset, table.length)).size === 256;
}

/** Call `f` with consecutive chunks of whole rows as words (see WordChunk), in dataset order. */
export function forEachWordChunk(inputs: ModelInputs, f: (chunk: WordChunk) => void): void {
  const { n, rowSize, data } = inputs;
  if (n === 0) return;
  const packed = codesAreValues(inputs);
  const rowWords = packed ? Math.ceil(rowSize / 4) : rowSize;
  // Whole data as one view, no copy: float32 values as stored, or byte rows already word-sized and aligned.
  const direct = packed ? rowSize % 4 === 0 && data.byteOffset % 4 === 0 : storesValues(inputs);
  if (direct) {
    f({ words: new Uint32Array(data.buffer, data.byteOffset, n * rowWords), rowWords, firstRow: 0, rows: n });
    return;
  }
  const per = Math.max(1, Math.floor(CHUNK_WORDS / Math.max(rowWords, 1)));
  const words = new Uint32Array(Math.min(per, n) * rowWords);
  const bytes = new Uint8Array(words.buffer);
  const values = new Float32Array(words.buffer);
  const table = codeTable(inputs);
  const bits = table ? new Uint32Array(table.buffer, table.byteOffset, table.length) : null;
  for (let start = 0; start < n; start += per) {
    const rows = Math.min(per, n - start);
    const codes = data as Uint8Array;
    if (packed && rowSize % 4 === 0) bytes.set(codes.subarray(start * rowSize, (start + rows) * rowSize));
    // Padding bytes are never written, so they stay zero in every row.
    else if (packed) for (let r = 0; r < rows; r++) bytes.set(codes.subarray((start + r) * rowSize, (start + r + 1) * rowSize), r * rowWords * 4);
    else if (bits) for (let o = 0, e = rows * rowSize, s = start * rowSize; o < e; o++) words[o] = bits[codes[s + o]];
    else for (let r = 0; r < rows; r++) copyRow(inputs, start + r, values, r * rowSize);
    f({ words: words.subarray(0, rows * rowWords), rowWords, firstRow: start, rows });
  }
}

/** Words per block of forEachWordBlock: small enough to stay in the CPU cache between two passes. */
const BLOCK_WORDS = 1 << 14;

/**
 * forEachWordChunk in blocks of a few dozen rows, so several passes over a block (hashing, input
 * health) read the inputs from memory once instead of once per pass.
 */
export function forEachWordBlock(inputs: ModelInputs, f: (block: WordChunk) => void): void {
  forEachWordChunk(inputs, ({ words, rowWords, firstRow, rows }) => {
    const per = Math.max(1, Math.floor(BLOCK_WORDS / Math.max(rowWords, 1)));
    for (let r = 0; r < rows; r += per) {
      const count = Math.min(per, rows - r);
      f({ words: words.subarray(r * rowWords, (r + count) * rowWords), rowWords, firstRow: firstRow + r, rows: count });
    }
  });
}

/** Groups (≥ 2 records each) of bit-identical input rows, each ascending; groups by first index. */
export function duplicateGroups(inputs: ModelInputs): number[][] {
  const hashes = new Uint32Array(inputs.n);
  forEachWordChunk(inputs, (c) => hashRows(c, hashes));
  return groupsByHash(inputs, hashes);
}

/** duplicateGroups from every row's hashRows hash. */
export function groupsByHash(inputs: ModelInputs, hashes: Uint32Array): number[][] {
  return groupsOf(firstCopies(inputs, hashes));
}

/** Per row of the chunk, a 32-bit hash of its words into out[firstRow + r]. */
export function hashRows({ words, rowWords, firstRow, rows }: WordChunk, out: Uint32Array): void {
  const end4 = rowWords & ~3;
  for (let r = 0; r < rows; r++) {
    const o = r * rowWords;
    // Four independent lanes (words w ≡ 0, 1, 2, 3 mod 4): the multiplies overlap instead of chaining;
    // the rotation carries high input bits down into the low bits the next multiply spreads upward.
    let a = 0x9e3779b9 ^ rowWords;
    let b = 0x85ebca6b;
    let c = 0xc2b2ae35;
    let d = 0x27d4eb2f;
    let w = o;
    for (const e = o + end4; w < e; w += 4) {
      a = Math.imul((a << 5) | (a >>> 27), 0x01000193) ^ words[w];
      b = Math.imul((b << 5) | (b >>> 27), 0x5bd1e995) ^ words[w + 1];
      c = Math.imul((c << 5) | (c >>> 27), 0x01000193) ^ words[w + 2];
      d = Math.imul((d << 5) | (d >>> 27), 0x5bd1e995) ^ words[w + 3];
    }
    for (const e = o + rowWords; w < e; w++) a = Math.imul((a << 5) | (a >>> 27), 0x01000193) ^ words[w];
    // fmix32 spreads every bit: partitions use the hash's top bits, table slots its low bits.
    out[firstRow + r] = fmix32(fmix32(a) ^ Math.imul(fmix32(b), 0x9e3779b1) ^ fmix32(c + Math.imul(d, 0x85ebca6b)));
  }
}

/** Records per hash partition: its probe table (2 slots a record) stays in the CPU cache. */
const PARTITION_RECORDS = 2048;

/**
 * For every record, the first record with the same input (itself when it is the first). Records are
 * partitioned by the top bits of their hash (equal inputs share a partition), then each partition
 * runs an open-addressing table of first copies, probed linearly; equal hashes are confirmed bit for
 * bit. One table over a million records would miss the cache on nearly every probe.
 */
function firstCopies(inputs: ModelInputs, hashes: Uint32Array): Int32Array {
  const { n } = inputs;
  let bits = 0;
  while (bits < 16 && n >>> bits > PARTITION_RECORDS) bits++;
  const shift = 32 - bits;
  const parts = 1 << bits;
  // Counting sort of the records (index and hash) by partition: ascending within each partition,
  // and a partition's hashes contiguous, so the probing below stays in the cache.
  const start = new Int32Array(parts + 1);
  for (let i = 0; i < n; i++) start[(bits ? hashes[i] >>> shift : 0) + 1]++;
  for (let p = 0; p < parts; p++) start[p + 1] += start[p];
  const order = new Int32Array(n);
  const sorted = new Uint32Array(n);
  const fill = start.slice(0, parts);
  for (let i = 0; i < n; i++) {
    const q = fill[bits ? hashes[i] >>> shift : 0]++;
    order[q] = i;
    sorted[q] = hashes[i];
  }

  const first = new Int32Array(n);
  for (let i = 0; i < n; i++) first[i] = i;
  const same = rowEquality(inputs);
  let largest = 0;
  for (let p = 0; p < parts; p++) largest = Math.max(largest, start[p + 1] - start[p]);
  // Slots hold positions q (into order / sorted) of first copies; -1 = empty.
  const slots = new Int32Array(tableSize(largest));
  for (let p = 0; p < parts; p++) {
    const mask = tableSize(start[p + 1] - start[p]) - 1;
    slots.fill(-1, 0, mask + 1);
    for (let q = start[p]; q < start[p + 1]; q++) {
      const h = sorted[q];
      let s = h & mask;
      let f = slots[s];
      for (; f >= 0; s = (s + 1) & mask, f = slots[s]) if (sorted[f] === h && same(order[f], order[q])) break;
      if (f >= 0) first[order[q]] = order[f];
      else slots[s] = q;
    }
  }
  return first;
}

/** A power of two ≥ 2·records (load factor ≤ ½). */
function tableSize(records: number): number {
  let size = 2;
  while (size < 2 * records) size *= 2;
  return size;
}

/** Groups from first copies: in order of their first record, members ascending. */
function groupsOf(first: Int32Array): number[][] {
  const n = first.length;
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) size[first[i]]++;
  const index = new Int32Array(n).fill(-1);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const f = first[i];
    if (size[f] < 2) continue;
    if (f === i) {
      index[i] = out.length;
      out.push([i]);
    } else out[index[f]].push(i);
  }
  return out;
}

/**
 * Bit-for-bit row comparison (only run on equal hashes). uint8 codes that stand for distinct values
 * compare as bytes; otherwise the float32 bit patterns of the values are compared.
 */
function rowEquality(inputs: ModelInputs): (a: number, b: number) => boolean {
  const { rowSize, data } = inputs;
  if (codesAreValues(inputs) || storesValues(inputs)) {
    const bytes = data instanceof Float32Array ? new Uint32Array(data.buffer, data.byteOffset, data.length) : data;
    return (a, b) => equalRange(bytes, a * rowSize, bytes, b * rowSize, rowSize);
  }
  const table = codeTable(inputs);
  if (table) {
    const bits = new Uint32Array(table.buffer, table.byteOffset, table.length);
    const codes = data as Uint8Array;
    return (a, b) => {
      for (let j = 0, x = a * rowSize, y = b * rowSize; j < rowSize; j++) if (bits[codes[x + j]] !== bits[codes[y + j]]) return false;
      return true;
    };
  }
  const va = new Float32Array(rowSize);
  const vb = new Float32Array(rowSize);
  return (a, b) => {
    const ra = rowValues(inputs, a, va);
    const rb = rowValues(inputs, b, vb);
    return equalRange(new Uint32Array(ra.buffer, ra.byteOffset, rowSize), 0, new Uint32Array(rb.buffer, rb.byteOffset, rowSize), 0, rowSize);
  };
}

function equalRange(a: ArrayLike<number>, at: number, b: ArrayLike<number>, bt: number, len: number): boolean {
  for (let j = 0; j < len; j++) if (a[at + j] !== b[bt + j]) return false;
  return true;
}
