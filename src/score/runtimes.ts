/**
 * Chooses the scoring runtime from `model.type` and the inputs it is fed. Every runtime implements
 * `ScoringRuntime`, so the scoring loop (score.ts) never knows which one it drives:
 *
 *   tfjs-layers  model.json (layers)  → onnxruntime by conversion, else tfjs-node | wasm (+ workers) | cpu  (layers.ts)
 *   tfjs-graph   model.json (graph)   → tfjs-node | wasm | cpu      (tfjs-graph.ts)
 *   saved-model  saved_model.pb       → tfjs-node only              (tfjs-graph.ts)
 *   onnx         *.onnx               → onnxruntime-node, CPU       (onnx.ts)
 *   precomputed  .npy/CSV/JSONL/Parquet of logits or probabilities (precomputed.ts)
 */
import { availableParallelism } from 'node:os';
import type { Config, ModelType } from '../config.ts';
import { discoverCheckpoints } from '../load/checkpoints.ts';
import { InputError } from '../messages.ts';
import { createLayersRuntime } from './layers.ts';
import type { Dataset, ModelInputs } from '../types.ts';
import { createOnnxRuntime } from './onnx.ts';
import { createPrecomputedRuntime, indexInputs, type RecordWindow } from './precomputed.ts';
import type { ScoringRuntime } from './runtime.ts';
import { createTfjsGraphRuntime, createSavedModelRuntime } from './tfjs-graph.ts';
import { createTfjsRuntime } from './tfjs.ts';

export interface ScoringPlan {
  runtime: ScoringRuntime;
  /** What the scoring loop feeds the runtime: the model inputs (for precomputed predictions, with each record's index appended). */
  inputs: ModelInputs;
}

/** Only precomputed predictions can be audited without model inputs. */
export function needsInputs(type: ModelType): boolean {
  return type !== 'precomputed';
}

export async function createScoringPlan(config: Config, dataset: Dataset, inputs: ModelInputs | null, window?: RecordWindow): Promise<ScoringPlan> {
  const type = config.model.type;
  if (type === 'precomputed') {
    return { runtime: createPrecomputedRuntime(config.model, dataset, config.dataset.id, inputs, window), inputs: indexInputs(dataset.n, inputs) };
  }
  if (!inputs) {
    throw new InputError(`${config.path}: inputs`, `model inputs ({ "file": "inputs.npy" }, { "preprocess": "./vectorize.mjs" } or { "images": true }) for model.type "${type}"`, 'nothing (the key is missing)');
  }
  if (type === 'tfjs-layers') {
    // Converted to onnxruntime when every layer converts, else tfjs with a worker pool (layers.ts).
    const checkpoints = await discoverCheckpoints(config.model.checkpoints, config.dir);
    return { runtime: await createLayersRuntime({ convert: config.model.convert ?? 'auto', workers: config.model.workers ?? availableParallelism(), checkpoints, records: dataset.n }), inputs };
  }
  return { runtime: await createRuntime(type, config.model.workers ?? availableParallelism()), inputs };
}

/** `workers`: onnxruntime's worker threads (onnx.ts: a pool of single-thread sessions when above 1). */
export function createRuntime(type: Exclude<ModelType, 'precomputed'>, workers = 1): Promise<ScoringRuntime> {
  switch (type) {
    case 'tfjs-layers':
      return createTfjsRuntime();
    case 'tfjs-graph':
      return createTfjsGraphRuntime();
    case 'saved-model':
      return createSavedModelRuntime();
    case 'onnx':
      return createOnnxRuntime({ threads: workers });
  }
}
