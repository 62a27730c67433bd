/**
 * tfjs graph models (`tensorflowjs_converter --output_format tfjs_graph_model`: model.json with
 * format "graph-model" + weight shards) on the same tfjs backends as layers models, and TF
 * SavedModels (`saved_model.pb`), which only `@tensorflow/tfjs-node` can execute.
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { InputError } from '../messages.ts';
import type { Checkpoint } from '../types.ts';
import { loadTf } from './backend.ts';
import type { LoadedModel, ScoringRuntime } from './runtime.ts';
import { readModelJson, readWeightShards, type ModelJson } from './weights.ts';

export async function createTfjsGraphRuntime(): Promise<ScoringRuntime> {
  const { tf, backend, warnings } = await loadTf();
  return {
    name: backend,
    warnings,
    async load(checkpoint: Checkpoint): Promise<LoadedModel> {
      const model = await loadGraphModel(tf, checkpoint.path);
      return wrap(tf, checkpoint, model);
    },
  };
}

interface GraphModelJson extends ModelJson {
  format?: string;
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
}

/** Read a graph model's model.json and weight shards with fs, checking every byte count. */
export async function loadGraphModel(tf: typeof TF, modelJsonPath: string): Promise<TF.GraphModel> {
  const path = resolve(modelJsonPath);
  const json = await readModelJson<GraphModelJson>(path, 'graph');
  if (json.format && json.format !== 'graph-model') {
    throw new InputError(path, 'a model.json with format "graph-model" (set model.type to "tfjs-layers" for layers models)', `format "${json.format}"`);
  }
  const { specs, weightData } = await readWeightShards(path, json);
  try {
    return await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as TF.io.ModelJSON['modelTopology'],
        weightSpecs: specs,
        weightData,
        format: 'graph-model',
        signature: json.signature as object | undefined,
        userDefinedMetadata: json.userDefinedMetadata as {} | undefined,
      }),
    );
  } catch (e) {
    throw new InputError(path, 'a graph model tfjs can load', `an error (${String((e as Error)?.message ?? e).split('\n')[0]})`);
  }
}

/** Shared by graph models and SavedModels: both expose inputs/outputs with shapes and `predict`. */
async function wrap(tf: typeof TF, checkpoint: Checkpoint, model: TF.GraphModel | TF.InferenceModel): Promise<LoadedModel> {
  const inputs = model.inputs;
  if (inputs.length !== 1) {
    throw new InputError(checkpoint.path, 'a model with exactly one input', `${inputs.length} inputs: ${inputs.map((i) => i.name).join(', ')}`);
  }
  if (inputs[0].dtype && inputs[0].dtype !== 'float32') {
    throw new InputError(checkpoint.path, 'a float32 input', `input "${inputs[0].name}" of dtype ${inputs[0].dtype}`);
  }
  const inShape = (inputs[0].shape ?? [-1]).slice(1).map((d) => (d == null || d < 0 ? -1 : d));
  const rowSize = inShape.every((d) => d > 0) ? inShape.reduce((a, b) => a * b, 1) : -1;
  const predict = async (batch: Float32Array, rows: number): Promise<Float32Array> => {
    const perRow = batch.length / Math.max(rows, 1);
    const x = tf.tensor(batch.subarray(0, rows * perRow), [rows, ...(rowSize > 0 ? inShape : [perRow])]);
    try {
      const out = await runModel(model, x);
      const t = Array.isArray(out) ? out[0] : (out as TF.Tensor);
      const data = (await t.data()) as Float32Array;
      tf.dispose(out as TF.Tensor | TF.Tensor[]);
      return data;
    } finally {
      x.dispose();
    }
  };
  const outShape = model.outputs[0]?.shape ?? [];
  const last = outShape[outShape.length - 1];
  let outputs = typeof last === 'number' && last > 0 ? last : -1;
  // Graph models often leave the class dimension unknown: learn it from one zero record.
  if (outputs < 0 && rowSize > 0) outputs = (await predict(new Float32Array(rowSize), 1)).length;
  return { inputShape: inShape, outputs, predict, dispose: () => (model as { dispose?: () => void }).dispose?.() };
}

/** predict(), or executeAsync() for graphs with control flow, which predict() refuses. */
async function runModel(model: TF.GraphModel | TF.InferenceModel, x: TF.Tensor): Promise<TF.Tensor | TF.Tensor[]> {
  try {
    return model.predict(x, {}) as TF.Tensor | TF.Tensor[];
  } catch (e) {
    if ('executeAsync' in model && /executeAsync|dynamic/i.test(String((e as Error)?.message))) return model.executeAsync(x);
    throw e;
  }
}

const require = createRequire(import.meta.url);

/** Why a SavedModel cannot be loaded here, or null when tfjs-node is available. */
export function savedModelUnavailable(): string | null {
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    return '@tensorflow/tfjs-node is not installed (it is an optional dependency; its native build did not install on this machine)';
  }
  try {
    require('@tensorflow/tfjs-node');
    return null;
  } catch (e) {
    return `@tensorflow/tfjs-node did not load (${String((e as Error)?.message ?? e).split('\n')[0]})`;
  }
}

/** TF SavedModels (a folder with saved_model.pb; checkpoints glob the .pb files) via tfjs-node. */
export async function createSavedModelRuntime(): Promise<ScoringRuntime> {
  const why = savedModelUnavailable();
  if (why) throw new InputError('model.type = "saved-model"', 'a working @tensorflow/tfjs-node to run TF SavedModels (or convert them: tensorflowjs_converter → model.type "tfjs-graph")', why);
  const tfn = require('@tensorflow/tfjs-node') as typeof TF & { node: { loadSavedModel(path: string): Promise<TF.InferenceModel> } };
  return {
    name: 'tfjs-node',
    warnings: [],
    async load(checkpoint: Checkpoint): Promise<LoadedModel> {
      const dir = checkpoint.path.endsWith('.pb') ? dirname(checkpoint.path) : checkpoint.path;
      let model: TF.InferenceModel;
      try {
        model = await tfn.node.loadSavedModel(dir);
      } catch (e) {
        throw new InputError(dir, 'a TF SavedModel folder with a serving_default signature', `an error (${String((e as Error)?.message ?? e).split('\n')[0]})`);
      }
      return wrap(tfn, checkpoint, model);
    },
  };
}
