/**
 * The arithmetic of the logistic-regression baseline, on onnxruntime when it loads (native speed:
 * at a million records training and evaluation take a fraction of a second instead of seconds of
 * tfjs-wasm op overhead), otherwise on tfjs. Both compute the same two things, so the training
 * loop and the optimiser (logreg.ts) are one piece of code whichever engine runs:
 *
 * - gradient: for a minibatch X (n × d, standardised) with labels y, D = softmax(XW + b) − onehot(y),
 *   returning Xᵀ·D (d × k) and Σ_rows D (k) — the caller scales by 1/n and adds the L2 term;
 * - probabilities: softmax(XW + b) for raw model inputs, with the standardisation folded into W and b
 *   (uint8 inputs go in as their stored codes and are cast inside the graph: no Float32 copy).
 */
import type * as TF from '@tensorflow/tfjs';
import { codeTable, fillBatch } from '../../load/input-values.ts';
import { loadTf } from '../../score/backend.ts';
import { encodeModel, type OnnxGraph } from '../../score/onnx-encode.ts';
import type { ModelInputs } from '../../types.ts';

type Ort = typeof import('onnxruntime-node');

export interface Gradient {
  /** Xᵀ·D, d × k row-major. */
  gW: Float32Array;
  /** Σ over rows of D, k values. */
  gb: Float32Array;
}

export interface LogRegEngine {
  /** "onnxruntime" or the tfjs backend's name, for the baseline's note. */
  readonly name: string;
  gradient(x: Float32Array, y: Int32Array, n: number, W: Float32Array, b: Float32Array): Promise<Gradient>;
  /** softmax(standardise(x)·W + b) for `rows` of `inputs` (dataset row numbers), rows·k values. */
  probabilities(inputs: ModelInputs, rows: Int32Array, std: Standardisation, W: Float32Array, b: Float32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface Standardisation {
  mean: Float64Array;
  sd: Float64Array;
}

/** Rows per evaluation call on tfjs: bounds the batch copy (8 192 × 784 floats). */
const EVAL_CHUNK = 8192;

/**
 * Rows per evaluation call on onnxruntime: a 1 024-row batch and its float cast (3 MB at 784 inputs)
 * stay in the CPU cache, which makes the evaluation pass about twice as fast as 8 192-row calls.
 * Must divide EVAL_CHUNK (see evalChunks).
 */
export const ORT_EVAL_CHUNK = 1024;

/**
 * [start, end) of each evaluation call on onnxruntime for `n` rows: runs of `size` rows, except that
 * a lone last row joins the run before it unless `EVAL_CHUNK`-row runs (what this evaluation once
 * used) also left it alone. The probabilities of a row do not depend on the other rows of its call,
 * but a one-row matrix product takes another MLAS kernel that rounds differently, so single-row
 * calls stay exactly where they were (`size` divides EVAL_CHUNK: n mod size = 1 when n mod EVAL_CHUNK = 1).
 */
export function evalChunks(n: number, size = ORT_EVAL_CHUNK): [number, number][] {
  const chunks: [number, number][] = [];
  for (let start = 0; start < n; ) {
    let end = Math.min(n, start + size);
    if (n - end === 1 && n % EVAL_CHUNK !== 1) end = n;
    chunks.push([start, end]);
    start = end;
  }
  return chunks;
}

/** `prefer: 'tfjs'` skips onnxruntime (tests compare the two engines). */
export async function createLogRegEngine(d: number, k: number, prefer: 'auto' | 'tfjs' = 'auto'): Promise<LogRegEngine> {
  let ort: Ort | null = null;
  try {
    if (prefer === 'auto') ort = await import('onnxruntime-node');
  } catch {
    ort = null; // no native binary for this platform: tfjs does the arithmetic
  }
  return ort ? onnxEngine(ort, d, k) : tfjsEngine(d, k);
}

/**
 * W and b with the standardisation (x − mean) / sd folded in, so raw model values go in; with
 * `decode` (uint8 inputs) also the decoding value = code · scale + offset, so the stored codes go in.
 * Computed in float64 and rounded once.
 */
export function foldStandardisation(std: Standardisation, W: Float32Array, b: Float32Array, k: number, decode?: { scale: number; offset: number }): { W: Float32Array; b: Float32Array } {
  const d = std.mean.length;
  const scale = decode?.scale ?? 1;
  const offset = decode?.offset ?? 0;
  const Wf = new Float32Array(d * k);
  const bf = Float64Array.from(b);
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < k; c++) {
      const w = W[j * k + c] / std.sd[j];
      Wf[j * k + c] = scale * w;
      bf[c] += (offset - std.mean[j]) * w;
    }
  }
  return { W: Wf, b: Float32Array.from(bf) };
}

/** Gather `rows` of uint8 codes densely (a row is a contiguous run of bytes). */
function gatherCodes(data: Uint8Array, d: number, rows: Int32Array, out: Uint8Array): void {
  for (let r = 0; r < rows.length; r++) out.set(data.subarray(rows[r] * d, rows[r] * d + d), r * d);
}

function onnxEngine(ort: Ort, d: number, k: number): LogRegEngine {
  // One intra-op thread: the products are small, and results must not depend on the core count.
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' } as const;
  let gradientSession: Promise<import('onnxruntime-node').InferenceSession> | null = null;
  const sessions: import('onnxruntime-node').InferenceSession[] = [];
  const create = async (graph: OnnxGraph) => {
    const s = await ort.InferenceSession.create(encodeModel(graph), options);
    sessions.push(s);
    return s;
  };
  let yBuf = new Float32Array(0);
  return {
    name: 'onnxruntime',
    async gradient(x, y, n, W, b) {
      gradientSession ??= create(gradientGraph(d, k));
      const session = await gradientSession;
      if (yBuf.length < n * k) yBuf = new Float32Array(n * k);
      const Y = yBuf.subarray(0, n * k).fill(0);
      for (let r = 0; r < n; r++) Y[r * k + y[r]] = 1;
      const out = await session.run({
        X: new ort.Tensor('float32', x.subarray(0, n * d), [n, d]),
        Y: new ort.Tensor('float32', Y, [n, k]),
        W: new ort.Tensor('float32', W, [d, k]),
        b: new ort.Tensor('float32', b, [k]),
      });
      return { gW: out.gW.data as Float32Array, gb: out.gb.data as Float32Array };
    },
    async probabilities(inputs, rows, std, W, b) {
      const codes = codeTable(inputs) !== null;
      const folded = foldStandardisation(std, W, b, k, codes ? { scale: inputs.scale ?? 1, offset: inputs.offset ?? 0 } : undefined);
      const session = await create(probabilityGraph(d, k, codes));
      const p = new Float32Array(rows.length * k);
      const chunks = evalChunks(rows.length);
      const chunk = Math.min(rows.length, ORT_EVAL_CHUNK + 1); // the longest chunk (a lone last row joined)
      const codeBatch = codes ? new Uint8Array(chunk * d) : null;
      const values = codes ? null : new Float32Array(chunk * d);
      const Wt = new ort.Tensor('float32', folded.W, [d, k]);
      const bt = new ort.Tensor('float32', folded.b, [k]);
      for (const [start, end] of chunks) {
        const part = rows.subarray(start, end);
        let X: import('onnxruntime-node').Tensor;
        if (codeBatch) {
          gatherCodes(inputs.data as Uint8Array, d, part, codeBatch);
          X = new ort.Tensor('uint8', codeBatch.subarray(0, part.length * d), [part.length, d]);
        } else {
          fillBatch(inputs, part, values!);
          X = new ort.Tensor('float32', values!.subarray(0, part.length * d), [part.length, d]);
        }
        const out = await session.run({ X, W: Wt, b: bt });
        p.set(out.P.data as Float32Array, start * k);
      }
      return p;
    },
    async dispose() {
      await Promise.all(sessions.map((s) => s.release()));
      sessions.length = 0;
    },
  };
}

/** Xᵀ·(softmax(XW + b) − Y) and Σ_rows (softmax(XW + b) − Y). */
export function gradientGraph(d: number, k: number): OnnxGraph {
  return {
    name: 'logreg-gradient',
    nodes: [
      { op: 'MatMul', inputs: ['X', 'W'], outputs: ['XW'] },
      { op: 'Add', inputs: ['XW', 'b'], outputs: ['Z'] },
      { op: 'Softmax', inputs: ['Z'], outputs: ['P'], attrs: { axis: 1 } },
      { op: 'Sub', inputs: ['P', 'Y'], outputs: ['D'] },
      { op: 'Gemm', inputs: ['X', 'D'], outputs: ['gW'], attrs: { transA: 1 } },
      { op: 'ReduceSum', inputs: ['D', 'axis0'], outputs: ['gb'], attrs: { keepdims: 0 } },
    ],
    initializers: [{ name: 'axis0', dims: [1], data: { int64: [0] } }],
    inputs: [
      { name: 'X', dims: ['n', d] },
      { name: 'Y', dims: ['n', k] },
      { name: 'W', dims: [d, k] },
      { name: 'b', dims: [k] },
    ],
    outputs: [
      { name: 'gW', dims: [d, k] },
      { name: 'gb', dims: [k] },
    ],
  };
}

/** softmax(X·W + b); uint8 X is cast to float inside the graph. */
export function probabilityGraph(d: number, k: number, codes: boolean): OnnxGraph {
  return {
    name: 'logreg-probabilities',
    nodes: [
      ...(codes ? [{ op: 'Cast', inputs: ['X'], outputs: ['Xf'], attrs: { to: 1 } }] : []),
      { op: 'MatMul', inputs: [codes ? 'Xf' : 'X', 'W'], outputs: ['XW'] },
      { op: 'Add', inputs: ['XW', 'b'], outputs: ['Z'] },
      { op: 'Softmax', inputs: ['Z'], outputs: ['P'], attrs: { axis: 1 } },
    ],
    initializers: [],
    inputs: [
      { name: 'X', dims: ['n', d], type: codes ? 'uint8' : 'float' },
      { name: 'W', dims: [d, k] },
      { name: 'b', dims: [k] },
    ],
    outputs: [{ name: 'P', dims: ['n', k] }],
  };
}

async function tfjsEngine(d: number, k: number): Promise<LogRegEngine> {
  const { tf, backend } = await loadTf();
  return {
    name: backend,
    async gradient(x, y, n, W, b) {
      const [gW, gb] = tf.tidy(() => {
        const X = tf.tensor2d(x.subarray(0, n * d), [n, d]);
        const D = tf.softmax(X.matMul(tf.tensor2d(W, [d, k])).add(tf.tensor1d(b))).sub(tf.oneHot(tf.tensor1d(y.subarray(0, n), 'int32'), k));
        return [X.transpose().matMul(D), D.sum(0)] as TF.Tensor[];
      });
      const out = { gW: gW.dataSync() as Float32Array, gb: gb.dataSync() as Float32Array };
      gW.dispose();
      gb.dispose();
      return out;
    },
    async probabilities(inputs, rows, std, W, b) {
      const folded = foldStandardisation(std, W, b, k);
      const p = new Float32Array(rows.length * k);
      const chunk = Math.max(1, Math.min(rows.length, EVAL_CHUNK));
      const values = new Float32Array(chunk * d);
      for (let start = 0; start < rows.length; start += chunk) {
        const part = rows.subarray(start, Math.min(rows.length, start + chunk));
        fillBatch(inputs, part, values);
        const probs = tf.tidy(() => tf.softmax(tf.tensor2d(values.subarray(0, part.length * d), [part.length, d]).matMul(tf.tensor2d(folded.W, [d, k])).add(tf.tensor1d(folded.b))));
        p.set((await probs.data()) as Float32Array, start * k);
        probs.dispose();
      }
      return p;
    },
    async dispose() {},
  };
}
