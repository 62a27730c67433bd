/**
 * The one interface every model runtime implements (tfjs layers today; ONNX and precomputed
 * predictions plug in here). Scoring code never knows which runtime it drives.
 */
import type { Checkpoint } from '../types.ts';

export interface LoadedModel {
  /** Shape of one input record as the model declares it (batch dimension removed; -1 = free). */
  inputShape: number[];
  /** Number of outputs (classes). */
  outputs: number;
  /** Run a batch of `rows` flattened records; returns rows·outputs raw outputs. */
  predict(batch: Float32Array, rows: number): Promise<Float32Array>;
  /**
   * The same from stored uint8 codes (rows·rowSize), decoded as `load`'s `codes` say.
   * Present only when the runtime was given one and can decode in the model itself.
   */
  predictCodes?(codes: Uint8Array, rows: number): Promise<Float32Array>;
  dispose(): void;
}

export interface LoadOptions {
  /** The inputs are uint8 codes standing for codeValues(scale, offset) (src/load/input-values.ts). */
  codes?: { scale: number; offset: number };
  /**
   * The scoring loop's batch size. A runtime with `concurrentTurns` cuts a longer call into chunks
   * of this many records, each scored exactly as a call of that size would be.
   */
  batchRows?: number;
}

export interface ScoringRuntime {
  /** Backend name reported in summary.json (`run.backend`). */
  readonly name: string;
  readonly warnings: string[];
  /** Most models this runtime can hold loaded at once (default: no limit). */
  readonly maxLoaded?: number;
  /**
   * Copies of each loaded model the runtime holds (default 1), e.g. a session per worker thread
   * plus the main thread's: score.ts divides its byte budget for a group of checkpoints by it.
   */
  readonly copiesPerModel?: number;
  /**
   * With several models loaded (or concurrentTurns), each scores this many consecutive batches
   * before the next takes its turn (default 1): the batches' values are converted once per turn
   * for the group, and a worker pool gets a whole turn per call, so its workers stay busy.
   */
  readonly turnBatches?: number;
  /**
   * The runtime scores on worker threads: score.ts hands a model a whole turn of batches in one
   * call (in shared memory where it fills them itself), which the runtime cuts into batches of
   * `batchRows` and scores side by side.
   */
  readonly concurrentTurns?: boolean;
  /**
   * With concurrentTurns: one turn of every model of a group in one call, what each model's
   * predictCodes (uint8 `input`) or predict (Float32 `input`) would return for it, so the runtime
   * prepares each batch's input once for all of them.
   */
  scoreTurn?(models: LoadedModel[], input: Float32Array | Uint8Array, rows: number): Promise<Float32Array[]>;
  /** With `opts.codes`, a runtime may offer predictCodes. */
  load(checkpoint: Checkpoint, opts?: LoadOptions): Promise<LoadedModel>;
}
