/**
 * ONNX checkpoints (`torch.onnx.export` per epoch, or any other exporter) through onnxruntime-node
 * on the CPU. One float input, one output of [batch, classes]; a model exported with a fixed batch
 * size is fed in chunks of that size (the last chunk zero-padded).
 *
 * Threads: with `threads` > 1 each checkpoint also gets a session of that many intra-op threads,
 * used only once its outputs on the first batch of at least PROBE_ROWS records equal the
 * single-thread session's bit for bit. Matrix products and convolutions split their outputs, not
 * their sums, across threads, so an MLP or CNN passes and scores on every core; an operator that
 * splits a sum across threads would make the report depend on the machine's core count, so such a
 * checkpoint stays on one thread (with a warning on stderr).
 */
import { readFile } from 'node:fs/promises';
import type { InferenceSession as Session, Tensor as OrtTensor } from 'onnxruntime-node';
import { InputError } from '../messages.ts';
import type { Checkpoint } from '../types.ts';
import type { LoadedModel, ScoringRuntime } from './runtime.ts';

type Ort = typeof import('onnxruntime-node');

/** Batches a multi-thread session scores before the next checkpoint's takes its turn (runtime.turnBatches). */
export const TURN_BATCHES = 64;

/** Smallest batch that decides between the sessions (smaller ones, e.g. the class-count probe, run on one thread). */
export const PROBE_ROWS = 16;

export interface OnnxRuntimeOptions {
  /** Intra-op threads once a checkpoint proves thread-independent (model.workers); default 1. */
  threads?: number;
  /** Bit-for-bit equality of two outputs; a test replaces it to exercise the fallback. */
  sameBits?: (a: Float32Array | Float64Array, b: Float32Array | Float64Array) => boolean;
}

export interface OnnxModel extends LoadedModel {
  /** Threads the model runs on now: 1 until a probe batch has decided, then 1 or `threads`. */
  threads(): number;
}

export async function createOnnxRuntime(opts: OnnxRuntimeOptions = {}): Promise<ScoringRuntime> {
  const ort: Ort = await import('onnxruntime-node');
  const warnings: string[] = [];
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  return {
    name: 'onnxruntime',
    warnings,
    // Sessions with thread pools of their own must not take turns batch by batch (their threads spin
    // while the other runs: 63 s instead of 23 s of scoring at 1M × 5), so each takes turns of up to
    // TURN_BATCHES batches, whose values are converted once for every checkpoint of the group.
    turnBatches: threads > 1 ? TURN_BATCHES : undefined,
    load: (checkpoint) => loadOnnx(ort, checkpoint, threads, opts.sameBits ?? sameBits, (w) => warnings.push(w)),
  };
}

/** Equal bit patterns, NaNs included. */
export function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  if (a.constructor !== b.constructor || a.length !== b.length) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

async function loadOnnx(ort: Ort, checkpoint: Checkpoint, threads: number, equal: NonNullable<OnnxRuntimeOptions['sameBits']>, warn: (w: string) => void): Promise<OnnxModel> {
  const bytes = await readFile(checkpoint.path).catch(() => {
    throw new InputError(checkpoint.path, 'an ONNX model file', 'no such file');
  });
  const create = (n: number) => ort.InferenceSession.create(bytes, { intraOpNumThreads: n, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  let session: Session;
  try {
    session = await create(1);
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
  // Whether the first batch of PROBE_ROWS records has still to decide on `threads` threads. The
  // multi-thread session is made then, not now: a group of checkpoints loads together (score.ts),
  // and holding two sessions of each until its first batch would double the group's memory.
  let undecided = threads > 1;
  let running = 1;

  const runOn = async (s: Session, feeds: Record<string, OrtTensor>, shape: number[]): Promise<Float32Array | Float64Array> => {
    let result: Session.OnnxValueMapType;
    try {
      result = await s.run(feeds);
    } catch (e) {
      throw new InputError(checkpoint.path, `a model that accepts inputs of shape [${dims.join(', ')}]`, `an error for a batch of shape [${shape.join(', ')}] (${firstLine(e)})`);
    }
    const out = result[outName] as OrtTensor;
    const values = out.data;
    if (!(values instanceof Float32Array || values instanceof Float64Array)) {
      throw new InputError(checkpoint.path, 'a float output tensor', `output "${outName}" of type ${out.type}`);
    }
    return values;
  };

  const run = async (batch: Float32Array, rows: number): Promise<Float32Array> => {
    const perRow = rowSize > 0 ? rowSize : batch.length / Math.max(rows, 1);
    const shape = [rows, ...(rowSize > 0 ? inputShape : [perRow])];
    const data = inType === 'float64' ? Float64Array.from(batch.subarray(0, rows * perRow)) : batch.subarray(0, rows * perRow);
    const feeds: Record<string, OrtTensor> = { [inName]: new ort.Tensor(inType, data, shape) };
    const values = await runOn(session, feeds, shape);
    if (undecided && rows >= Math.min(PROBE_ROWS, fixedBatch || PROBE_ROWS)) {
      undecided = false;
      const probe = await create(threads);
      if (equal(values, await runOn(probe, feeds, shape))) {
        await session.release();
        session = probe;
        running = threads;
      } else {
        await probe.release();
        warn(`onnxruntime: ${checkpoint.path} gave different bits on ${threads} threads than on one (an operator splits a sum across threads), so it is scored on one thread: reports must not depend on the machine's core count`);
      }
    }
    return values instanceof Float32Array ? values : Float32Array.from(values);
  };

  /** Runs any number of rows, in chunks of the model's fixed batch size when it has one. */
  const predict = async (batch: Float32Array, rows: number): Promise<Float32Array> => {
    if (!fixedBatch || rows === fixedBatch) return run(batch, rows);
    const perRow = batch.length / Math.max(rows, 1);
    const parts: Float32Array[] = [];
    const chunk = new Float32Array(fixedBatch * perRow);
    for (let start = 0; start < rows; start += fixedBatch) {
      const count = Math.min(fixedBatch, rows - start);
      chunk.fill(0);
      chunk.set(batch.subarray(start * perRow, (start + count) * perRow));
      const out = await run(chunk, fixedBatch);
      parts.push(out.slice(0, (out.length / fixedBatch) * count));
    }
    const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    return all;
  };

  // The class count: from the output's declared last dimension, or by scoring one zero record.
  const outDims = outMeta?.isTensor ? outMeta.shape : [];
  const last = outDims[outDims.length - 1];
  let outputs = typeof last === 'number' && last > 0 ? last : -1;
  if (outputs < 0 && rowSize > 0) outputs = (await predict(new Float32Array(rowSize), 1)).length;

  return {
    inputShape,
    outputs,
    predict,
    threads: () => running,
    dispose: () => void session.release(),
  };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
