/**
 * The machine's ceiling for tfjs-wasm on several threads, to read the worker pool's ratio against
 * (as the native reference is for onnxruntime): the pool's own inner loop — predict on a chunk of
 * CHUNK_VALUES input values, read the result — run by worker threads that share nothing (no pool,
 * no counter, no main-thread work between batches), first one thread alone, then `threads` at
 * once. If independent threads reach only r× one thread here, no pool can do better than r×.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { chunkRows } from '../src/score/chunking.ts';
import { readLayersArtifacts } from '../src/score/tfjs-files.ts';

export interface WasmCeiling {
  /** Records per predict call (the pool's chunk). */
  chunk: number;
  /** Records/s of one thread alone (best round). */
  one: number;
  /** Records/s of all threads together (sum; best round). */
  together: number;
  threads: number;
  ratio: number;
}

/** Each thread loads the model, warms up, waits for "go", then predicts for `ms` and reports records/s. */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const tf = require(workerData.tfjs);
  require(workerData.wasm);
  if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not initialise');
  await tf.ready();
  const a = workerData.artifacts;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.topology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
  const size = workerData.shape.reduce((p, d) => p * d, 1);
  const x = new Float32Array(workerData.chunk * size);
  let s = 12345;
  for (let i = 0; i < x.length; i++) x[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) / 255;
  const once = () => { const out = tf.tidy(() => model.predict(tf.tensor(x, [workerData.chunk, ...workerData.shape]))); out.dataSync(); out.dispose(); };
  for (let i = 0; i < 20; i++) once();
  parentPort.postMessage('ready');
  parentPort.once('message', () => {
    const t = performance.now();
    let rows = 0;
    while (performance.now() - t < workerData.ms) { once(); rows += workerData.chunk; }
    parentPort.postMessage(rows / ((performance.now() - t) / 1000));
  });
})().catch((e) => parentPort.postMessage('error: ' + e.message));
`;

async function round(threads: number, data: Record<string, unknown>): Promise<number> {
  const ws = Array.from({ length: threads }, () => new Worker(SOURCE, { eval: true, workerData: data }));
  try {
    const ready = await Promise.all(ws.map((w) => new Promise<unknown>((r) => w.once('message', r))));
    const bad = ready.find((m) => m !== 'ready');
    if (bad !== undefined) throw new Error(String(bad));
    const rates = await Promise.all(
      ws.map((w) => {
        const p = new Promise<unknown>((r) => w.once('message', r));
        w.postMessage('go');
        return p;
      }),
    );
    const bad2 = rates.find((r) => typeof r !== 'number');
    if (bad2 !== undefined) throw new Error(String(bad2));
    return (rates as number[]).reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

/** One thread, then `threads` together, alternating `rounds` times; the best round of each counts. */
export async function wasmThreadsCeiling(modelJson: string, shape: number[], threads: number, seconds: number, rounds = 2): Promise<WasmCeiling> {
  const require = createRequire(import.meta.url);
  const artifacts = await readLayersArtifacts(modelJson);
  const chunk = chunkRows(shape.reduce((a, b) => a * b, 1));
  const data = { tfjs: require.resolve('@tensorflow/tfjs'), wasm: require.resolve('@tensorflow/tfjs-backend-wasm'), artifacts, shape, chunk, ms: (seconds * 1000) / (2 * rounds) };
  let one = 0;
  let together = 0;
  for (let r = 0; r < rounds; r++) {
    one = Math.max(one, await round(1, data));
    together = Math.max(together, await round(threads, data));
  }
  return { chunk, one, together, threads, ratio: together / one };
}
