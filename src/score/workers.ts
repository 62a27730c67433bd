/**
 * tfjs WebAssembly scoring on every core: WebAssembly in Node runs one thread, so a pool of
 * worker_threads each loads the checkpoint and scores a contiguous slice of every batch. Inputs
 * and outputs travel through SharedArrayBuffer-backed Float32Arrays (no per-batch copies through
 * postMessage). Each record's output depends only on that record (no cross-row arithmetic in an
 * inference graph), so the result is identical to single-thread scoring whatever the slicing —
 * test/score/workers.test.ts checks this bit for bit. The runtime keeps the single-thread name
 * (`tfjs-wasm`): reports and score-cache keys do not depend on the machine's core count.
 *
 * The worker body is plain JavaScript evaluated in the worker (no TypeScript loader there); the
 * main thread validates and reads the checkpoint and hands the workers its bytes.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type * as TF from '@tensorflow/tfjs';
import type { Checkpoint } from '../types.ts';
import { loadTf } from './backend.ts';
import type { LoadedModel, ScoringRuntime } from './runtime.ts';
import { loadLayersModel } from './tfjs-files.ts';

/** Below this many rows per worker a batch is not split: messaging would cost more than it saves. */
const MIN_ROWS_PER_WORKER = 16;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let tf;
let model;
const ready = (async () => {
  tf = require(workerData.tfjs);
  require(workerData.wasm);
  if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not initialise in a worker');
  await tf.ready();
})();
parentPort.on('message', async (msg) => {
  try {
    await ready;
    if (msg.type === 'load') {
      if (model) model.dispose();
      model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: msg.topology, weightSpecs: msg.weightSpecs, weightData: msg.weightData }));
      parentPort.postMessage({ id: msg.id });
    } else if (msg.type === 'predict') {
      const input = new Float32Array(msg.input, msg.inOffset * 4, msg.rows * msg.rowSize);
      const out = tf.tidy(() => model.predict(tf.tensor(input, [msg.rows, ...msg.shape])));
      const data = out.dataSync();
      out.dispose();
      new Float32Array(msg.output, msg.outOffset * 4, data.length).set(data);
      parentPort.postMessage({ id: msg.id, length: data.length });
    } else if (msg.type === 'dispose') {
      if (model) model.dispose();
      model = undefined;
      parentPort.postMessage({ id: msg.id });
    }
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: String((e && e.stack) || e) });
  }
});
`;

interface Reply {
  id: number;
  error?: string;
  length?: number;
}

/** A worker plus request/response bookkeeping; it keeps the process alive only while a request is pending. */
class PoolWorker {
  private worker: Worker;
  private pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(paths: { tfjs: string; wasm: string }) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: paths });
    this.worker.unref();
    this.worker.on('message', (r: Reply) => this.settle(r.id, r.error ? new Error(`tfjs worker: ${r.error}`) : null, r));
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.on('exit', (code) => this.failAll(new Error(`tfjs worker exited with code ${code}`)));
  }

  request(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const id = this.next++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  private settle(id: number, error: Error | null, r: Reply): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    if (error) p.reject(error);
    else p.resolve(r);
  }

  private failAll(e: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id, e, { id });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

export interface WorkerRuntime extends ScoringRuntime {
  readonly workers: number;
  /** Stop the worker threads (they never keep the process alive, but tests end them explicitly). */
  close(): Promise<void>;
}

/** A tfjs-wasm runtime scoring each batch on `workers` threads (≥ 2). */
export async function createWorkerTfjsRuntime(workers: number): Promise<WorkerRuntime> {
  if (!Number.isInteger(workers) || workers < 2) throw new Error(`createWorkerTfjsRuntime: workers must be an integer ≥ 2, got ${workers}`);
  const { tf, backend, warnings } = await loadTf('tfjs-wasm');
  if (backend !== 'tfjs-wasm') throw new Error('the worker pool needs the tfjs WebAssembly backend');
  const require = createRequire(import.meta.url);
  const paths = { tfjs: require.resolve('@tensorflow/tfjs'), wasm: require.resolve('@tensorflow/tfjs-backend-wasm') };
  const pool = Array.from({ length: workers }, () => new PoolWorker(paths));
  let input: Float32Array = new Float32Array(new SharedArrayBuffer(4));
  let output: Float32Array = new Float32Array(new SharedArrayBuffer(4));
  const ensure = (a: Float32Array, length: number): Float32Array => (a.length >= length ? a : new Float32Array(new SharedArrayBuffer(length * 4)));

  return {
    name: backend,
    warnings,
    workers,
    async close() {
      await Promise.all(pool.map((w) => w.terminate()));
    },
    async load(checkpoint: Checkpoint): Promise<LoadedModel> {
      const model = await loadLayersModel(tf, checkpoint.path); // validates the files, gives shapes
      const artifacts = await modelArtifacts(tf, model);
      const inShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
      const outShape = model.outputs[0].shape;
      const k = outShape[outShape.length - 1] ?? -1;
      model.dispose();
      await Promise.all(pool.map((w) => w.request({ type: 'load', ...artifacts, weightData: artifacts.weightData.slice(0) })));
      const shape = inShape.map((d) => (d < 0 ? 1 : d));
      return {
        inputShape: inShape,
        outputs: k,
        async predict(batch, rows) {
          const rowSize = batch.length / Math.max(rows, 1);
          input = ensure(input, batch.length);
          input.set(batch);
          const parts = Math.max(1, Math.min(workers, Math.floor(rows / MIN_ROWS_PER_WORKER)));
          const per = Math.ceil(rows / parts);
          if (k <= 0) throw new Error(`${checkpoint.path}: the model declares no output width`);
          output = ensure(output, rows * k);
          const replies = await Promise.all(
            Array.from({ length: parts }, (_, p) => {
              const start = p * per;
              const count = Math.min(per, rows - start);
              if (count <= 0) return Promise.resolve({ id: -1, length: 0 });
              return pool[p].request({ type: 'predict', input: input.buffer, inOffset: start * rowSize, rows: count, rowSize, shape, output: output.buffer, outOffset: start * k });
            }),
          );
          const total = replies.reduce((s, r) => s + (r.length ?? 0), 0);
          return output.slice(0, total);
        },
        dispose() {
          for (const w of pool) void w.request({ type: 'dispose' }).catch(() => undefined);
        },
      };
    },
  };
}

/** The topology, weight specs and weight bytes of a loaded model, to re-create it in a worker. */
async function modelArtifacts(tf: typeof TF, model: TF.LayersModel): Promise<{ topology: unknown; weightSpecs: TF.io.WeightsManifestEntry[]; weightData: ArrayBuffer }> {
  let out: { topology: unknown; weightSpecs: TF.io.WeightsManifestEntry[]; weightData: ArrayBuffer } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = { topology: a.modelTopology, weightSpecs: a.weightSpecs ?? [], weightData: a.weightData as ArrayBuffer };
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}
