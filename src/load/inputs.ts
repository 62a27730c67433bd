/**
 * Loads model inputs (one row per dataset record) from one of three sources: an .npy array, a user
 * preprocessing module (record → number[], so the audit feeds the model exactly what training did),
 * or the dataset's image files. `scale`/`offset` apply to all three (e.g. uint8 pixels × 1/255).
 * uint8 .npy files and decoded images stay uint8 in memory with scale/offset beside them (applied per
 * batch by src/load/input-values.ts); other sources become Float32 values here.
 */
import { statSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config, InputsConfig } from '../config.ts';
import type { Progress } from '../progress.ts';
import { InputError, messages } from '../messages.ts';
import type { Dataset, ModelInputs } from '../types.ts';
import { callOnThread, stopThread } from '../thread.ts';
import { decodeImageBytes, IMAGE_FILE_COLUMN, type DecodedOrNot } from './formats/images.ts';
import { parseNpy, parseNpyHeader, typedFromBuffer, type NpyArray } from './formats/npy.ts';
import { copyRow, inputRows } from './input-values.ts';
import { readNpyRows } from './npy-rows.ts';
import { readFileRange } from './shared-file.ts';

/** Image files read ahead of the one being decoded. */
const READ_AHEAD = 32;
/** Images per chunk; every other chunk is decoded on the worker thread. */
const IMAGE_CHUNK = 64;
/** Pixels to decode (width · height · images) below which the worker thread does not pay. */
const THREAD_MIN_PIXELS = 20_000_000;

/**
 * Threads for decoding an image folder (model.workers; above 1 a worker thread may help), and the
 * pixels below which it does not (tests set 0).
 */
export interface ImageThreading {
  threads?: number;
  minPixels?: number;
  /** Told every PROGRESS_EVERY records decoded or preprocessed, and at the end: minutes of it at 1M images. */
  progress?: (done: number, total: number, label: string) => void;
}

/** Records between progress reports of the decoding / preprocessing loops. */
const PROGRESS_EVERY = 4096;

export type LegacyInputs = { file: string; scale: number; offset: number };

/**
 * `records` is the dataset (needed by the preprocess and image sources) or, for an .npy file,
 * just the expected row count.
 */
export async function loadInputs(cfg: InputsConfig | LegacyInputs, records: Dataset | number, onWarn: (w: string) => void = () => {}, prefetched: Promise<Uint8Array> | null = null, threading: ImageThreading = {}): Promise<ModelInputs> {
  const source = 'source' in cfg ? cfg.source : 'npy';
  const n = typeof records === 'number' ? records : records.n;
  if (source === 'npy') return loadNpyInputs(cfg, n, prefetched);
  if (typeof records === 'number') throw new Error(`loadInputs: the ${source} source needs the dataset`);
  const full = cfg as InputsConfig;
  return source === 'preprocess' ? preprocessInputs(full, records, threading.progress) : imageInputs(full, records, onWarn, threading);
}

/**
 * The config's inputs as every command loads them (null without an `inputs` key): the dataset for
 * preprocess and image sources, model.workers threads for decoding, progress while it runs.
 */
export function configuredInputs(config: Pick<Config, 'inputs' | 'model'>, dataset: Dataset, onWarn: (w: string) => void, progress: Pick<Progress, 'tick'>, prefetched: Promise<Uint8Array> | null = null): Promise<ModelInputs> | null {
  return config.inputs ? loadInputs(config.inputs, dataset, onWarn, prefetched, { threads: config.model.workers, progress: (...tick) => progress.tick(...tick) }) : null;
}

/**
 * Start reading an .npy inputs file before the dataset is loaded; give the promise to loadInputs.
 * The read is one request on libuv's threadpool (≤ 1 GiB at a time), so it runs on the other core
 * while the dataset is parsed on this thread: at a million MNIST-sized records the two took
 * 1.3 s + 0.5–0.9 s one after the other. Null for the other sources, which need the dataset first.
 * A failure is reported when loadInputs awaits the promise, after any error of the dataset's.
 *
 * With `onThread`, the worker thread (thread.ts), idle while the dataset is parsed, reads the file
 * into shared memory allocated here, and `onThread` gets that memory at once, before it is filled:
 * work it queues on the thread runs there right after the read, while this thread is still busy
 * parsing (the input scan: analyses/discovery/input-scan.ts scanNpyEarly). If the thread's read
 * fails, the file is read here instead (so its errors are the usual ones), into other memory.
 */
export function prefetchInputs(cfg: InputsConfig | LegacyInputs, onThread?: (filling: Uint8Array) => void): Promise<Uint8Array> | null {
  if (('source' in cfg ? cfg.source : 'npy') !== 'npy') return null;
  const read = (onThread && readOnThread(cfg.file, onThread)) || readNpyFile(cfg.file);
  read.catch(() => {}); // not unhandled while the dataset loads; loadInputs rethrows it
  return read;
}

/** prefetchInputs on the worker thread; null unless the path is a regular .npy file (the others take the path that reports them). */
function readOnThread(file: string, onThread: (filling: Uint8Array) => void): Promise<Uint8Array> | null {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile() || !file.toLowerCase().endsWith('.npy')) return null;
    size = stat.size;
  } catch {
    return null;
  }
  const bytes = new Uint8Array(new SharedArrayBuffer(size));
  const read = callOnThread<void>(new URL('./shared-file.ts', import.meta.url).href, 'readFileInto', [file, bytes]).then(
    () => bytes,
    () => readNpyFile(file),
  );
  onThread(bytes);
  return read;
}

/** The whole .npy file in shared memory (shared-file.ts): the analyses' worker threads read the inputs in place. */
async function readNpyFile(file: string): Promise<Uint8Array> {
  const { fh, size } = await openInputs(file);
  try {
    checkNpyName(file);
    return await readFileRange(fh, 0, size, file);
  } finally {
    await fh.close();
  }
}

async function loadNpyInputs(cfg: LegacyInputs, expectedRows: number, prefetched: Promise<Uint8Array> | null): Promise<ModelInputs> {
  const buf = await (prefetched ?? readNpyFile(cfg.file));
  // uint8 data stays a view of the file's bytes: no second copy of the largest array of the audit.
  const arr = parseNpy(buf, cfg.file, { copy: false });
  checkRows(cfg.file, arr.shape, expectedRows);
  return npyInputs(cfg, arr);
}

/** The inputs file opened for reading, and its size; a missing path or one that is not a file is the user's to fix (exit 2). */
async function openInputs(file: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    throw messages.missingFile('inputs.file', file);
  }
  const stat = await fh.stat();
  if (!stat.isFile()) {
    await fh.close();
    throw new InputError(`inputs.file (${file})`, 'a .npy file', 'a directory or another kind of file');
  }
  return { fh, size: stat.size };
}

/**
 * Records [start, end) of the inputs — for a .npy file reading only those rows' bytes, so a shard
 * of a large audit holds its own records, not everyone's (other sources are loaded whole, then
 * sliced). The rows are exactly those of loadInputs (test/load/inputs.test.ts).
 */
export async function loadInputRows(cfg: InputsConfig, dataset: Dataset, start: number, end: number, onWarn: (w: string) => void = () => {}): Promise<ModelInputs> {
  if (cfg.source !== 'npy') return inputRows(await loadInputs(cfg, dataset, onWarn), start, end);
  checkNpyName(cfg.file);
  const { header: h, rows: bytes } = await readNpyRows(cfg.file, 'inputs.file', start, end, { check: (header) => checkRows(cfg.file, header.shape, dataset.n), shared: true });
  return npyInputs(cfg, { dtype: h.dtype, shape: [end - start, ...h.shape.slice(1)], data: typedFromBuffer(h.dtype, bytes.buffer as ArrayBuffer) });
}

/**
 * The inputs loadInputs makes of an .npy file's bytes when they are uint8 codes (a view of the
 * bytes: nothing converted, so another thread may read them while this one loads), else null.
 * The row count is not checked: that needs the dataset.
 */
export function codedNpyInputs(cfg: LegacyInputs, bytes: Uint8Array): ModelInputs | null {
  if (parseNpyHeader(bytes, cfg.file).dtype !== 'uint8') return null;
  return npyInputs(cfg, parseNpy(bytes, cfg.file, { copy: false }));
}

function checkNpyName(file: string): void {
  if (!file.toLowerCase().endsWith('.npy')) {
    throw new InputError(file, 'model inputs as a .npy array', `a "${file.split('.').pop()}" file`);
  }
}

function checkRows(file: string, shape: number[], expectedRows: number): void {
  if (shape.length < 2) throw new InputError(file, 'an array of shape [records, ...features]', `shape [${shape.join(', ')}]`);
  if (shape[0] !== expectedRows) throw new InputError(file, `${expectedRows} rows (one per dataset record, in dataset order)`, `${shape[0]} rows`);
}

/** Model inputs from an .npy array (all of its rows): uint8 stays uint8 with scale/offset beside it, other dtypes become Float32 values. */
function npyInputs(cfg: LegacyInputs, arr: NpyArray): ModelInputs {
  const [n, ...shape] = arr.shape;
  const rowSize = shape.reduce((a, b) => a * b, 1);
  const src = arr.data;
  const { scale, offset } = cfg;
  if (src instanceof Uint8Array) return { file: cfg.file, n, shape, rowSize, data: src, scale, offset };
  // Float32 sources are converted in place (the array's buffer is ours); wider ones into a new
  // Float32Array, in shared memory like the file's bytes (threads read it in place).
  const data = src instanceof Float32Array ? src : new Float32Array(new SharedArrayBuffer(n * rowSize * 4));
  if (src instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) data[i] = Number(src[i]) * scale + offset;
  } else {
    for (let i = 0; i < data.length; i++) data[i] = src[i] * scale + offset;
  }
  return { file: cfg.file, n, shape, rowSize, data };
}

type Preprocess = (record: Record<string, unknown>) => ArrayLike<number> | Promise<ArrayLike<number>>;

/** Import the module and call its default (or `preprocess`) export on every record, in order. */
async function preprocessInputs(cfg: InputsConfig, dataset: Dataset, progress?: ImageThreading['progress']): Promise<ModelInputs> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(cfg.file).href)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`inputs.preprocess (${cfg.file})`, 'an importable JS module', code === 'ERR_MODULE_NOT_FOUND' ? 'no such file' : `an import error (${(e as Error).message.split('\n')[0]})`);
  }
  const fn = (typeof mod.default === 'function' ? mod.default : mod.preprocess) as Preprocess | undefined;
  if (typeof fn !== 'function') {
    throw new InputError(`inputs.preprocess (${cfg.file})`, 'a module whose default (or "preprocess") export is a function record → number[]', `exports ${Object.keys(mod).join(', ') || 'nothing'}`);
  }
  let data = new Float32Array(0);
  let rowSize = -1;
  for (let i = 0; i < dataset.n; i++) {
    const where = `inputs.preprocess (${cfg.file}) for record "${dataset.ids[i]}"`;
    let row: ArrayLike<number>;
    try {
      row = await fn(dataset.table.object(i) as Record<string, unknown>);
    } catch (e) {
      throw new InputError(where, 'a function that returns the model input', `an exception (${(e as Error)?.message ?? e})`);
    }
    if (!row || typeof row !== 'object' || typeof row.length !== 'number') throw new InputError(where, 'an array of numbers', describe(row));
    if (rowSize < 0) {
      rowSize = row.length;
      if (rowSize === 0) throw new InputError(where, 'a non-empty array of numbers', 'an empty array');
      data = new Float32Array(dataset.n * rowSize);
    } else if (row.length !== rowSize) {
      throw new InputError(where, `${rowSize} values (as for record "${dataset.ids[0]}")`, `${row.length} values`);
    }
    for (let j = 0; j < rowSize; j++) {
      const v = row[j];
      // Non-numbers become NaN, which makes the record unscorable (listed with the reason) rather than silently 0.
      data[i * rowSize + j] = (typeof v === 'number' ? v : Number.NaN) * cfg.scale + cfg.offset;
    }
    if ((i + 1) % PROGRESS_EVERY === 0 || i + 1 === dataset.n) progress?.(i + 1, dataset.n, 'preprocessing records');
  }
  const shape = Array.isArray(mod.shape) && mod.shape.reduce((a: number, b: number) => a * b, 1) === rowSize ? (mod.shape as number[]) : [rowSize];
  return { file: cfg.file, n: dataset.n, shape, rowSize, data };
}

/**
 * Decode every image of an image-folder dataset. All images must share one size; an image that
 * does not decode becomes a NaN row, so it is listed as unscorable instead of ending the audit.
 */
async function imageInputs(cfg: InputsConfig, dataset: Dataset, onWarn: (w: string) => void, threading: ImageThreading): Promise<ModelInputs> {
  const files = dataset.table.column(IMAGE_FILE_COLUMN);
  if (!files) throw new InputError('inputs.images', `an image-folder dataset (dataset.file a folder of <class>/<file>.png|jpg)`, `a table without a "${IMAGE_FILE_COLUMN}" column (${dataset.file})`);
  const c = cfg.channels;
  // Every other chunk of IMAGE_CHUNK images is read and decoded on the worker thread while this
  // thread decodes the others (decoding is most of the time: ~10 ms per 224×224 JPEG); results
  // are placed in dataset order either way, so the inputs are the same.
  // Whether a thread pays is decided by the pixels to decode (the first image's × the records):
  // tiny images are mostly file reads, which the thread's start-up and messages cost more than they
  // save (20 000 28×28 PNGs: 2.3 s alone, 3.0 s with the thread; 600 224×224 JPEGs 6.4–7.6 s alone,
  // 5.3–6.2 s with it). A timed first chunk misjudged it: decoders warm up over hundreds of images.
  const onThread = new Map<number, Promise<DecodedOrNot[] | null>>();
  const pathOf = (i: number) => join(cfg.file, String(files.at(i)));
  const startThread = (from: number) => {
    const module = new URL('./formats/images.ts', import.meta.url).href;
    for (let k = from + ((from + 1) % 2); k * IMAGE_CHUNK < dataset.n; k += 2) {
      const paths = Array.from({ length: Math.min(IMAGE_CHUNK, dataset.n - k * IMAGE_CHUNK) }, (_, j) => pathOf(k * IMAGE_CHUNK + j));
      // A thread that cannot start or fails: this thread decodes the chunk itself.
      onThread.set(k, callOnThread<DecodedOrNot[]>(module, 'decodeImageFiles', [paths, c]).catch(() => null));
    }
  };
  const mine = (i: number) => !onThread.has(Math.floor(i / IMAGE_CHUNK));
  let size: { width: number; height: number; first: string } | null = null;
  // Decoded pixels are uint8: kept as such (scale/offset applied per batch) unless a record fails.
  let codes = new Uint8Array(0);
  const failed: number[] = [];
  const bad: string[] = [];
  // Files are read READ_AHEAD at a time while the images before them decode: awaited one by one,
  // the reads left the thread idle 40 % of the time (20 000 28×28 PNGs: 2.7 s). Decoded in order.
  const read = (i: number) => {
    const path = pathOf(i);
    return readFile(path).then(
      (bytes) => ({ path, bytes }),
      (error: unknown) => ({ path, error }),
    );
  };
  const reads: ReturnType<typeof read>[] = [];
  for (let i = 0; i < Math.min(READ_AHEAD, dataset.n); i++) if (mine(i)) reads[i] = read(i);
  let chunk: DecodedOrNot[] | null = null;
  try {
    for (let i = 0; i < dataset.n; i++) {
      if (i > 0 && i % PROGRESS_EVERY === 0) threading.progress?.(i, dataset.n, 'decoding images');
      const rel = String(files.at(i));
      if (i + READ_AHEAD < dataset.n && mine(i + READ_AHEAD)) reads[i + READ_AHEAD] = read(i + READ_AHEAD);
      if (i % IMAGE_CHUNK === 0) chunk = onThread.has(i / IMAGE_CHUNK) ? await onThread.get(i / IMAGE_CHUNK)! : null;
      const fromThread = chunk?.[i % IMAGE_CHUNK];
      let img;
      try {
        if (fromThread?.ok) img = fromThread.image;
        else if (fromThread && 'found' in fromThread) throw new InputError(pathOf(i), 'a decodable PNG or JPEG image', fromThread.found);
        else {
          // This thread's image, or one the worker could not read (decodeImage gives the very error).
          const got = reads[i] ?? read(i);
          delete reads[i];
          const r = await got;
          if ('error' in r) throw r.error;
          img = decodeImageBytes(r.path, r.bytes, c);
        }
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        bad.push(`${rel} (${e.found})`);
        failed.push(i);
        continue;
      }
      if (!size) {
        size = { width: img.width, height: img.height, first: rel };
        codes = new Uint8Array(dataset.n * img.width * img.height * c);
        // The next chunk on is split with the thread (chunk 0 is this thread's).
        if ((threading.threads ?? 1) > 1 && img.width * img.height * dataset.n >= (threading.minPixels ?? THREAD_MIN_PIXELS)) startThread(Math.floor(i / IMAGE_CHUNK) + 1);
      } else if (img.width !== size.width || img.height !== size.height) {
        throw new InputError(pathOf(i), `${size.width}×${size.height} pixels like ${size.first} (losslens does not resize)`, `${img.width}×${img.height}`);
      }
      const hw = img.width * img.height;
      const base = i * hw * c;
      for (let p = 0; p < hw; p++) {
        for (let ch = 0; ch < c; ch++) {
          codes[cfg.layout === 'hwc' ? base + p * c + ch : base + ch * hw + p] = img.pixels[p * c + ch];
        }
      }
    }
  } catch (e) {
    // The thread's remaining chunks are not wanted: the process should not wait for them to exit.
    if (onThread.size) stopThread();
    throw e;
  }
  threading.progress?.(dataset.n, dataset.n, 'decoding images');
  if (!size) throw new InputError(cfg.file, 'at least one decodable image', `none (${bad.slice(0, 3).join('; ')})`);
  if (bad.length) onWarn(`${bad.length} image(s) could not be decoded and are unscorable: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? '; …' : ''}`);
  const shape = cfg.layout === 'hwc' ? [size.height, size.width, c] : [c, size.height, size.width];
  const rowSize = size.width * size.height * c;
  const inputs: ModelInputs = { file: cfg.file, n: dataset.n, shape, rowSize, data: codes, scale: cfg.scale, offset: cfg.offset };
  if (!failed.length) return inputs;
  // An undecodable image is a NaN row (unscorable), which uint8 cannot hold: Float32 values then.
  const data = new Float32Array(dataset.n * rowSize);
  for (let i = 0; i < dataset.n; i++) copyRow(inputs, i, data, i * rowSize);
  for (const i of failed) data.fill(Number.NaN, i * rowSize, (i + 1) * rowSize);
  return { file: cfg.file, n: dataset.n, shape, rowSize, data };
}

function describe(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
