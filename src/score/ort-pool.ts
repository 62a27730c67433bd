/**
 * onnxruntime on every core as a pool of worker threads, each running single-thread sessions.
 *
 * Why not one session with `model.workers` intra-op threads: on the benchmark's MLP (2 cores, 200k
 * MNIST rows, batches of 1024) a 2-thread session scored 142k–174k records/s fed float batches
 * converted on the main thread and 260k–286k fed uint8 codes; two workers each scoring whole
 * batches on a 1-thread session 196k–227k and 288k–328k. A session's threads meet at every
 * operator and spin while the main thread prepares the next batch; independent sessions never
 * wait for each other. Handing every batch to the pool separately gave that back (144k–168k: one
 * round trip and an idle core per batch), so a call holds many batches: score.ts passes a whole
 * turn (ScoringRuntime.concurrentTurns) and the workers take its batches from a shared counter.
 *
 * Each chunk a worker takes is exactly one batch of the scoring loop, run by a single-thread
 * session of the same graph on the same values and cut into the same calls (in the pieces of
 * chunking.ts's ortPieceRows), so the outputs are those of one-thread scoring bit
 * for bit whatever the number of workers (test/score/onnx.test.ts, tfjs-to-onnx.test.ts). Uint8
 * codes are decoded in the workers with the loader's table (codeValues), the very floats fillBatch
 * makes, one piece at a time: decoding a whole 1024 × 784 batch (3.2 MB of floats) before the graph
 * read it cost about as much as the graph itself on the benchmark's MLP; piece by piece the values
 * are still in the core's cache (one checkpoint's scoring loop on 2 workers: 170k–250k → 240k–370k
 * records/s, A/B runs on the shared machine).
 *
 * The worker body is plain JavaScript evaluated in the worker (no TypeScript loader there); the
 * functions it shares with the main thread (ortPieceRows, convertCodes, takeChunks) are embedded
 * from their modules' compiled source, so both sides run the same code.
 */
import { createRequire } from 'node:module';
import { convertCodes } from '../load/input-values.ts';
import { ACTIVATION_PIECE_BYTES, ORT_PIECE_BYTES, ortPieceRows } from './chunking.ts';
import { PoolError, PoolWorker, sharedBytes, sharedFloats, sharedInput, takeChunks, type InputSlot, type Reply } from './pool-worker.ts';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ORT_PIECE_BYTES = ${ORT_PIECE_BYTES};
const ACTIVATION_PIECE_BYTES = ${ACTIVATION_PIECE_BYTES};
${ortPieceRows.toString()}
${convertCodes.toString()}
${takeChunks.toString()}
const ort = require(workerData.ort);
const models = new Map(); // key → { key, session, inName, outName, type, fixedBatch, shape, table, widestLayer }
let floats = new Float32Array(0);
let bytes = new Uint8Array(0);
const floatsOf = (n) => (floats.length < n ? (floats = new Float32Array(n)) : floats).subarray(0, n);
const bytesOf = (n) => (bytes.length < n ? (bytes = new Uint8Array(n)) : bytes).subarray(0, n);
const firstLine = (e) => String((e && e.message) || e).split('\\n')[0];
// A failure of the model on its input (as opposed to the thread): the caller names the checkpoint.
class ModelError extends Error {
  constructor(model, kind, detail, shape) {
    super(detail);
    this.modelError = { key: model.key, kind, detail, shape };
  }
}
// Records [start, start + count) of the request as the models' inputs, prepared once for all the
// models of the call: copied out of shared memory (onnxruntime-node refuses tensors over it), codes
// decoded with the table (the same for every model of a call: the loader's), or kept as codes.
// Float values are made one piece at a time (the last piece asked for is kept), so a piece's values
// are still in the cache when the models read them.
function prepare(m, input, start, count) {
  const from = start * m.rowSize;
  const view = input.subarray(from, from + count * m.rowSize);
  let piece = null; // { s, part, values }
  let codes = null;
  return {
    floats(table, s, part) {
      if (!piece || piece.s !== s || piece.part !== part) {
        const values = floatsOf(part * m.rowSize);
        const source = view.subarray(s * m.rowSize, (s + part) * m.rowSize);
        if (m.codes) convertCodes(table, source, 0, source.length, values, 0);
        else values.set(source);
        piece = { s, part, values };
      }
      return piece.values;
    },
    codes() {
      if (!codes) {
        codes = bytesOf(view.length);
        codes.set(view);
      }
      return codes;
    },
  };
}
// The tensor of records [s, s + part) of a prepared chunk for \`model\`, zero-padded to \`rows\` records.
function feed(model, prepared, rowSize, s, part, rows) {
  let data = model.type === 'uint8' ? prepared.codes().subarray(s * rowSize, (s + part) * rowSize) : prepared.floats(model.table, s, part);
  if (rows > part) {
    const padded = model.type === 'uint8' ? new Uint8Array(rows * rowSize) : new Float32Array(rows * rowSize);
    padded.set(data);
    data = padded;
  }
  if (model.type === 'float64') data = Float64Array.from(data);
  return new ort.Tensor(model.type, data, [rows, ...model.shape]);
}
async function run(model, tensor) {
  let result;
  try {
    result = await model.session.run({ [model.inName]: tensor });
  } catch (e) {
    throw new ModelError(model, 'run', firstLine(e), tensor.dims.slice());
  }
  const out = result[model.outName];
  if (!(out.data instanceof Float32Array || out.data instanceof Float64Array)) throw new ModelError(model, 'output', String(out.type), tensor.dims.slice());
  return out.data;
}
// Score the request's chunks, taken from the shared counter until none is left, with every model
// of the request (each chunk's input is prepared once for all of them); returns the records scored.
async function score(m) {
  const list = m.keys.map((key) => {
    const model = models.get(key);
    if (!model) throw new Error('model ' + key + ' is not loaded in this worker');
    if (m.codes ? model.type !== 'uint8' && !model.table : model.type === 'uint8') throw new Error('model ' + key + ' cannot take ' + (m.codes ? 'codes' : 'float values'));
    return model;
  });
  const length = m.rows * m.rowSize;
  const input = m.codes ? new Uint8Array(m.input, m.inputOffset, length) : new Float32Array(m.input, m.inputOffset, length);
  const outputs = m.outputs.map((b) => new Float32Array(b));
  let scored = 0;
  for (const [start, count] of takeChunks(new Int32Array(m.next), m.rows, m.chunk)) {
    const prepared = prepare(m, input, start, count);
    // A model exported with a fixed batch size runs in pieces of that size, the last zero-padded;
    // any other in the pieces of ortPieceRows, as the main thread's session cuts them (onnx.ts,
    // layers.ts): bounded by its float inputs (a graph taking the codes themselves has none) and
    // by its widest layer when known.
    const steps = list.map((model) => model.fixedBatch || ortPieceRows(count, model.type === 'uint8' ? 0 : m.rowSize, model.widestLayer));
    const piece = async (i, s) => {
      const model = list[i];
      const part = Math.min(steps[i], count - s);
      const values = await run(model, feed(model, prepared, m.rowSize, s, part, model.fixedBatch || part));
      if (values.length < part * m.k) throw new ModelError(model, 'size', values.length + ' values for ' + part + ' records', [part, ...model.shape]);
      outputs[i].set(values.subarray(0, part * m.k), (start + s) * m.k);
    };
    // Every model on a piece before the next piece (each piece prepared once), when they cut alike.
    if (steps.every((step) => step === steps[0])) {
      for (let s = 0; s < count; s += steps[0]) for (let i = 0; i < list.length; i++) await piece(i, s);
    } else {
      for (let i = 0; i < list.length; i++) for (let s = 0; s < count; s += steps[i]) await piece(i, s);
    }
    scored += count;
  }
  return scored;
}
// One request at a time, in order: a second call handed over early (score.ts's next turn) waits for
// this worker to finish the first, so each worker keeps one session computing, not two.
let queue = Promise.resolve();
parentPort.on('message', (m) => {
  queue = queue.then(() => handle(m));
});
async function handle(m) {
  try {
    if (m.type === 'load') {
      const session = await ort.InferenceSession.create(new Uint8Array(m.bytes), { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
      const meta = session.inputMetadata[0];
      const type = meta && meta.isTensor ? meta.type : 'unknown';
      if (type !== 'float32' && type !== 'float64' && type !== 'uint8') throw new Error('input of type ' + type);
      models.set(m.key, { key: m.key, session, inName: session.inputNames[0], outName: session.outputNames[0], type, fixedBatch: m.fixedBatch || 0, shape: m.shape, table: m.table || null, widestLayer: m.widestLayer || 0 });
      parentPort.postMessage({ id: m.id });
    } else if (m.type === 'score') {
      parentPort.postMessage({ id: m.id, rows: await score(m) });
    } else if (m.type === 'dispose') {
      const model = models.get(m.key);
      models.delete(m.key);
      if (model) await model.session.release();
      parentPort.postMessage({ id: m.id });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: firstLine(e), ...(e instanceof ModelError ? { modelError: e.modelError } : {}) });
  }
}
`;

/** How a model failed on its input in a worker (the thread itself is fine). */
export interface ModelFailure {
  /** The model that failed (PoolModel.key). */
  key: number;
  /** run: onnxruntime rejected the input; output: not a float tensor (detail: its type); size: too few values. */
  kind: 'run' | 'output' | 'size';
  detail: string;
  /** The shape of the tensor the model was given. */
  shape: number[];
}

/** The model failure behind a pool rejection, or null when the thread (not the model) failed. */
export function modelFailure(e: unknown): ModelFailure | null {
  return e instanceof PoolError ? ((e.reply.modelError as ModelFailure | undefined) ?? null) : null;
}

export interface PoolLoadOptions {
  /** One record's input dimensions (all positive). */
  shape: number[];
  /** Outputs per record. */
  k: number;
  /** Records per chunk: the scoring loop's batch size, so each chunk is one of its batches. */
  chunkRows: number;
  /** The 256 values of uint8 codes, for a graph with a float input fed codes (codeValues). */
  table?: Float32Array;
  /** The graph's fixed batch size, when it declares one. */
  fixedBatch?: number;
  /** How many of the pool's workers load it (default: all): a large model is held fewer times. */
  workers?: number;
  /** Values per record of the graph's widest layer output, when known (ortPieceRows). */
  widestLayer?: number;
}

export interface PoolModel {
  /** Names the model in a ModelFailure. */
  readonly key: number;
  /** Outputs (rows · k) of `rows` records: Float32 values, or uint8 codes (decoded with the table unless the graph takes uint8). */
  score(input: Float32Array | Uint8Array, rows: number): Promise<Float32Array>;
  dispose(): void;
}

export interface OrtPool {
  readonly workers: number;
  /** Load an ONNX graph in every worker; rejects (and unloads it everywhere) if any worker fails. */
  load(bytes: Uint8Array, opts: PoolLoadOptions): Promise<PoolModel>;
  /**
   * PoolModel.score of every model at once: each batch's input is prepared (copied, decoded) once
   * for all of them. The models must come from this pool's load with the same k, chunkRows and table.
   */
  scoreAll(models: PoolModel[], input: Float32Array | Uint8Array, rows: number): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** One call's shared inputs, outputs and chunk counter; reused across calls, grown on demand. */
interface Slot extends InputSlot {
  outputs: Float32Array[];
  next: Int32Array;
}

const sameTable = (a?: Float32Array, b?: Float32Array) => a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((v, i) => Object.is(v, b[i])));

/** What the pool knows of a model it loaded. */
interface Entry {
  key: number;
  /** The first `workers` of the pool hold it. */
  workers: number;
  rowSize: number;
  k: number;
  chunkRows: number;
  table?: Float32Array;
}

/** `workers` threads (≥ 2), each with one intra-op thread per session. */
export function createOrtPool(workers: number): OrtPool {
  if (!Number.isInteger(workers) || workers < 2) throw new Error(`createOrtPool: workers must be an integer ≥ 2, got ${workers}`);
  const ort = createRequire(import.meta.url).resolve('onnxruntime-node');
  const pool = Array.from({ length: workers }, () => new PoolWorker(WORKER_SOURCE, { ort }, 'onnxruntime worker'));
  const free: Slot[] = [];
  const entries = new WeakMap<PoolModel, Entry>();
  let nextKey = 0;
  const scoreAll = async (list: PoolModel[], input: Float32Array | Uint8Array, rows: number): Promise<Float32Array[]> => {
    const models = list.map((m) => entries.get(m));
    if (models.some((m) => m === undefined)) throw new Error('scoreAll: a model not loaded by this pool');
    const { rowSize, k, chunkRows, table } = models[0]!;
    if (models.some((m) => m!.rowSize !== rowSize || m!.k !== k || m!.chunkRows !== chunkRows || !sameTable(m!.table, table))) throw new Error('scoreAll: models of different shapes, batch sizes or code tables');
    if (input.length < rows * rowSize) throw new Error(`a call of ${rows} records needs ${rows * rowSize} values, got ${input.length}`);
    if (rows === 0) return models.map(() => new Float32Array(0));
    const slot = free.pop() ?? { floats: sharedFloats(0), codes: sharedBytes(0), outputs: [], next: new Int32Array(new SharedArrayBuffer(4)) };
    try {
      const view = sharedInput(input.subarray(0, rows * rowSize), slot);
      for (let i = 0; i < models.length; i++) if (!(slot.outputs[i]?.length >= rows * k)) slot.outputs[i] = sharedFloats(rows * k);
      Atomics.store(slot.next, 0, 0);
      const held = Math.min(...models.map((m) => m!.workers));
      const used = pool.slice(0, Math.min(held, Math.ceil(rows / chunkRows)));
      const msg = {
        type: 'score',
        keys: models.map((m) => m!.key),
        codes: view instanceof Uint8Array,
        input: view.buffer,
        inputOffset: view.byteOffset,
        outputs: slot.outputs.slice(0, models.length).map((o) => o.buffer),
        next: slot.next.buffer,
        rows,
        rowSize,
        chunk: chunkRows,
        k,
      };
      // Settled, not raced: the slot is reused only once no worker writes into it any more.
      const replies = await Promise.allSettled(used.map((w) => w.request(msg)));
      const rejected = replies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (rejected) throw rejected.reason;
      const scored = replies.reduce((s, r) => s + ((r as PromiseFulfilledResult<Reply>).value.rows ?? 0), 0);
      if (scored !== rows) throw new Error(`the onnxruntime workers scored ${scored} of ${rows} records`);
      return models.map((_, i) => slot.outputs[i].slice(0, rows * k));
    } finally {
      free.push(slot);
    }
  };
  return {
    workers,
    close: async () => void (await Promise.all(pool.map((w) => w.terminate()))),
    scoreAll,
    async load(bytes, opts) {
      const key = nextKey++;
      const holders = pool.slice(0, Math.max(1, Math.min(workers, Math.floor(opts.workers ?? workers))));
      const dispose = () => {
        for (const w of holders) void w.request({ type: 'dispose', key }).catch(() => undefined);
      };
      const loaded = await Promise.allSettled(
        holders.map((w) => {
          const copy = new Uint8Array(bytes).buffer; // a copy (a Node Buffer's slice() would be a view)
          return w.request({ type: 'load', key, bytes: copy, shape: opts.shape, table: opts.table, fixedBatch: opts.fixedBatch, widestLayer: opts.widestLayer }, [copy]);
        }),
      );
      const failed = loaded.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        dispose();
        throw failed.reason;
      }
      const model: PoolModel = { key, score: async (input, rows) => (await scoreAll([model], input, rows))[0], dispose };
      entries.set(model, { key, workers: holders.length, rowSize: opts.shape.reduce((a, b) => a * b, 1), k: opts.k, chunkRows: opts.chunkRows, table: opts.table });
      return model;
    },
  };
}
