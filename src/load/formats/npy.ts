/**
 * NumPy .npy reader/writer (format versions 1.0–3.0, C order, little-endian).
 * Written by hand because the format is tiny and the npm packages for it are unmaintained.
 */
import { InputError } from '../../messages.ts';

export type NpyDtype = 'float32' | 'float64' | 'uint8' | 'int32' | 'int64';
export type NpyData = Float32Array | Float64Array | Uint8Array | Int32Array | BigInt64Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const DESCR: Record<string, NpyDtype> = {
  '<f4': 'float32', '<f8': 'float64', '|u1': 'uint8', '<u1': 'uint8', '|i1': 'uint8',
  '<i4': 'int32', '<i8': 'int64',
};
const DESCR_OUT: Record<NpyDtype, string> = {
  float32: '<f4', float64: '<f8', uint8: '|u1', int32: '<i4', int64: '<i8',
};
const BYTES: Record<NpyDtype, number> = { float32: 4, float64: 8, uint8: 1, int32: 4, int64: 8 };
const MAGIC = '\x93NUMPY';

/** What an .npy header says: the dtype, the shape and where the data starts. */
export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Byte offset of the first value. */
  offset: number;
  /** Bytes per value. */
  bytes: number;
}

/**
 * Bytes from the file's start to the end of its header (where the data begins), read from the
 * length field after the magic (format 1: uint16 at byte 8; 2 and 3: uint32); 0 when `buf` is too
 * short to tell.
 */
export function npyHeaderEnd(buf: Uint8Array): number {
  if (buf.length < (buf[6] === 1 ? 10 : 12)) return 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return buf[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
}

/** Throws unless `available` data bytes hold the whole array `header` describes. */
export function checkNpyData(header: NpyHeader, available: number, file: string): void {
  const need = header.shape.reduce((a, b) => a * b, 1) * header.bytes;
  if (available < need) throw new InputError(file, `${need} data bytes for shape (${header.shape.join(', ')})`, `${available} bytes (truncated file?)`);
}

/**
 * Parse the header at the start of an .npy file (`buf` may hold just the first bytes of the file).
 * `file` is only used in error messages.
 */
export function parseNpyHeader(buf: Uint8Array, file: string): NpyHeader {
  const fail = (expected: string, found: string): never => {
    throw new InputError(file, expected, found);
  };
  if (buf.length < 10 || String.fromCharCode(...buf.subarray(0, 6)) !== MAGIC) {
    fail('a .npy file (magic \\x93NUMPY)', 'other bytes');
  }
  const headerStart = buf[6] === 1 ? 10 : 12;
  const end = npyHeaderEnd(buf);
  if (end === 0 || buf.length < end) fail(`a .npy header of ${end || headerStart} bytes`, `${buf.length} bytes`);
  const header = new TextDecoder('latin1').decode(buf.subarray(headerStart, end));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) fail('a .npy header with descr, fortran_order and shape', header.trim());
  if (fortran === 'True') fail('C-order array', 'fortran_order: True');
  const dtype = DESCR[descr!];
  if (!dtype) fail(`dtype one of ${Object.keys(DESCR).join(', ')}`, `'${descr}'`);
  const shape = shapeText!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return { dtype, shape, offset: end, bytes: BYTES[dtype] };
}

/**
 * Parse an .npy file's bytes. `file` is only used in error messages. With `copy: false`, uint8 data
 * is a view into `buf` (no alignment to worry about), saving a copy of the file, and so is float32
 * data that starts on a multiple of 4 bytes (the usual 64-byte padded header); other dtypes are
 * always copied.
 */
export function parseNpy(buf: Uint8Array, file: string, opts: { copy?: boolean } = {}): NpyArray {
  const header = parseNpyHeader(buf, file);
  const { dtype, shape, offset } = header;
  checkNpyData(header, buf.length - offset, file);
  const need = shape.reduce((a, b) => a * b, 1) * header.bytes;
  if (opts.copy === false && dtype === 'uint8') return { dtype, shape, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, need) };
  if (opts.copy === false && dtype === 'float32' && (buf.byteOffset + offset) % 4 === 0) return { dtype, shape, data: new Float32Array(buf.buffer, buf.byteOffset + offset, need / 4) };
  // Copy into a fresh, aligned buffer: the data offset need not be a multiple of the element size,
  // and Node's Buffer#slice returns a view (whose .buffer is the whole file), not a copy.
  const bytes = new Uint8Array(buf.subarray(offset, offset + need));
  const data = makeTyped(dtype, bytes.buffer);
  return { dtype, shape, data };
}

/** Values of `dtype` over a buffer of their bytes (ours, aligned). */
export function typedFromBuffer(dtype: NpyDtype, buffer: ArrayBuffer): NpyData {
  return makeTyped(dtype, buffer);
}

function makeTyped(dtype: NpyDtype, buffer: ArrayBuffer): NpyData {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer);
    case 'float64': return new Float64Array(buffer);
    case 'uint8': return new Uint8Array(buffer);
    case 'int32': return new Int32Array(buffer);
    case 'int64': return new BigInt64Array(buffer);
  }
}

/** Serialise an array as .npy version 1.0. */
export function encodeNpy(arr: NpyArray): Uint8Array {
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${DESCR_OUT[arr.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so that data starts at a multiple of 64 bytes, as numpy does.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, ...Array.from('NUMPY', (c) => c.charCodeAt(0)), 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(Array.from(header, (c) => c.charCodeAt(0)), 10);
  const body = new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}
