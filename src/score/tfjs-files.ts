/**
 * Save and load tfjs layers models as `model.json` + `weights.bin` in a folder, using only
 * `fs` — the pure-JS tfjs has no `file://` handler (that comes with tfjs-node, which may not load).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { InputError } from '../messages.ts';

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

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
}

/** Read a layers model from `model.json` and its weight shards, checking every byte count. */
export async function loadLayersModel(tf: typeof TF, modelJsonPath: string): Promise<TF.LayersModel> {
  const path = resolve(modelJsonPath);
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as ModelJson;
  } catch (e) {
    throw new InputError(path, 'a tfjs layers model.json', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'invalid JSON');
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new InputError(path, 'a tfjs layers model.json with modelTopology and weightsManifest', 'other JSON');
  }
  const specs: TF.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = join(dirname(path), p);
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
    throw new InputError(join(dirname(path), json.weightsManifest[0]?.paths[0] ?? 'weights'), `${expected} bytes of weights (per model.json)`, `${found} bytes (truncated or wrong file?)`);
  }
  const weightData = new Uint8Array(found);
  let off = 0;
  for (const c of chunks) {
    weightData.set(c, off);
    off += c.length;
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology as TF.io.ModelJSON['modelTopology'], weightSpecs: specs, weightData: weightData.buffer }),
  );
}

function bytesPerElement(dtype: string): number {
  return dtype === 'bool' ? 1 : 4;
}
