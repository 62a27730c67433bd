/**
 * The machine's limit for a model's arithmetic: the same matrix products (the MLP's layers, the
 * CNN's convolutions) as one bare onnxruntime MatMul/Conv graph, built in-process, fed
 * pre-made inputs and run with every core. Runtimes are reported as a fraction of its GFLOP/s, so
 * the benchmark measures efficiency, not just speed of this particular machine.
 */
import { availableParallelism } from 'node:os';
import { encodeModel, type OnnxGraph } from '../src/score/onnx-encode.ts';
import { mulberry32 } from '../src/stats/rng.ts';

/**
 * One matrix product per sample: [m × k] · [k × n] (m = output positions per sample; 1 for a dense
 * layer). A convolution also gives its geometry, so the reference runs it as onnxruntime's own Conv
 * kernel: for the thin products of a small CNN (k = 9, n = 8) a plain im2col MatMul is slower than
 * the Conv kernel, and a limit the runtime beats would not be a limit.
 */
export interface Gemm {
  m: number;
  k: number;
  n: number;
  conv?: { h: number; w: number; cin: number; kh: number; kw: number };
}

export const flopsPerSample = (gemms: Gemm[]): number => gemms.reduce((s, g) => s + 2 * g.m * g.k * g.n, 0);

export interface ReferenceResult {
  threads: number;
  batch: number;
  gflops: number;
  seconds: number;
}

/** GFLOP/s of `gemms` for `batch` samples per run, repeated for at least `seconds`. */
export async function nativeReference(gemms: Gemm[], opts: { batch: number; seconds: number; threads?: number }): Promise<ReferenceResult> {
  const ort = await import('onnxruntime-node');
  const threads = opts.threads ?? availableParallelism();
  const rand = mulberry32(7);
  const graph: OnnxGraph = { name: 'reference', nodes: [], initializers: [], inputs: [], outputs: [] };
  const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
  gemms.forEach((g, i) => {
    if (g.conv) {
      const { h, w, cin, kh, kw } = g.conv;
      const dims = [opts.batch, cin, h, w];
      graph.inputs.push({ name: `a${i}`, dims });
      graph.initializers.push({ name: `w${i}`, dims: [g.n, cin, kh, kw], data: Float32Array.from({ length: g.k * g.n }, () => rand() - 0.5) });
      const pads = [(kh - 1) >> 1, (kw - 1) >> 1, kh >> 1, kw >> 1];
      graph.nodes.push({ op: 'Conv', inputs: [`a${i}`, `w${i}`], outputs: [`y${i}`], attrs: { kernel_shape: [kh, kw], pads } });
      graph.outputs.push({ name: `y${i}`, dims: [opts.batch, g.n, h, w] });
      feeds[`a${i}`] = new ort.Tensor('float32', Float32Array.from({ length: opts.batch * cin * h * w }, () => rand()), dims);
      return;
    }
    const rows = g.m * opts.batch;
    // Inputs are graph inputs, not initializers, so nothing can be constant-folded away.
    graph.inputs.push({ name: `a${i}`, dims: [rows, g.k] });
    graph.initializers.push({ name: `w${i}`, dims: [g.k, g.n], data: Float32Array.from({ length: g.k * g.n }, () => rand() - 0.5) });
    graph.nodes.push({ op: 'MatMul', inputs: [`a${i}`, `w${i}`], outputs: [`y${i}`] });
    graph.outputs.push({ name: `y${i}`, dims: [rows, g.n] });
    feeds[`a${i}`] = new ort.Tensor('float32', Float32Array.from({ length: rows * g.k }, () => rand()), [rows, g.k]);
  });
  const session = await ort.InferenceSession.create(encodeModel(graph), { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  try {
    await session.run(feeds); // warm-up: first run allocates
    const flops = flopsPerSample(gemms) * opts.batch;
    let runs = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < opts.seconds * 1000 || runs < 3) {
      await session.run(feeds);
      runs++;
    }
    const s = (performance.now() - t0) / 1000;
    return { threads, batch: opts.batch, gflops: (flops * runs) / s / 1e9, seconds: s };
  } finally {
    await session.release();
  }
}
