/**
 * Save and load tfjs layers models as `model.json` + `weights.bin` in a folder, using only
 * `fs` — the pure-JS tfjs has no `file://` handler (that comes with tfjs-node, which may not load).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { readModelJson, readWeightShards } from './weights.ts';

/** Write `model` to `dir/model.json` and `dir/weights.bin` (atomically, file by file). */
export async function saveLayersModel(tf: typeof TF, model: TF.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsFile = 'weights.bin';
      const modelJson = {
        format: 'layers-model',
        generatedBy: 'losslens',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
      };
      const data = artifacts.weightData as ArrayBuffer;
      await atomicWrite(join(dir, weightsFile), new Uint8Array(data));
      await atomicWrite(join(dir, 'model.json'), JSON.stringify(modelJson) + '\n');
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** A layers checkpoint as read from its files: what `tf.io.fromMemory` takes, the weights in one buffer. */
export interface LayersArtifacts {
  topology: TF.io.ModelJSON['modelTopology'];
  weightSpecs: TF.io.WeightsManifestEntry[];
  /** Every weight shard, in manifest order, joined. */
  weightData: ArrayBuffer;
}

/** Read `model.json` and its weight shards once, checking every byte count. */
export async function readLayersArtifacts(modelJsonPath: string): Promise<LayersArtifacts> {
  const path = resolve(modelJsonPath);
  const json = await readModelJson(path, 'layers');
  const { specs, weightData } = await readWeightShards(path, json);
  return { topology: json.modelTopology as TF.io.ModelJSON['modelTopology'], weightSpecs: specs, weightData };
}

/** Build the model of `artifacts` (which stay usable: tfjs copies the weights out of the buffer). */
export function layersModelFromArtifacts(tf: typeof TF, artifacts: LayersArtifacts): Promise<TF.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.topology, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }));
}

/** Read a layers model from `model.json` and its weight shards, checking every byte count. */
export async function loadLayersModel(tf: typeof TF, modelJsonPath: string): Promise<TF.LayersModel> {
  return layersModelFromArtifacts(tf, await readLayersArtifacts(modelJsonPath));
}
