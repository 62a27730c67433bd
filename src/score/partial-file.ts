/**
 * The partial-result file of `losslens audit --shard i/n`: one binary file per shard — a magic line,
 * the byte length of a JSON header and the header (config fingerprint, shard, record range,
 * classes, checkpoints, backend, output interpretation, unscorable records), then for every
 * checkpoint but the final one its compact columns over the range (score/compact.ts: loss,
 * confidence, p(label), largest other p as Float32, prediction as Int32 — 20 bytes a record), the
 * final checkpoint's probabilities (Float32, records × classes), the range's scorable mask, and a
 * SHA-256 of everything before it. Little-endian (checked). About
 * records × (4·classes + 20·(checkpoints − 1) + 1) bytes: the probabilities of one checkpoint, not of all.
 *
 * A merge reads a partial twice and never holds it whole: readPartialHeader checks the header, the
 * size and the checksum (streamed) before the expensive load, and readPartialInto reads the arrays
 * straight into the merged run's own, checking the checksum again. Holding every decoded partial
 * until the report was done cost the merge one more copy of all scores (121 MB at 1M × 5).
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { InputError } from '../messages.ts';
import type { UnscorableRecord } from '../types.ts';

export const PARTIAL_FORMAT = 3;
const MAGIC = Buffer.from('losslens-partial\n', 'ascii');
const DIGEST = 32;
/** Bytes read at a time by the checksum pass. */
const CHUNK = 4 * 2 ** 20;

export interface ShardSpec {
  /** 1-based shard number. */
  index: number;
  count: number;
}

export interface PartialHeader {
  format: number;
  /** SHA-256 of the config file's bytes: every shard and the merge must use the same config. */
  config: string;
  shard: ShardSpec;
  /** Records [start, end) of the dataset (dataset order). */
  start: number;
  end: number;
  n: number;
  /** SHA-256 of the range's record ids: the merge checks its dataset is the one scored. */
  ids: string;
  /**
   * SHA-256 of the range's labels: the earlier checkpoints' compact columns (loss, p(label)) were
   * computed with them, so a merge with relabelled records must re-score, not mix label sets.
   */
  labels: string;
  classes: string[];
  /** Each checkpoint with the SHA-256 of its files (cache.ts hashCheckpoint; null when they cannot be hashed, e.g. a folder of parts). */
  checkpoints: { id: string; step: number; sha256: string | null }[];
  backend: string;
  outputKind: ('probabilities' | 'logits')[];
  /** Records of the range that were scored; 0 means outputKind was not observed. */
  scored: number;
  unscorable: UnscorableRecord[];
  endianness: string;
}

/** A compact checkpoint's columns (CheckpointScores without probs). */
export interface CompactColumns {
  loss: Float32Array;
  conf: Float32Array;
  pLabel: Float32Array;
  pOther: Float32Array;
  pred: Int32Array;
}

export const COMPACT_FIELDS = ['loss', 'conf', 'pLabel', 'pOther', 'pred'] as const;

/** What a shard computed, over its record range. */
export interface PartialResult {
  header: PartialHeader;
  /** Every checkpoint but the final one, compact, over the range. */
  compact: CompactColumns[];
  /** The final checkpoint: (end − start)·k probabilities (NaN for unscored records). */
  finalProbs: Float32Array;
  scorable: Uint8Array;
}

/** The arrays of a whole run a partial's ranges are read into (each indexed by dataset record). */
export type PartialTargets = Omit<PartialResult, 'header'>;

/** A partial whose header, size and checksum were checked; its arrays are still on disk. */
export interface PartialFile {
  file: string;
  header: PartialHeader;
  /** Offset of the first array. */
  arraysAt: number;
}

/** The arrays of a partial in file order (views of `p`'s arrays, or of `targets` over the partial's range). */
function arraysOf(p: PartialResult): ArrayBufferView[] {
  return [...p.compact.flatMap((c) => COMPACT_FIELDS.map((f) => c[f])), p.finalProbs, p.scorable];
}

export function encodePartial(p: PartialResult): Uint8Array {
  const head = Buffer.from(JSON.stringify(p.header), 'utf8');
  const arrays = arraysOf(p);
  const size = MAGIC.length + 4 + head.length + arrays.reduce((s, a) => s + a.byteLength, 0) + DIGEST;
  const out = Buffer.alloc(size);
  let off = MAGIC.copy(out, 0);
  off = out.writeUInt32LE(head.length, off);
  off += head.copy(out, off);
  for (const a of arrays) {
    out.set(bytesOf(a), off);
    off += a.byteLength;
  }
  createHash('sha256').update(out.subarray(0, off)).digest().copy(out, off);
  return out;
}

const bad = (file: string, found: string): never => {
  throw new InputError(file, 'a losslens partial result (written by losslens audit --shard i/n)', found);
};

/**
 * Open `file` and check it is a partial of this format, of the size its header implies, whose
 * checksum matches (read in chunks: the file is never held whole). Names the file and the fault.
 */
export async function readPartialHeader(file: string): Promise<PartialFile> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    throw new InputError(file, 'a partial result file', 'no such file');
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) bad(file, 'a folder (name the partial files themselves, e.g. parts/*.partial)');
    const size = st.size;
    const prefix = Buffer.alloc(MAGIC.length + 4);
    if (size < prefix.length + DIGEST || (await readAt(fh, prefix, 0)) < prefix.length || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) bad(file, 'another kind of file');
    const headLen = prefix.readUInt32LE(MAGIC.length);
    const arraysAt = prefix.length + headLen;
    if (arraysAt + DIGEST > size) bad(file, 'a truncated file');
    const headBytes = Buffer.alloc(headLen);
    await readAt(fh, headBytes, prefix.length);
    let header: PartialHeader;
    try {
      header = JSON.parse(headBytes.toString('utf8')) as PartialHeader;
    } catch {
      return bad(file, 'an unreadable header');
    }
    if (header?.format !== PARTIAL_FORMAT) bad(file, `format ${String(header?.format)} (this losslens reads format ${PARTIAL_FORMAT})`);
    // Fields read before the checksum is checked (the file's size depends on them): a flipped bit
    // in a key name made them undefined, an internal error.
    if (!wellFormed(header)) bad(file, 'a header with missing or malformed fields (corrupt file)');
    if (header.endianness !== endianness()) bad(file, `a partial written on a ${header.endianness}-endian machine`);
    const len = header.end - header.start;
    const k = header.classes.length;
    const expected = arraysAt + arraysBytes(header) + DIGEST;
    if (expected !== size) bad(file, `${size} bytes, expected ${expected} for ${len} records × ${k} classes and ${header.checkpoints.length} checkpoints (truncated or corrupt file)`);
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(Math.min(CHUNK, size - DIGEST));
    for (let at = 0; at < size - DIGEST; ) {
      const got = await readAt(fh, chunk.subarray(0, Math.min(chunk.length, size - DIGEST - at)), at);
      hash.update(chunk.subarray(0, got));
      at += got;
    }
    await checkDigest(fh, hash, size - DIGEST, file);
    return { file, header, arraysAt };
  } finally {
    await fh.close();
  }
}

/**
 * Read a checked partial's arrays into `targets` at the partial's record range (its compact columns
 * into targets.compact, its probabilities into targets.finalProbs at start·k, its mask into
 * targets.scorable), hashing them again: a file changed since readPartialHeader is refused.
 */
export async function readPartialInto(p: PartialFile, targets: PartialTargets): Promise<void> {
  const { start, end, classes } = p.header;
  const k = classes.length;
  const views = arraysOf({
    header: p.header,
    compact: targets.compact.map((c) => ({ loss: c.loss.subarray(start, end), conf: c.conf.subarray(start, end), pLabel: c.pLabel.subarray(start, end), pOther: c.pOther.subarray(start, end), pred: c.pred.subarray(start, end) })),
    finalProbs: targets.finalProbs.subarray(start * k, end * k),
    scorable: targets.scorable.subarray(start, end),
  });
  const fh = await open(p.file, 'r');
  try {
    const hash = createHash('sha256');
    const head = Buffer.alloc(p.arraysAt);
    await readAt(fh, head, 0);
    hash.update(head);
    let at = p.arraysAt;
    for (const v of views) {
      const bytes = bytesOf(v);
      if ((await readAt(fh, bytes, at)) < bytes.length) bad(p.file, 'a file that changed while it was merged (truncated)');
      hash.update(bytes);
      at += bytes.length;
    }
    await checkDigest(fh, hash, at, p.file, 'a file that changed while it was merged (checksum mismatch)');
  } finally {
    await fh.close();
  }
}

/** The header fields readPartialHeader and merge read, of the types they need. */
function wellFormed(h: PartialHeader): boolean {
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  return (
    count(h.start) && count(h.end) && h.end >= h.start && count(h.n) && typeof h.config === 'string' &&
    typeof h.ids === 'string' && typeof h.labels === 'string' && typeof h.backend === 'string' &&
    count(h.shard?.index) && count(h.shard?.count) &&
    Array.isArray(h.classes) && h.classes.every((c) => typeof c === 'string') &&
    Array.isArray(h.checkpoints) && h.checkpoints.every((c) => typeof c?.id === 'string') &&
    Array.isArray(h.outputKind) && Array.isArray(h.unscorable) && count(h.scored)
  );
}

/** Bytes of the arrays a partial with this header holds. */
function arraysBytes(h: PartialHeader): number {
  const len = h.end - h.start;
  return Math.max(0, h.checkpoints.length - 1) * len * 4 * COMPACT_FIELDS.length + len * h.classes.length * 4 + len;
}

async function checkDigest(fh: FileHandle, hash: Hash, at: number, file: string, found = 'a checksum mismatch (corrupt file)'): Promise<void> {
  const stored = Buffer.alloc(DIGEST);
  if ((await readAt(fh, stored, at)) < DIGEST || !hash.digest().equals(stored)) bad(file, found);
}

/** Fill `buf` from `position` on (reads may return less than asked); the bytes read, short only at the end of the file. */
async function readAt(fh: FileHandle, buf: Uint8Array, position: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
