/**
 * tfjs WebAssembly scoring on every core: WebAssembly in Node runs one thread, so a pool of
 * worker_threads each loads the checkpoint and scores chunks of every batch.
 *
 * score.ts hands the pool a whole turn of batches per call (concurrentTurns, as the onnxruntime
 * pool), in shared memory the workers read in place (other inputs are copied into a shared slot
 * once), and the next turn before it writes the current one's outputs: the workers go from batch to
 * batch without waiting for the main thread (one checkpoint's scoring loop on 2 workers, A/B: 35k–41k
 * → 37k–49k records/s, median 35.8k → 47.0k, when each batch was a call of its own). A call is cut
 * into chunks of a few records (chunkRows, chunking.ts); every worker takes the next unscored chunk
 * from a shared atomic counter until none is left and writes its outputs in place — one message per
 * worker per call, and a worker slowed down by another process simply scores fewer chunks. Small
 * chunks are also faster per record than one large slice: a chunk's activations stay in the core's cache.
 *
 * Each record's output depends only on that record (no cross-row arithmetic in an inference graph),
 * so the result is identical to single-thread scoring whatever the slicing —
 * test/score/workers.test.ts checks this bit for bit. The runtime keeps the single-thread name
 * (`tfjs-wasm`): reports and score-cache keys do not depend on the machine's core count.
 *
 * The worker body is plain JavaScript evaluated in the worker (no TypeScript loader there); the
 * main thread validates and reads the checkpoint and hands the workers its bytes.
 */
import { createRequire } from 'node:module';
import { codeValues, convertCodes } from '../load/input-values.ts';
import type { Checkpoint } from '../types.ts';
import { loadTf } from './backend.ts';
import { chunkRows } from './chunking.ts';
import { PoolWorker, sharedBytes, sharedFloats, sharedInput, takeChunks, TURN_BATCHES, type InputSlot, type Reply } from './pool-worker.ts';
import type { LoadedModel, LoadOptions, ScoringRuntime } from './runtime.ts';
import { layersModelFromArtifacts, readLayersArtifacts } from './tfjs-files.ts';

// The functions shared with the main thread are embedded from their modules' compiled source.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
${convertCodes.toString()}
${takeChunks.toString()}
let tf;
const models = new Map(); // key → { model, table (the 256 values of uint8 codes, or null) }
let decoded = new Float32Array(0);
const ready = (async () => {
  tf = require(workerData.tfjs);
  require(workerData.wasm);
  if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not initialise in a worker');
  await tf.ready();
})();
ready.catch(() => {}); // reported by every request below, instead of ending the thread
// Score chunks taken from the shared counter until none is left; returns the records scored.
function scoreChunks(m) {
  const entry = models.get(m.key);
  if (!entry) throw new Error('model ' + m.key + ' is not loaded in this worker');
  const { model, table } = entry;
  if (m.codes && !table) throw new Error('model ' + m.key + ' was loaded without a code table');
  const length = m.rows * m.rowSize;
  const input = m.codes ? new Uint8Array(m.input, m.inputOffset, length) : new Float32Array(m.input, m.inputOffset, length);
  const output = new Float32Array(m.output);
  let scored = 0;
  for (const [start, count] of takeChunks(new Int32Array(m.next), m.rows, m.chunk)) {
    const x = m.codes ? decode(input, table, start * m.rowSize, count * m.rowSize) : input.subarray(start * m.rowSize, (start + count) * m.rowSize);
    const out = tf.tidy(() => model.predict(tf.tensor(x, [count, ...m.shape])));
    const data = out.dataSync();
    out.dispose();
    if (data.length !== count * m.k) throw new Error('the model returned ' + data.length + ' values for ' + count + ' records, expected ' + count * m.k);
    output.set(data, start * m.k);
    scored += count;
  }
  return scored;
}
// The values of stored uint8 codes, looked up as fillBatch does on the main thread (same floats).
function decode(codes, table, from, length) {
  if (decoded.length < length) decoded = new Float32Array(length);
  const out = decoded.subarray(0, length);
  convertCodes(table, codes, from, length, out, 0);
  return out;
}
parentPort.on('message', async (m) => {
  try {
    await ready;
    if (m.type === 'load') {
      const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: m.topology, weightSpecs: m.weightSpecs, weightData: m.weightData }));
      models.set(m.key, { model, table: m.table ?? null });
      parentPort.postMessage({ id: m.id });
    } else if (m.type === 'predict') {
      parentPort.postMessage({ id: m.id, rows: scoreChunks(m) });
    } else if (m.type === 'dispose') {
      models.get(m.key)?.model.dispose();
      models.delete(m.key);
      parentPort.postMessage({ id: m.id });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) });
  }
});
`;

/** One batch's shared inputs (Float32 values or uint8 codes), outputs and chunk counter; reused across batches, grown on demand. */
interface Slot extends InputSlot {
  output: Float32Array;
  next: Int32Array;
}


export interface WorkerRuntime extends ScoringRuntime {
  readonly workers: number;
  /** Stop the worker threads (they never keep the process alive, but tests end them explicitly). */
  close(): Promise<void>;
}

export interface WorkerRuntimeOptions {
  /** Records per chunk (default: chunkRows() of chunking.ts, CHUNK_VALUES input values' worth). */
  chunkRows?: number;
}

/** A tfjs-wasm runtime scoring each batch on `workers` threads (≥ 2). */
export async function createWorkerTfjsRuntime(workers: number, opts: WorkerRuntimeOptions = {}): Promise<WorkerRuntime> {
  if (!Number.isInteger(workers) || workers < 2) throw new Error(`createWorkerTfjsRuntime: workers must be an integer ≥ 2, got ${workers}`);
  if (opts.chunkRows !== undefined && !(Number.isInteger(opts.chunkRows) && opts.chunkRows >= 1)) {
    throw new Error(`createWorkerTfjsRuntime: chunkRows must be a positive integer, got ${opts.chunkRows}`);
  }
  // Throws unless this process's tfjs runs on WebAssembly (the workers' backend must match it).
  const { tf, backend, warnings } = await loadTf('tfjs-wasm');
  const require = createRequire(import.meta.url);
  const paths = { tfjs: require.resolve('@tensorflow/tfjs'), wasm: require.resolve('@tensorflow/tfjs-backend-wasm') };
  const pool = Array.from({ length: workers }, () => new PoolWorker(WORKER_SOURCE, paths, 'tfjs worker'));
  // Free slots: a batch takes one for its duration, so concurrent predict calls never share buffers.
  const free: Slot[] = [];
  const acquire = (input: Float32Array | Uint8Array, outLength: number): { slot: Slot; view: Float32Array | Uint8Array } => {
    const s = free.pop() ?? { floats: sharedFloats(0), codes: sharedBytes(0), output: sharedFloats(outLength), next: new Int32Array(new SharedArrayBuffer(4)) };
    if (s.output.length < outLength) s.output = sharedFloats(outLength);
    Atomics.store(s.next, 0, 0);
    return { slot: s, view: sharedInput(input, s) };
  };
  let nextKey = 0;

  return {
    name: backend,
    warnings,
    workers,
    // Whole turns of batches per call (score.ts), the next handed over before the current one's
    // outputs are written: the workers go from one batch to the next without waiting for the main
    // thread. Each worker holds every loaded model.
    turnBatches: TURN_BATCHES,
    concurrentTurns: true,
    copiesPerModel: workers,
    async close() {
      await Promise.all(pool.map((w) => w.terminate()));
    },
    async load(checkpoint: Checkpoint, loadOpts?: LoadOptions): Promise<LoadedModel> {
      // The files are read once: the same topology and weight bytes build the model here (which
      // validates them and gives the shapes) and in every worker.
      const artifacts = await readLayersArtifacts(checkpoint.path);
      const model = await layersModelFromArtifacts(tf, artifacts);
      const inShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
      const outShape = model.outputs[0].shape;
      const k = outShape[outShape.length - 1] ?? -1;
      model.dispose();
      const key = nextKey++;
      const dispose = () => {
        for (const w of pool) void w.request({ type: 'dispose', key }).catch(() => undefined);
      };
      // One table per model load, cloned into each worker with the load message (a worker keeps it for the model's predict requests).
      const table = loadOpts?.codes ? codeValues(loadOpts.codes.scale, loadOpts.codes.offset) : undefined;
      const loaded = await Promise.allSettled(
        pool.map((w) => {
          const weightData = artifacts.weightData.slice(0);
          return w.request({ type: 'load', key, topology: artifacts.topology, weightSpecs: artifacts.weightSpecs, weightData, table }, [weightData]);
        }),
      );
      const failed = loaded.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        dispose(); // the workers that did load it must not keep it
        throw failed.reason;
      }
      const shape = inShape.map((d) => (d < 0 ? 1 : d));
      const rowSize = shape.reduce((a, b) => a * b, 1);
      const maxChunk = opts.chunkRows ?? chunkRows(rowSize);
      /** Score `rows` records of `input` (Float32 values, or uint8 codes the workers decode) on the pool. */
      const score = async (input: Float32Array | Uint8Array, rows: number): Promise<Float32Array> => {
        if (k <= 0) throw new Error(`${checkpoint.path}: the model declares no output width`);
        if (input.length < rows * rowSize) throw new Error(`${checkpoint.path}: a batch of ${rows} records needs ${rows * rowSize} values, got ${input.length}`);
        if (rows === 0) return new Float32Array(0);
        const { slot, view } = acquire(input.subarray(0, rows * rowSize), rows * k);
        try {
          const chunk = chunkSize(rows, workers, maxChunk);
          const used = pool.slice(0, Math.min(workers, Math.ceil(rows / chunk)));
          const msg = { type: 'predict', key, codes: view instanceof Uint8Array, input: view.buffer, inputOffset: view.byteOffset, output: slot.output.buffer, next: slot.next.buffer, rows, rowSize, chunk, shape, k };
          // Settled, not raced: the slot is reused only once no worker writes into it any more.
          const replies = await Promise.allSettled(used.map((w) => w.request(msg)));
          const failed = replies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          if (failed) throw failed.reason;
          const scored = replies.reduce((s, r) => s + ((r as PromiseFulfilledResult<Reply>).value.rows ?? 0), 0);
          if (scored !== rows) throw new Error(`${checkpoint.path}: the workers scored ${scored} of ${rows} records`);
          return slot.output.slice(0, rows * k);
        } finally {
          free.push(slot);
        }
      };
      return {
        inputShape: inShape,
        outputs: k,
        predict: (batch, rows) => score(batch, rows),
        // With a code table, uint8 inputs travel as bytes (a quarter of the Float32 copy) and are
        // decoded by the workers in parallel instead of on the main thread between batches.
        ...(loadOpts?.codes ? { predictCodes: (codes: Uint8Array, rows: number) => score(codes, rows) } : {}),
        dispose,
      };
    },
  };
}

/**
 * Records per chunk for a batch: at most `max`, and as many chunks as a multiple of the worker
 * count, so that workers running at the same speed finish together instead of one scoring a last
 * chunk alone (the counter still rebalances when one is slowed down).
 */
export function chunkSize(rows: number, workers: number, max: number): number {
  const rounds = Math.ceil(rows / (workers * max));
  return Math.max(1, Math.ceil(rows / (workers * rounds)));
}
