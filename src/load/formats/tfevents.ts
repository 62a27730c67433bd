/**
 * TensorBoard event files (`events.out.tfevents.*`) as written by PyTorch `SummaryWriter` and
 * `tf.summary`: TFRecord framing (length, masked CRC32C, payload, masked CRC32C) around serialized
 * `Event` protos. Only scalar summaries are decoded — `Summary.Value.simple_value` (PyTorch,
 * TF1) and a rank-0 `TensorProto` (TF2 `tf.summary.scalar`). A minimal protobuf wire decoder keeps
 * this free of dependencies; unknown fields are skipped as the wire format allows.
 */
import { InputError } from '../../messages.ts';

export interface TfScalar {
  step: number;
  wallTime: number;
  tag: string;
  value: number;
}

// ---- CRC32C (Castagnoli), as TFRecord uses it -------------------------------------------------
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Split a TFRecord file into its payloads, checking both CRCs of every record. */
export function readTfRecords(buf: Uint8Array, file: string): Uint8Array[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < buf.length) {
    const where = `${file} (record ${out.length + 1} at byte ${off})`;
    if (off + 12 > buf.length) throw new InputError(where, 'a 12-byte TFRecord header', `${buf.length - off} trailing bytes (truncated file?)`);
    const len = Number(view.getBigUint64(off, true));
    if (view.getUint32(off + 8, true) !== maskedCrc32c(buf.subarray(off, off + 8))) throw new InputError(where, 'a TFRecord length with a valid CRC32C', 'a CRC mismatch (not a TensorBoard event file?)');
    const start = off + 12;
    if (start + len + 4 > buf.length) throw new InputError(where, `${len} bytes of record data and a CRC`, `${buf.length - start} bytes (truncated file?)`);
    const data = buf.subarray(start, start + len);
    if (view.getUint32(start + len, true) !== maskedCrc32c(data)) throw new InputError(where, 'record data with a valid CRC32C', 'a CRC mismatch (corrupted file?)');
    out.push(data);
    off = start + len + 4;
  }
  return out;
}

// ---- protobuf wire format ---------------------------------------------------------------------
type Field = { no: number; wire: number; varint: bigint; bytes: Uint8Array; fixed: DataView };

function* fields(buf: Uint8Array): Generator<Field> {
  let off = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (off >= buf.length) throw new RangeError('truncated varint');
      const b = buf[off++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (off < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    const f: Field = { no, wire, varint: 0n, bytes: new Uint8Array(0), fixed: new DataView(new ArrayBuffer(8)) };
    if (wire === 0) f.varint = varint();
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (off + n > buf.length) throw new RangeError('truncated fixed field');
      f.fixed = new DataView(buf.buffer, buf.byteOffset + off, n);
      off += n;
    } else if (wire === 2) {
      const n = Number(varint());
      if (off + n > buf.length) throw new RangeError('truncated length-delimited field');
      f.bytes = buf.subarray(off, off + n);
      off += n;
    } else throw new RangeError(`unsupported wire type ${wire}`);
    yield f;
  }
}

const utf8 = new TextDecoder();
/** int64 varints of negative numbers are 10 bytes of two's complement. */
const int64 = (v: bigint): number => Number(BigInt.asIntN(64, v));

/** The value of a rank-0 (or one-element) TensorProto of a float, double or integer dtype. */
function tensorScalar(buf: Uint8Array): number | null {
  let dtype = 0;
  let content: Uint8Array | null = null;
  const vals: number[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1 && f.wire === 0) dtype = Number(f.varint);
    else if (f.no === 4 && f.wire === 2) content = f.bytes;
    else if (f.no === 5) {
      if (f.wire === 5) vals.push(f.fixed.getFloat32(0, true));
      else if (f.wire === 2) for (let i = 0; i + 4 <= f.bytes.length; i += 4) vals.push(new DataView(f.bytes.buffer, f.bytes.byteOffset + i, 4).getFloat32(0, true));
    } else if (f.no === 6) {
      if (f.wire === 1) vals.push(f.fixed.getFloat64(0, true));
      else if (f.wire === 2) for (let i = 0; i + 8 <= f.bytes.length; i += 8) vals.push(new DataView(f.bytes.buffer, f.bytes.byteOffset + i, 8).getFloat64(0, true));
    } else if ((f.no === 7 || f.no === 10) && f.wire === 0) vals.push(int64(f.varint));
  }
  if (vals.length >= 1) return vals[0];
  if (content && content.length > 0) {
    const v = new DataView(content.buffer, content.byteOffset, content.length);
    // DT_FLOAT 1, DT_DOUBLE 2, DT_INT32 3, DT_INT64 9
    if (dtype === 1 && content.length >= 4) return v.getFloat32(0, true);
    if (dtype === 2 && content.length >= 8) return v.getFloat64(0, true);
    if (dtype === 3 && content.length >= 4) return v.getInt32(0, true);
    if (dtype === 9 && content.length >= 8) return Number(v.getBigInt64(0, true));
  }
  return null;
}

/** Summary.Value: tag (1), simple_value (2), tensor (8); images, histograms and audio are skipped. */
function summaryValue(buf: Uint8Array): { tag: string; value: number } | null {
  let tag = '';
  let value: number | null = null;
  for (const f of fields(buf)) {
    if (f.no === 1 && f.wire === 2) tag = utf8.decode(f.bytes);
    else if (f.no === 2 && f.wire === 5) value = f.fixed.getFloat32(0, true);
    else if (f.no === 8 && f.wire === 2) value = tensorScalar(f.bytes);
  }
  return value === null || tag === '' ? null : { tag, value };
}

/** Event: wall_time (1, double), step (2, int64), summary (5). Other event kinds are skipped. */
export function decodeEvent(buf: Uint8Array): TfScalar[] {
  let wallTime = 0;
  let step = 0;
  const values: { tag: string; value: number }[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1 && f.wire === 1) wallTime = f.fixed.getFloat64(0, true);
    else if (f.no === 2 && f.wire === 0) step = int64(f.varint);
    else if (f.no === 5 && f.wire === 2) {
      for (const v of fields(f.bytes)) {
        if (v.no === 1 && v.wire === 2) {
          const sv = summaryValue(v.bytes);
          if (sv) values.push(sv);
        }
      }
    }
  }
  return values.map((v) => ({ step, wallTime, ...v }));
}

/** Every scalar of an event file, in file order. */
export function parseTfevents(buf: Uint8Array, file: string): TfScalar[] {
  const out: TfScalar[] = [];
  readTfRecords(buf, file).forEach((rec, i) => {
    try {
      out.push(...decodeEvent(rec));
    } catch (e) {
      throw new InputError(`${file} (record ${i + 1})`, 'a serialized tensorflow.Event protobuf', `undecodable bytes (${(e as Error).message})`);
    }
  });
  return out;
}

// ---- tags → metric rows -----------------------------------------------------------------------
const SPLITS: Record<string, string> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', eval: 'val', dev: 'val', test: 'test' };
const NAMES: Record<string, string> = {
  loss: 'loss',
  epoch_loss: 'loss',
  lr: 'lr',
  learning_rate: 'lr',
  'learning rate': 'lr',
  epoch_learning_rate: 'lr',
  acc: 'accuracy',
  accuracy: 'accuracy',
  epoch_accuracy: 'accuracy',
  grad_norm: 'grad_norm',
  gradnorm: 'grad_norm',
  'grad-norm': 'grad_norm',
};

/**
 * Where a tag's split is: a leading or trailing path component (`train/loss`, `Loss/val`), a
 * `train_`/`val_` prefix (`val_loss`), else the folder the file sits in (Keras writes `train/` and
 * `validation/` folders), else `train`. The rest is the metric name, with common spellings
 * normalised (`epoch_loss` → `loss`, `learning_rate` → `lr`).
 */
export function splitTag(tag: string, folderSplit: string | null): { split: string; metric: string } {
  const parts = tag.split('/');
  let split: string | null = null;
  if (parts.length > 1 && SPLITS[parts[0].toLowerCase()]) split = SPLITS[parts.shift()!.toLowerCase()];
  else if (parts.length > 1 && SPLITS[parts[parts.length - 1].toLowerCase()]) split = SPLITS[parts.pop()!.toLowerCase()];
  else {
    const m = /^(train|training|val|valid|validation|eval|dev|test)_(.+)$/i.exec(parts[0]);
    if (m && parts.length === 1) {
      split = SPLITS[m[1].toLowerCase()];
      parts[0] = m[2];
    }
  }
  const head = NAMES[parts[0].toLowerCase()] ?? parts[0];
  return { split: split ?? folderSplit ?? 'train', metric: [head, ...parts.slice(1)].join('/') };
}

/** The split a folder name stands for (e.g. Keras' `validation/`), or null. */
export function folderSplit(path: string): string | null {
  const parts = path.split(/[\\/]/);
  const dir = parts[parts.length - 2]?.toLowerCase() ?? '';
  return SPLITS[dir] ?? null;
}

/** One row per (split, step) with every scalar logged at that step. */
export function scalarsToRows(scalars: TfScalar[], folder: string | null): { step: number; split: string; [k: string]: number | string }[] {
  const rows = new Map<string, { step: number; split: string; [k: string]: number | string }>();
  for (const s of scalars) {
    const { split, metric } = splitTag(s.tag, folder);
    const key = `${split}\u0000${s.step}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { step: s.step, split }));
    row[metric] = s.value;
  }
  return [...rows.values()];
}
