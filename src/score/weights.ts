/**
 * Read a tfjs `model.json` (layers or graph) and its weight shards with `fs`, checking every byte
 * count — shared by the layers and graph loaders, which differ only in what they build from it.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { InputError } from '../messages.ts';

export interface WeightsGroup {
  paths: string[];
  weights: TF.io.WeightsManifestEntry[];
}

export interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: WeightsGroup[];
}

/** Parse `path` (absolute) as a tfjs model.json with modelTopology and weightsManifest; `kind` names it in errors. */
export async function readModelJson<T extends ModelJson>(path: string, kind: 'layers' | 'graph'): Promise<T & Required<ModelJson>> {
  let json: T;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    throw new InputError(path, `a tfjs ${kind} model.json`, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'invalid JSON');
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new InputError(path, `a tfjs ${kind} model.json with modelTopology and weightsManifest`, 'other JSON');
  }
  return json as T & Required<ModelJson>;
}

/** The weight specs and the shards (paths relative to model.json) concatenated, after checking their byte count. */
export async function readWeightShards(
  modelJsonPath: string,
  json: { weightsManifest: WeightsGroup[] },
): Promise<{ specs: TF.io.WeightsManifestEntry[]; weightData: ArrayBuffer }> {
  const dir = dirname(modelJsonPath);
  const specs: TF.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = join(dir, p);
      try {
        chunks.push(await readFile(file));
      } catch {
        throw new InputError(file, 'a weights file named in model.json', 'no such file');
      }
    }
  }
  const expected = specs.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * bytesPerElement(w.dtype), 0);
  const found = chunks.reduce((sum, c) => sum + c.length, 0);
  if (found !== expected) {
    throw new InputError(join(dir, json.weightsManifest[0]?.paths[0] ?? 'weights'), `${expected} bytes of weights (per model.json)`, `${found} bytes (truncated or wrong file?)`);
  }
  const weightData = new Uint8Array(found);
  let off = 0;
  for (const c of chunks) {
    weightData.set(c, off);
    off += c.length;
  }
  return { specs, weightData: weightData.buffer };
}

function bytesPerElement(dtype: string): number {
  return dtype === 'bool' ? 1 : 4;
}
