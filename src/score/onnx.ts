/**
 * ONNX checkpoints (`torch.onnx.export` per epoch, or any other exporter) through onnxruntime-node
 * on the CPU. One float input, one output of [batch, classes]; a model exported with a fixed batch
 * size is fed in chunks of that size (the last chunk zero-padded).
 *
 * Threads: every session has one intra-op thread. With `threads` > 1 the scoring loop's calls go
 * to a pool of that many worker threads, each with a single-thread session of the checkpoint
 * (ort-pool.ts): faster than one multi-thread session, and every output is the single-thread
 * session's bit for bit, so reports never depend on the machine's core count. The main thread's
 * session reads the model's metadata and answers other calls (e.g. the analyses' zeroed inputs).
 */
import { readFile } from 'node:fs/promises';
import type { InferenceSession as Session, Tensor as OrtTensor } from 'onnxruntime-node';
import { InputError } from '../messages.ts';
import { readFailure } from '../load/read-whole.ts';
import type { Checkpoint } from '../types.ts';
import { joinOutputs, ortPieceRows, runInPieces } from './chunking.ts';
import { createPooling, type PoolGraph, type PooledModel } from './ort-pooling.ts';
import type { ScoringRuntime } from './runtime.ts';

type Ort = typeof import('onnxruntime-node');

export { TURN_BATCHES } from './ort-pooling.ts';

export interface OnnxRuntimeOptions {
  /** Worker threads for the scoring loop (model.workers); 1 (default): the main thread's session. */
  threads?: number;
}

/** A loaded ONNX checkpoint: the threads that score its calls (the pool's workers, or 1). */
export type OnnxModel = PooledModel;

export interface OnnxRuntime extends ScoringRuntime {
  /** Stop the worker threads, if any (they never keep the process alive; tests end them explicitly). */
  close(): Promise<void>;
}

export async function createOnnxRuntime(opts: OnnxRuntimeOptions = {}): Promise<OnnxRuntime> {
  const ort: Ort = await import('onnxruntime-node');
  const warnings: string[] = [];
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  // The pool takes whole turns of batches per call, so its workers score them side by side.
  const pooling = threads > 1 ? createPooling(threads, warnings) : null;
  return {
    name: 'onnxruntime',
    warnings,
    ...pooling?.fields,
    close: async () => {
      await pooling?.close();
    },
    async load(checkpoint, loadOpts) {
      const { loaded, graph, outputs } = await loadOnnx(ort, checkpoint);
      if (outputs.length > 1) {
        const w = `${checkpoint.path}: the model has ${outputs.length} outputs (${outputs.map((o) => `"${o}"`).join(', ')}); the first, "${outputs[0]}", is scored as the class scores`;
        if (!warnings.includes(w)) warnings.push(w);
      }
      // Without batchRows: not the scoring loop (e.g. the analyses' zeroed inputs), one call at a time.
      if (!pooling || !loadOpts?.batchRows) return loaded;
      return pooling.wrap(loaded, graph, { ...loadOpts, batchRows: loadOpts.batchRows });
    },
  };
}

/** A checkpoint on the main thread's session, and the graph the pool loads (null: dimensions it cannot know). */
interface Loaded {
  loaded: OnnxModel;
  graph: PoolGraph | null;
  /** The graph's output names: the first is scored. */
  outputs: readonly string[];
}

async function loadOnnx(ort: Ort, checkpoint: Checkpoint): Promise<Loaded> {
  const bytes = await readFile(checkpoint.path).catch((e: unknown) => {
    throw readFailure('model.checkpoints', checkpoint.path, e);
  });
  let session: Session;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  } catch (e) {
    throw new InputError(checkpoint.path, 'a valid ONNX model', `a file onnxruntime cannot load (${firstLine(e)}; truncated or not ONNX?)`);
  }
  if (session.inputNames.length !== 1) {
    await session.release();
    throw new InputError(checkpoint.path, 'a model with exactly one input (the record features)', `${session.inputNames.length} inputs: ${session.inputNames.join(', ')}`);
  }
  const inMeta = session.inputMetadata[0];
  const outMeta = session.outputMetadata[0];
  const inType = inMeta?.isTensor ? inMeta.type : 'unknown';
  if (inType !== 'float32' && inType !== 'float64') {
    await session.release();
    throw new InputError(checkpoint.path, 'a float32 (or float64) input tensor', `input "${session.inputNames[0]}" of type ${inType}`);
  }
  const dims = inMeta?.isTensor ? inMeta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : -1)) : [-1];
  const fixedBatch = dims[0] > 0 ? dims[0] : 0;
  const inputShape = dims.slice(1);
  const rowSize = inputShape.every((d) => d > 0) ? inputShape.reduce((a, b) => a * b, 1) : -1;
  const inName = session.inputNames[0];
  const outName = session.outputNames[0];
  const runError = (shape: number[], detail: string) => new InputError(checkpoint.path, `a model that accepts inputs of shape [${dims.join(', ')}]`, `an error for a batch of shape [${shape.join(', ')}] (${detail})`);
  const outputError = (type: string) => new InputError(checkpoint.path, 'a float output tensor', `output "${outName}" of type ${type}`);

  const runOn = async (s: Session, feeds: Record<string, OrtTensor>, shape: number[]): Promise<Float32Array | Float64Array> => {
    let result: Session.OnnxValueMapType;
    try {
      result = await s.run(feeds);
    } catch (e) {
      throw runError(shape, firstLine(e));
    }
    const out = result[outName] as OrtTensor;
    const values = out.data;
    if (!(values instanceof Float32Array || values instanceof Float64Array)) throw outputError(out.type);
    return values;
  };

  const run = async (batch: Float32Array, rows: number): Promise<Float32Array> => {
    const perRow = rowSize > 0 ? rowSize : batch.length / Math.max(rows, 1);
    const shape = [rows, ...(rowSize > 0 ? inputShape : [perRow])];
    const data = inType === 'float64' ? Float64Array.from(batch.subarray(0, rows * perRow)) : batch.subarray(0, rows * perRow);
    const feeds: Record<string, OrtTensor> = { [inName]: new ort.Tensor(inType, data, shape) };
    const values = await runOn(session, feeds, shape);
    return values instanceof Float32Array ? values : Float32Array.from(values);
  };

  /**
   * Runs any number of rows: in chunks of the model's fixed batch size when it has one, else in the
   * pieces of ortPieceRows — as the worker pool runs them (ort-pool.ts), so both give the same bits.
   */
  const predict = async (batch: Float32Array, rows: number): Promise<Float32Array> => {
    const perRow = rowSize > 0 ? rowSize : batch.length / Math.max(rows, 1);
    if (!fixedBatch) return runInPieces(rows, ortPieceRows(rows, perRow), (start, count) => run(batch.subarray(start * perRow, (start + count) * perRow), count));
    if (rows === fixedBatch) return run(batch, rows);
    const parts: Float32Array[] = [];
    const chunk = new Float32Array(fixedBatch * perRow);
    for (let start = 0; start < rows; start += fixedBatch) {
      const count = Math.min(fixedBatch, rows - start);
      chunk.fill(0);
      chunk.set(batch.subarray(start * perRow, (start + count) * perRow));
      const out = await run(chunk, fixedBatch);
      parts.push(out.slice(0, (out.length / fixedBatch) * count));
    }
    return joinOutputs(parts);
  };

  // The class count: from the output's declared last dimension, or by scoring one zero record.
  const outDims = outMeta?.isTensor ? outMeta.shape : [];
  const last = outDims[outDims.length - 1];
  let outputs = typeof last === 'number' && last > 0 ? last : -1;
  if (outputs < 0 && rowSize > 0) outputs = (await predict(new Float32Array(rowSize), 1)).length;

  const loaded: OnnxModel = { inputShape, outputs, predict, threads: () => 1, dispose: () => void session.release() };
  // The pool needs every dimension of a record (and the output width) up front.
  const graph: PoolGraph | null =
    rowSize > 0 && outputs > 0
      ? {
          bytes,
          label: checkpoint.path,
          shape: inputShape,
          k: outputs,
          ...(fixedBatch ? { fixedBatch } : {}),
          inputError: (f) => (f.kind === 'run' ? runError(f.shape, f.detail) : f.kind === 'output' ? outputError(f.detail) : new InputError(checkpoint.path, `${outputs} outputs per record`, f.detail)),
        }
      : null;
  return { loaded, graph, outputs: session.outputNames };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
