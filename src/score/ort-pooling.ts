/**
 * How an onnxruntime-based ScoringRuntime (onnx.ts: ONNX files; layers.ts: converted tfjs
 * checkpoints) scores on the worker pool of ort-pool.ts: the runtime fields that make score.ts hand
 * it whole turns of batches, and each model's calls routed to the pool — or, when the pool has no
 * place for it (the workers could not start or died, or the model's dimensions are unknown), to the
 * model's main-thread session batch by batch, exactly as the pool would have cut them. Both give
 * the single-thread session's bits, so a fallback changes speed, never a report.
 */
import { codeValues } from '../load/input-values.ts';
import { createOrtPool, modelFailure, type ModelFailure, type OrtPool, type PoolModel } from './ort-pool.ts';
import { TURN_BATCHES } from './pool-worker.ts';
import type { LoadedModel, LoadOptions, ScoringRuntime } from './runtime.ts';

export { TURN_BATCHES };

/**
 * Most bytes of one model's graph held across the pool's workers: a larger model is loaded by
 * fewer workers (at least one), so a many-core machine does not hold dozens of copies of it.
 */
export const POOL_MODEL_BYTES = 2 * 2 ** 30;

/** A model as the pool loads it. */
export interface PoolGraph {
  /** The ONNX graph (float input, or uint8 codes for a graph that decodes them itself). */
  bytes: Uint8Array;
  /** One record's input dimensions (all positive). */
  shape: number[];
  /** Outputs per record. */
  k: number;
  fixedBatch?: number;
  /** Values per record of the widest layer output, when known (converted tfjs layers): pieces are cut to it (ortPieceRows). */
  widestLayer?: number;
  /** The error a failure of the model on its input becomes (as on the main thread); default: the worker's message. */
  inputError?(f: ModelFailure): Error;
  /** Names the model in a warning (its checkpoint file). */
  label: string;
}

export interface PooledModel extends LoadedModel {
  /** Threads scoring this model's calls: the pool's workers, or 1. */
  threads(): number;
}

export interface Pooling {
  /** The ScoringRuntime fields of a runtime scoring on the pool. */
  readonly fields: Required<Pick<ScoringRuntime, 'turnBatches' | 'concurrentTurns' | 'scoreTurn' | 'copiesPerModel'>>;
  /** `main` (a main-thread session) for the scoring loop: its calls on the pool when `graph` loads there. */
  wrap(main: LoadedModel, graph: PoolGraph | null, loadOpts: LoadOptions & { batchRows: number }): Promise<PooledModel>;
  close(): Promise<void>;
}

/** What scoreTurn needs to know of a wrapped model. */
interface Wrapped {
  pooled(): PoolModel | null;
  drop(): void;
  inputError(f: ModelFailure): Error;
}

/**
 * A pool of `threads` workers (≥ 2), started at the first model; its failure is one warning in
 * `warnings`. `modelBytes`: POOL_MODEL_BYTES (tests lower it).
 */
export function createPooling(threads: number, warnings: string[], modelBytes = POOL_MODEL_BYTES): Pooling {
  let pool: OrtPool | null = null;
  // Once the workers fail to start or die, everything runs on the main thread's sessions.
  let broken = false;
  const fail = (e: unknown) => {
    if (!broken) warnings.push(`onnxruntime: the worker threads failed (${firstLine(e)}), so scoring went on with one thread`);
    broken = true;
  };
  const wrapped = new WeakMap<LoadedModel, Wrapped>();
  let warnedSize = false;

  async function scoreTurn(models: LoadedModel[], input: Float32Array | Uint8Array, rows: number): Promise<Float32Array[]> {
    // On the pool together while every model is on it; else each on its own (with its own fallback).
    const info = models.map((m) => wrapped.get(m));
    const pooled = info.map((w) => w?.pooled() ?? null);
    if (pool && pooled.every((p) => p !== null)) {
      try {
        return await pool.scoreAll(pooled as PoolModel[], input, rows);
      } catch (e) {
        const failure = modelFailure(e);
        const at = failure ? pooled.findIndex((p) => p!.key === failure.key) : -1;
        if (failure && at >= 0) throw info[at]!.inputError(failure);
        fail(e);
        for (const w of info) w?.drop();
      }
    }
    const out: Float32Array[] = [];
    for (const m of models) out.push(input instanceof Uint8Array ? await m.predictCodes!(input, rows) : await m.predict(input, rows));
    return out;
  }

  async function wrap(main: LoadedModel, graph: PoolGraph | null, loadOpts: LoadOptions & { batchRows: number }): Promise<PooledModel> {
    const table = loadOpts.codes ? codeValues(loadOpts.codes.scale, loadOpts.codes.offset) : null;
    let pooled: PoolModel | null = null;
    let holders = threads;
    if (!broken && graph) {
      try {
        pool ??= createOrtPool(threads);
        holders = Math.max(1, Math.min(threads, Math.floor(modelBytes / Math.max(1, graph.bytes.length))));
        if (holders < threads && !warnedSize) {
          warnedSize = true;
          const mb = (b: number) => `${Math.round(b / 2 ** 20).toLocaleString('en-US')} MB`;
          warnings.push(`onnxruntime: ${graph.label} is ${mb(graph.bytes.length)}, so it (and any checkpoint as large) is scored on ${holders} of ${threads} worker threads: each holds a copy, at most ${mb(modelBytes)} of copies`);
        }
        pooled = await pool.load(graph.bytes, { shape: graph.shape, k: graph.k, chunkRows: loadOpts.batchRows, table: table ?? undefined, fixedBatch: graph.fixedBatch, widestLayer: graph.widestLayer, workers: holders });
      } catch (e) {
        fail(e);
      }
    }
    const inputError = (f: ModelFailure) => graph?.inputError?.(f) ?? new Error(f.detail);
    const batchRows = loadOpts.batchRows;
    const onMain = async (input: Float32Array | Uint8Array, rows: number): Promise<Float32Array> => {
      const perRow = graph ? graph.shape.reduce((a, b) => a * b, 1) : input.length / Math.max(rows, 1);
      const k = main.outputs;
      const out = new Float32Array(rows * k);
      for (let start = 0; start < rows; start += batchRows) {
        const count = Math.min(batchRows, rows - start);
        const part = input.subarray(start * perRow, (start + count) * perRow);
        // Out of shared memory (onnxruntime-node refuses tensors over it): the model's own code
        // path, the codes decoded with the loader's table, or a copy (slice()).
        const values =
          part instanceof Uint8Array
            ? main.predictCodes
              ? await main.predictCodes(part, count)
              : await main.predict(Float32Array.from(part, (c) => table![c]), count)
            : await main.predict(part.slice(), count);
        out.set(values.subarray(0, count * k), start * k);
      }
      return out;
    };
    const call = async (input: Float32Array | Uint8Array, rows: number): Promise<Float32Array> => {
      if (pooled) {
        try {
          return await pooled.score(input, rows);
        } catch (e) {
          const failure = modelFailure(e);
          if (failure) throw inputError(failure);
          fail(e);
          pooled = null;
        }
      }
      return onMain(input, rows);
    };
    const model: PooledModel = {
      inputShape: main.inputShape,
      outputs: main.outputs,
      predict: (batch, rows) => call(batch, rows),
      ...(table ? { predictCodes: (codes: Uint8Array, rows: number) => call(codes, rows) } : {}),
      threads: () => (pooled ? holders : 1),
      dispose() {
        pooled?.dispose();
        main.dispose();
      },
    };
    wrapped.set(model, { pooled: () => pooled, drop: () => void (pooled = null), inputError });
    return model;
  }

  return {
    // A session per worker and the main thread's.
    fields: { turnBatches: TURN_BATCHES, concurrentTurns: true, scoreTurn, copiesPerModel: threads + 1 },
    wrap,
    close: async () => {
      await pool?.close();
    },
  };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
