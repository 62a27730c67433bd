/**
 * Reading model input values out of `ModelInputs`. Inputs are kept in the dtype the file stores
 * (uint8 pixels: 1 byte per value instead of 4), so every consumer goes through these functions,
 * which map a stored value to what the model sees exactly as loading always did: the float64
 * product `stored * scale + offset`, rounded once to float32.
 */
import type { ModelInputs } from '../types.ts';

/** True when `data` already holds the values the model sees. */
export function storesValues(inputs: ModelInputs): inputs is ModelInputs & { data: Float32Array } {
  return inputs.data instanceof Float32Array && inputs.scale === undefined && inputs.offset === undefined;
}

interface CodeTable {
  scale: number;
  offset: number;
  values: Float32Array;
  allFinite: boolean;
}
const tables = new WeakMap<Uint8Array, CodeTable>();

function tableOf(inputs: ModelInputs): CodeTable | null {
  if (!(inputs.data instanceof Uint8Array)) return null;
  const scale = inputs.scale ?? 1;
  const offset = inputs.offset ?? 0;
  // Memoised per data view; a copy of the object with another scale/offset gets its own table.
  const cached = tables.get(inputs.data);
  if (cached && Object.is(cached.scale, scale) && Object.is(cached.offset, offset)) return cached;
  const values = codeValues(scale, offset);
  const t = { scale, offset, values, allFinite: values.every(Number.isFinite) };
  tables.set(inputs.data, t);
  return t;
}

/** The model value of each of the 256 uint8 codes: the float64 code · scale + offset, rounded once to float32. */
export function codeValues(scale: number, offset: number): Float32Array {
  const values = new Float32Array(256);
  for (let v = 0; v < 256; v++) values[v] = v * scale + offset;
  return values;
}

/** uint8 storage: the float32 value of each of the 256 stored codes. Null when data is not uint8. */
export function codeTable(inputs: ModelInputs): Float32Array | null {
  return tableOf(inputs)?.values ?? null;
}

/** Write the values of record `i` into `out` at `at`. */
export function copyRow(inputs: ModelInputs, i: number, out: Float32Array, at = 0): void {
  const d = inputs.rowSize;
  const start = i * d;
  if (storesValues(inputs)) {
    out.set(inputs.data.subarray(start, start + d), at);
    return;
  }
  const table = codeTable(inputs);
  const data = inputs.data;
  if (table) {
    convertCodes(table, data as Uint8Array, start, d, out, at);
    return;
  }
  const scale = inputs.scale ?? 1;
  const offset = inputs.offset ?? 0;
  for (let j = 0; j < d; j++) out[at + j] = data[start + j] * scale + offset;
}

/**
 * The values of record `i`: a view into `data` when it holds values, else `scratch` (rowSize long)
 * filled with them. Valid until the next call with the same scratch.
 */
export function rowValues(inputs: ModelInputs, i: number, scratch: Float32Array): Float32Array {
  if (storesValues(inputs)) return inputs.data.subarray(i * inputs.rowSize, (i + 1) * inputs.rowSize);
  copyRow(inputs, i, scratch);
  return scratch;
}

/**
 * out[at + j] = table[codes[start + j]] for j < count, unrolled by four: this runs over every input
 * value once per checkpoint, and the unrolled loop is about twice as fast in V8 as the plain one.
 * The worker pools (score/workers.ts, score/ort-pool.ts) embed this function's source, so it
 * refers to nothing but its arguments.
 */
export function convertCodes(table: Float32Array, codes: Uint8Array, start: number, count: number, out: Float32Array, at: number): void {
  const end4 = start + (count & ~3);
  let o = at;
  let j = start;
  for (; j < end4; j += 4, o += 4) {
    out[o] = table[codes[j]];
    out[o + 1] = table[codes[j + 1]];
    out[o + 2] = table[codes[j + 2]];
    out[o + 3] = table[codes[j + 3]];
  }
  for (; j < start + count; j++, o++) out[o] = table[codes[j]];
}

/** Pack the values of `rows[from .. from+count)` densely into `out` (a model batch). */
export function fillBatch(inputs: ModelInputs, rows: ArrayLike<number>, out: Float32Array, from = 0, count = rows.length - from): void {
  const d = inputs.rowSize;
  const table = codeTable(inputs);
  for (let r = 0; r < count; ) {
    if (!table) {
      copyRow(inputs, rows[from + r], out, r * d);
      r++;
      continue;
    }
    // A run of consecutive records (the usual case: every record scorable) is one contiguous block.
    let run = 1;
    while (r + run < count && rows[from + r + run] === rows[from + r] + run) run++;
    convertCodes(table, inputs.data as Uint8Array, rows[from + r] * d, run * d, out, r * d);
    r += run;
  }
}

/** Records [start, end) of `inputs` as inputs of their own (a view: no copy). */
export function inputRows(inputs: ModelInputs, start: number, end: number): ModelInputs {
  return { ...inputs, n: end - start, data: inputs.data.subarray(start * inputs.rowSize, end * inputs.rowSize) };
}

/** The value at position `j` of record `i`. */
export function inputValue(inputs: ModelInputs, i: number, j: number): number {
  const v = inputs.data[i * inputs.rowSize + j];
  if (storesValues(inputs)) return v;
  const table = codeTable(inputs);
  return table ? table[v] : Math.fround(v * (inputs.scale ?? 1) + (inputs.offset ?? 0));
}

/** Index of the first non-finite value of record `row`, or -1: such records cannot be scored. */
export function firstNonFinite(inputs: ModelInputs, row: number): number {
  // uint8 codes whose 256 values are all finite (any finite scale/offset): no row can hold a non-finite value.
  if (tableOf(inputs)?.allFinite) return -1;
  for (let j = 0; j < inputs.rowSize; j++) if (!Number.isFinite(inputValue(inputs, row, j))) return j;
  return -1;
}

/**
 * Input values per chunk of forEachChunk (streaming every value, e.g. hashing): bounds its scratch
 * buffer, not the result. Not src/score/chunking.ts's CHUNK_VALUES, which sizes a model call for the CPU cache.
 */
const STREAM_VALUES = 1 << 20;

/**
 * Call `f` with the values of consecutive records, a chunk of whole rows at a time, in dataset order
 * (a view into `data` when it holds values, else a scratch buffer reused between calls).
 */
export function forEachChunk(inputs: ModelInputs, f: (values: Float32Array, firstRow: number, rows: number) => void): void {
  const d = Math.max(inputs.rowSize, 1);
  const per = Math.max(1, Math.floor(STREAM_VALUES / d));
  const scratch = storesValues(inputs) ? null : new Float32Array(Math.min(per, inputs.n) * inputs.rowSize);
  for (let start = 0; start < inputs.n; start += per) {
    const rows = Math.min(per, inputs.n - start);
    if (!scratch) {
      f(inputs.data.subarray(start * inputs.rowSize, (start + rows) * inputs.rowSize) as Float32Array, start, rows);
      continue;
    }
    for (let r = 0; r < rows; r++) copyRow(inputs, start + r, scratch, r * inputs.rowSize);
    f(scratch.subarray(0, rows * inputs.rowSize), start, rows);
  }
}
