/**
 * Per-checkpoint score cache. Scoring dominates run time, so the probabilities of each checkpoint
 * are kept on disk, keyed by everything they depend on:
 *
 *   - the checkpoint's bytes (model.json and every weights file it names; other formats: the file),
 *   - the model inputs as fed to the model (their shape, and the Float32 values — or, for uint8
 *     inputs, the stored codes and the 256 values they decode to: hashInputs),
 *   - which records were scored (the scorable mask decides which rows are batched together),
 *   - the backend, the output interpretation (auto / probabilities / logits) and the batch size
 *     (kernels may pick different code paths per batch shape, so numerics can differ),
 *   - the cache format and the losslens version (a change in the scoring code must not be masked).
 *
 * Labels are not in the key: probabilities do not depend on them; loss, prediction and confidence
 * are recomputed from the cached probabilities on every run. (That is also why entries hold every
 * checkpoint's full probabilities although a run keeps only the final one's, score/compact.ts: the
 * compact columns depend on the labels, and relabelling records after an audit must not re-score.)
 *
 * An entry is `<key>.scores`: a magic line, a JSON header (repeating the key, n, k, the output
 * kind), the probabilities as raw little-endian Float32, and a SHA-256 of everything before it.
 * A wrong key is worse than no cache: an entry that is truncated, fails its checksum, names another
 * key or holds impossible values is ignored with a warning and re-scored, never trusted. Entries
 * are written to a temporary file and renamed into place.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { codeTable, forEachChunk } from '../load/input-values.ts';
import { writeAtomic } from '../output.ts';
import { sharedProbs } from './compact.ts';
import type { Checkpoint, ModelInputs } from '../types.ts';

/** Bump when the entry layout or the meaning of the cached values changes. */
export const CACHE_FORMAT = 1;
const MAGIC = 'losslens-scores\n';
const DIGEST_BYTES = 32;

const toolVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export type OutputKind = 'probabilities' | 'logits';

/** What one checkpoint's scores depend on, besides the checkpoint itself. */
export interface CacheRequest {
  checkpoint: Checkpoint;
  backend: string;
  inputs: ModelInputs;
  /** 1 = the record is scored (dataset order). */
  scorable: Uint8Array;
  k: number;
  output: 'auto' | OutputKind;
  batchSize: number;
}

export interface CachedScores {
  /** n·k probabilities, NaN for records that are not scored. */
  probs: Float32Array;
  outputKind: OutputKind;
}

export interface CacheEntry {
  readonly key: string;
  readonly file: string;
  /** The cached scores, or null on a miss or an untrustworthy entry (warned about). */
  read(): Promise<CachedScores | null>;
  /** Store scores; a failure to write is a warning, never an error. */
  write(scores: CachedScores): Promise<void>;
}

export interface ScoreCache {
  readonly dir: string;
  /** Counts for the progress line: entries used, entries (re)computed, entries rejected. */
  readonly stats: { hits: number; misses: number; rejected: number };
  /** The entry for this checkpoint and setup, or null when the checkpoint files cannot be read (no caching). */
  entry(req: CacheRequest): Promise<CacheEntry | null>;
}

interface Header {
  format: number;
  key: string;
  checkpoint: string;
  n: number;
  k: number;
  outputKind: OutputKind;
  endianness: string;
}

export function createScoreCache(dir: string, warn: (message: string) => void): ScoreCache {
  const inputHashes = new WeakMap<ModelInputs, string>();
  const maskHashes = new WeakMap<Uint8Array, string>();
  const stats = { hits: 0, misses: 0, rejected: 0 };
  // One warning for a cache that cannot be written: an unwritable folder said the same for every checkpoint.
  let writeFailed = false;
  const memo = <T extends object>(m: WeakMap<T, string>, obj: T, f: (o: T) => string) => {
    let h = m.get(obj);
    if (h === undefined) m.set(obj, (h = f(obj)));
    return h;
  };

  return {
    dir,
    stats,
    async entry(req) {
      const ckptHash = await hashCheckpoint(req.checkpoint.path);
      if (ckptHash === null) return null;
      const key = cacheKey({
        checkpoint: ckptHash,
        inputs: memo(inputHashes, req.inputs, hashInputs),
        scorable: memo(maskHashes, req.scorable, (m) => sha256(bytesOf(m))),
        backend: req.backend,
        output: req.output,
        batchSize: req.batchSize,
        k: req.k,
      });
      const file = join(dir, `${key}.scores`);
      const n = req.scorable.length;
      return {
        key,
        file,
        async read() {
          let buf: Buffer;
          try {
            buf = await readFile(file);
          } catch {
            stats.misses++;
            return null; // no entry yet: an ordinary miss
          }
          const parsed = decodeEntry(buf, key, n, req.k, req.scorable);
          if (typeof parsed === 'string') {
            stats.rejected++;
            stats.misses++;
            warn(`score cache entry ${file} for checkpoint ${req.checkpoint.id} is ignored (${parsed}); re-scoring it`);
            return null;
          }
          stats.hits++;
          return parsed;
        },
        async write(scores) {
          try {
            await ensureDir(dir);
            await writeAtomic(file, encodeEntry({ format: CACHE_FORMAT, key, checkpoint: req.checkpoint.id, n, k: req.k, outputKind: scores.outputKind, endianness: endianness() }, scores.probs));
          } catch (e) {
            if (!writeFailed) warn(`could not write the score cache entry ${file} (${(e as Error).message}); the next run will score checkpoint ${req.checkpoint.id} again (later entries that fail in this run are not listed)`);
            writeFailed = true;
          }
        },
      };
    },
  };
}

export interface KeyParts {
  checkpoint: string;
  inputs: string;
  scorable: string;
  backend: string;
  output: string;
  batchSize: number;
  k: number;
}

/** The entry key: SHA-256 of every part, plus the cache format and losslens version. */
export function cacheKey(parts: KeyParts): string {
  return sha256(JSON.stringify({ format: CACHE_FORMAT, tool: toolVersion, ...parts }));
}

/** SHA-256 over a checkpoint's files: model.json and the weights files it names; else the file alone. Null when unreadable. */
export async function hashCheckpoint(path: string): Promise<string | null> {
  let main: Buffer;
  try {
    main = await readFile(path);
  } catch {
    return null; // the runtime's loader reports the missing file properly
  }
  const h = createHash('sha256');
  const add = (name: string, bytes: Uint8Array) => {
    // Length-prefixed so that moving bytes between files changes the hash.
    h.update(`${name}\0${bytes.length}\0`);
    h.update(bytes);
  };
  add(basename(path), main);
  for (const w of weightFiles(path, main)) {
    try {
      add(w, await readFile(join(dirname(path), w)));
    } catch {
      return null;
    }
  }
  return h.digest('hex');
}

/** Weights files named by a tfjs model.json (in manifest order); none for other formats. */
export function weightFiles(path: string, bytes: Buffer): string[] {
  if (!path.toLowerCase().endsWith('.json')) return [];
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { weightsManifest?: { paths?: unknown }[] };
    if (!Array.isArray(json.weightsManifest)) return [];
    return json.weightsManifest.flatMap((g) => (Array.isArray(g.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : []));
  } catch {
    return [];
  }
}

/**
 * The inputs exactly as the model sees them: shape, then either the Float32 values or — for uint8
 * codes — the 256 Float32 values the codes stand for (after scale/offset) followed by the codes
 * themselves. Any change of a value changes one or the other. Hashing the stored bytes rather than
 * widening them first matters at scale: at a million MNIST-sized records it is 784 MB through
 * SHA-256 instead of decoding and hashing 3.1 GB (≈0.5 s instead of ≈4 s on every cached audit).
 * The same values stored as Float32 give another key (a one-time miss, never a wrong hit).
 */
export function hashInputs(inputs: ModelInputs): string {
  const h = createHash('sha256');
  h.update(`${JSON.stringify([inputs.n, ...inputs.shape])}\0`);
  const table = codeTable(inputs);
  if (table) {
    h.update('uint8 codes of\0');
    h.update(bytesOf(table));
    h.update(inputs.data.subarray(0, inputs.n * inputs.rowSize) as Uint8Array);
  } else {
    forEachChunk(inputs, (values) => h.update(bytesOf(values)));
  }
  return h.digest('hex');
}

export function encodeEntry(header: Header, probs: Float32Array): Uint8Array {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const magic = Buffer.from(MAGIC, 'ascii');
  const out = Buffer.alloc(magic.length + 4 + head.length + probs.byteLength + DIGEST_BYTES);
  let off = magic.copy(out, 0);
  off = out.writeUInt32LE(head.length, off);
  off += head.copy(out, off);
  off += Buffer.from(bytesOf(probs)).copy(out, off);
  createHash('sha256').update(out.subarray(0, off)).digest().copy(out, off);
  return out;
}

/** The scores in `buf`, or the reason it cannot be trusted. */
export function decodeEntry(buf: Uint8Array, key: string, n: number, k: number, scorable: Uint8Array): CachedScores | string {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = Buffer.from(MAGIC, 'ascii');
  if (b.length < magic.length + 4 + DIGEST_BYTES || !b.subarray(0, magic.length).equals(magic)) return 'not a losslens score cache file';
  const body = b.subarray(0, b.length - DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(b.subarray(b.length - DIGEST_BYTES))) return 'checksum mismatch: the file is truncated or corrupt';
  const headLen = b.readUInt32LE(magic.length);
  const headStart = magic.length + 4;
  if (headStart + headLen > body.length) return 'header longer than the file';
  let header: Header;
  try {
    header = JSON.parse(b.subarray(headStart, headStart + headLen).toString('utf8')) as Header;
  } catch {
    return 'unreadable header';
  }
  if (header.format !== CACHE_FORMAT) return `cache format ${String(header.format)}, expected ${CACHE_FORMAT}`;
  if (header.key !== key) return 'the entry belongs to another key';
  if (header.n !== n || header.k !== k) return `shape ${header.n}×${header.k}, expected ${n}×${k}`;
  if (header.endianness !== endianness()) return `written on a ${String(header.endianness)} machine`;
  if (header.outputKind !== 'probabilities' && header.outputKind !== 'logits') return 'unknown output kind';
  const payload = body.subarray(headStart + headLen);
  if (payload.length !== n * k * 4) return `${payload.length} bytes of scores, expected ${n * k * 4}`;
  const probs = sharedProbs(n * k); // in shared memory, as score.ts keeps scored probabilities
  new Uint8Array(probs.buffer).set(payload);
  // Records that were not scored are NaN when written: anything else is not what this code wrote.
  for (let i = 0; i < n; i++) {
    if (scorable[i]) continue;
    for (let j = 0; j < k; j++) if (!Number.isNaN(probs[i * k + j])) return `unscored record ${i} holds a score`;
  }
  return { probs, outputKind: header.outputKind };
}

/** Create the cache folder with a .gitignore, so the cache never ends up committed. */
async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '.gitignore'), '# losslens score cache: safe to delete at any time\n*\n', { flag: 'wx' }).catch(() => undefined);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
