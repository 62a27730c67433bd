/**
 * The runtime for tfjs layers checkpoints, fastest first:
 *
 *   1. converted to ONNX in-process and run by onnxruntime on every core (tfjs-to-onnx.ts; a worker
 *      pool of single-thread sessions, ort-pooling.ts), when every layer converts and the converted
 *      graph matches tfjs within 1e-4 (model.convert "auto");
 *   2. otherwise tfjs: on WebAssembly with a worker_threads pool (workers.ts) when there is enough
 *      work to amortise starting the workers (model.workers ≥ 2), else single-thread tfjs.
 *
 * Why conversion fell back is kept in `warnings`. Whether checkpoint 0 converts decides the
 * runtime's name up front (the score cache and the report name it before any checkpoint loads);
 * a later checkpoint that does not convert runs on tfjs with a warning.
 */
import type * as TF from '@tensorflow/tfjs';
import { codeValues } from '../load/input-values.ts';
import { isShared } from '../load/shared-file.ts';
import type { Checkpoint } from '../types.ts';
import { ortPieceRows, runInPieces } from './chunking.ts';
import { encodeModel, type OnnxGraph } from './onnx-encode.ts';
import { createPooling } from './ort-pooling.ts';
import type { LoadedModel, ScoringRuntime } from './runtime.ts';
import { loadTf } from './backend.ts';
import { loadLayersModel } from './tfjs-files.ts';
import { codeFedGraph, CONVERSION_TOLERANCE, convertLayersModel, decodingNodes, maxAbsDiff, verificationRows, type CodeDecoding } from './tfjs-to-onnx.ts';
import { createTfjsRuntime } from './tfjs.ts';
import { createWorkerTfjsRuntime } from './workers.ts';

export const CONVERTED_NAME = 'onnxruntime (converted from tfjs-layers)';
/** Records × checkpoints below which starting worker threads (≈0.5 s each) is not worth it. */
export const WORKER_MIN_WORK = 20_000;
const VERIFY_ROWS = 32;

export interface LayersRuntimeOptions {
  convert: 'auto' | 'never';
  /** Threads for onnxruntime and the tfjs worker pool; 1 = single-thread. */
  workers: number;
  checkpoints: Checkpoint[];
  /** Records to score (decides whether the worker pool pays off). */
  records: number;
}

type Ort = typeof import('onnxruntime-node');

const sessionOptions = (threads: number) => ({ intraOpNumThreads: Math.max(1, threads), interOpNumThreads: 1, graphOptimizationLevel: 'all' as const });

/**
 * An exact float32 decoding of uint8 codes for onnxruntime, or null: code · scale + offset (or
 * code / (1/scale) + offset when 1/scale is a whole number, as for 1/255) in float32, accepted only
 * if onnxruntime's own Cast/Mul|Div/Add give the loader's 256 values (codeValues) bit for bit;
 * otherwise the inputs are converted in JavaScript as before.
 */
export async function decodeCodes(ort: Ort, scale: number, offset: number): Promise<CodeDecoding | null> {
  const table = codeValues(scale, offset);
  const shift = offset === 0 ? null : offset;
  const candidates: CodeDecoding[] = [{ scale: scale === 1 ? null : scale, offset: shift }];
  // scale = 1/255 (the usual pixel scaling): dividing by 255 rounds once, as the loader does.
  const divisor = Math.round(1 / scale);
  if (scale !== 1 && Math.abs(1 / scale - divisor) <= 1e-9 * divisor) candidates.push({ scale: divisor, divide: true, offset: shift });
  const codes = Uint8Array.from({ length: 256 }, (_, v) => v);
  for (const dec of candidates) {
    const prefix = decodingNodes(dec, 'values');
    const graph: OnnxGraph = { name: 'decode', nodes: prefix.nodes, initializers: prefix.initializers, inputs: [{ name: 'codes', dims: [256], type: 'uint8' }], outputs: [{ name: 'values', dims: [256] }] };
    const session = await ort.InferenceSession.create(encodeModel(graph));
    try {
      const out = (await session.run({ codes: new ort.Tensor('uint8', codes, [256]) })).values.data as Float32Array;
      if (out.every((v, i) => Object.is(v, table[i]))) return dec;
    } finally {
      await session.release();
    }
  }
  return null;
}

/**
 * The converted model fed with stored uint8 codes, decoded inside the graph (codeFedGraph): no
 * Float32 copy of the inputs in JavaScript, and onnxruntime reads a quarter of the bytes. The float
 * session of the verification is released; `predict` on Float32 values (rare: analyses' extra
 * calls) re-creates one when first asked.
 */
async function withCodeFeed(ort: Ort, conv: Converted, codeFed: Uint8Array, threads: number): Promise<LoadedModel> {
  const { inputShape, outputs } = conv.model;
  const codes = await ort.InferenceSession.create(codeFed, sessionOptions(threads));
  conv.model.dispose();
  let floats: Promise<import('onnxruntime-node').InferenceSession> | null = null;
  const rowSize = inputShape.reduce((a, b) => a * b, 1);
  // onnxruntime-node refuses a tensor over shared memory ("Invalid argument"), where .npy inputs
  // live (load/shared-file.ts): such codes are copied into this buffer first (~55 ms per checkpoint
  // at a million 784-byte records). Unshared ones go in as they are.
  let unshared = new Uint8Array(0);
  const feedable = (view: Uint8Array): Uint8Array => {
    if (!isShared(view)) return view;
    if (unshared.length < view.length) unshared = new Uint8Array(view.length);
    unshared.set(view);
    return unshared.subarray(0, view.length);
  };
  return {
    inputShape,
    outputs,
    // In the pieces the worker pool cuts a batch into (ortPieceRows: no float inputs to bound
    // them, only the widest layer), for the same bits.
    predictCodes: (batch, rows) =>
      runInPieces(rows, ortPieceRows(rows, 0, conv.widestLayer), async (start, count) => {
        const piece = feedable(batch.subarray(start * rowSize, (start + count) * rowSize));
        const out = await codes.run({ codes: new ort.Tensor('uint8', piece, [count, ...inputShape]) });
        return out.output.data as Float32Array;
      }),
    async predict(batch, rows) {
      floats ??= ort.InferenceSession.create(conv.bytes, sessionOptions(threads));
      const session = await floats;
      return runInPieces(rows, ortPieceRows(rows, rowSize, conv.widestLayer), async (start, count) => {
        const out = await session.run({ input: new ort.Tensor('float32', batch.subarray(start * rowSize, (start + count) * rowSize), [count, ...inputShape]) });
        return out.output.data as Float32Array;
      });
    },
    dispose() {
      void codes.release();
      if (floats) void floats.then((s) => s.release());
    },
  };
}

export async function createLayersRuntime(opts: LayersRuntimeOptions): Promise<ScoringRuntime> {
  const tfjs = await createTfjsRuntime();
  const useWorkers = tfjs.name === 'tfjs-wasm' && opts.workers >= 2 && opts.records * Math.max(opts.checkpoints.length, 1) >= WORKER_MIN_WORK;
  let fallback: ScoringRuntime | undefined;
  const getFallback = async () => (fallback ??= useWorkers ? await createWorkerTfjsRuntime(opts.workers) : tfjs);
  // A pinned tfjs backend (LOSSLENS_BACKEND, e.g. for committed reports) means tfjs, not a conversion.
  const pinned = /^tfjs-/.test(process.env.LOSSLENS_BACKEND ?? '');
  if (opts.convert === 'never' || pinned || opts.checkpoints.length === 0) return getFallback();

  const { tf } = await loadTf();
  const ort: Ort = await import('onnxruntime-node');
  // Every session has one intra-op thread: with model.workers > 1 the scoring loop runs on the
  // worker pool of single-thread sessions (ort-pooling.ts), faster than one multi-thread session
  // and the same bits whatever the core count; the main thread's sessions are its fallback and
  // answer the analyses' own calls.
  const first = await convertCheckpoint(tf, ort, opts.checkpoints[0], 1);
  if (!first.ok) {
    const rt = await getFallback();
    // The fallback whole (a worker pool's turn and copy fields too), with one more warning.
    return { ...rt, warnings: [...rt.warnings, `${opts.checkpoints[0].path}: not converted to ONNX (${first.reason}); scoring with ${rt.name}`] };
  }
  // Scoring runs on onnxruntime; tfjs only reads the checkpoints and checks each conversion, so its
  // backend warning ("tfjs-node is not available; using WebAssembly") says which part it concerns.
  const warnings: string[] = tfjs.warnings.map((w) => `tfjs, which reads the checkpoints and checks each conversion to ONNX: ${w}`);
  let pending: Promise<Converted | Failed> | null = Promise.resolve(first);
  const decodings = new Map<string, Promise<CodeDecoding | null>>();
  const pooling = opts.workers > 1 ? createPooling(opts.workers, warnings) : null;
  return {
    name: CONVERTED_NAME,
    warnings,
    // One checkpoint at a time on the pool: code-fed graphs share no conversion work, and each
    // loaded checkpoint has a session in every worker.
    maxLoaded: pooling ? 1 : undefined,
    ...pooling?.fields,
    async load(checkpoint, loadOpts) {
      const reuse = pending && checkpoint === opts.checkpoints[0];
      const result = reuse ? await pending! : await convertCheckpoint(tf, ort, checkpoint, 1);
      if (reuse) pending = null;
      if (!result.ok) {
        const rt = await getFallback();
        warnings.push(`${checkpoint.path}: not converted to ONNX (${result.reason}); this checkpoint was scored with ${rt.name}`);
        return rt.load(checkpoint, loadOpts);
      }
      const codes = loadOpts?.codes;
      let dec: CodeDecoding | null = null;
      if (codes) {
        const key = `${codes.scale}/${codes.offset}`;
        if (!decodings.has(key)) decodings.set(key, decodeCodes(ort, codes.scale, codes.offset));
        dec = await decodings.get(key)!;
      }
      // The graph the main-thread model runs, and the pool too: codes decoded in the graph (codeFedGraph
      // of the verified graph, encoded once here), or the verified float graph itself.
      const bytes = dec ? encodeModel(codeFedGraph(result.graph, dec)) : result.bytes;
      const main = dec ? await withCodeFeed(ort, result, bytes, 1) : result.model;
      if (!pooling || !loadOpts?.batchRows) return main;
      return pooling.wrap(main, { bytes, label: checkpoint.path, shape: main.inputShape, k: main.outputs, widestLayer: result.widestLayer }, { ...loadOpts, batchRows: loadOpts.batchRows });
    },
  };
}

interface Converted {
  ok: true;
  model: LoadedModel;
  /** The verified graph: a code-fed variant is derived from it (codeFedGraph). */
  graph: OnnxGraph;
  /** `graph` encoded (what the verified session runs). */
  bytes: Uint8Array;
  /** Conversion.widestLayer: the pieces both sessions and the pool run a batch in follow it. */
  widestLayer: number;
}
interface Failed {
  ok: false;
  reason: string;
}

/** Load a checkpoint in tfjs, convert it, and check the converted graph against tfjs on seeded rows. */
export async function convertCheckpoint(tf: typeof TF, ort: Ort, checkpoint: Checkpoint, threads: number): Promise<Converted | Failed> {
  const model = await loadLayersModel(tf, checkpoint.path);
  let session: import('onnxruntime-node').InferenceSession | undefined;
  try {
    const conv = convertLayersModel(model);
    if (!conv.ok) return conv;
    const bytes = encodeModel(conv.graph);
    session = await ort.InferenceSession.create(bytes, sessionOptions(threads));
    const s = session;
    const rowSize = conv.inputShape.reduce((a, b) => a * b, 1);
    // In the pieces the worker pool cuts a float-fed batch into (chunking.ts), for the same bits.
    const predict = (batch: Float32Array, rows: number): Promise<Float32Array> =>
      runInPieces(rows, ortPieceRows(rows, rowSize, conv.widestLayer), async (start, count) => {
        const out = await s.run({ input: new ort.Tensor('float32', batch.subarray(start * rowSize, (start + count) * rowSize), [count, ...conv.inputShape]) });
        return out.output.data as Float32Array;
      });
    const probe = verificationRows(model, VERIFY_ROWS, rowSize);
    const expected = tf.tidy(() => (model.predict(tf.tensor(probe, [VERIFY_ROWS, ...conv.inputShape])) as TF.Tensor).dataSync());
    const diff = maxAbsDiff(expected, await predict(probe, VERIFY_ROWS));
    if (!(diff <= CONVERSION_TOLERANCE)) return { ok: false, reason: `the converted graph differs from tfjs by ${diff.toExponential(2)} (> ${CONVERSION_TOLERANCE})` };
    session = undefined; // owned by the LoadedModel from here on
    return { ok: true, graph: conv.graph, bytes, widestLayer: conv.widestLayer, model: { inputShape: conv.inputShape, outputs: conv.outputs, predict, dispose: () => void s.release() } };
  } catch (e) {
    return { ok: false, reason: `onnxruntime rejected the converted graph (${String((e as Error)?.message ?? e).split('\n')[0]})` };
  } finally {
    model.dispose();
    if (session) void session.release();
  }
}
