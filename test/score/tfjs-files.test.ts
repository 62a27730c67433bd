import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTf } from '../../src/score/backend.ts';
import { loadLayersModel, readLayersArtifacts, saveLayersModel } from '../../src/score/tfjs-files.ts';

describe('tfjs layers files', () => {
  it('round-trips a model through model.json + weights.bin with identical predictions', async () => {
    const { tf } = await loadTf('tfjs-wasm');
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })] });
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-'));
    await saveLayersModel(tf, model, dir);
    const back = await loadLayersModel(tf, join(dir, 'model.json'));
    const x = tf.tensor2d([[1, 2, 3], [-1, 0, 0.5]]);
    expect(Array.from((back.predict(x) as import('@tensorflow/tfjs').Tensor).dataSync())).toEqual(Array.from((model.predict(x) as import('@tensorflow/tfjs').Tensor).dataSync()));
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths).toEqual(['weights.bin']);
  });

  it('reads the topology, weight specs and weight bytes of the files once, shards joined in manifest order', async () => {
    const { tf } = await loadTf('tfjs-wasm');
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-'));
    await saveLayersModel(tf, tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 }), tf.layers.dense({ units: 4 })] }), dir);
    const bin = readFileSync(join(dir, 'weights.bin'));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    // Split the weights into two shards: the artifacts hold them joined again.
    writeFileSync(join(dir, 'a.bin'), bin.subarray(0, 20));
    writeFileSync(join(dir, 'b.bin'), bin.subarray(20));
    json.weightsManifest[0].paths = ['a.bin', 'b.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const a = await readLayersArtifacts(join(dir, 'model.json'));
    expect(a.topology).toEqual(json.modelTopology);
    expect(a.weightSpecs).toEqual(json.weightsManifest[0].weights);
    expect(Buffer.from(a.weightData).equals(bin)).toBe(true);
  });

  it('names the file and the byte counts when weights are truncated, and rejects other JSON', async () => {
    const { tf } = await loadTf('tfjs-wasm');
    const dir = mkdtempSync(join(tmpdir(), 'tfjs-'));
    await saveLayersModel(tf, tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] }), dir);
    truncateSync(join(dir, 'weights.bin'), 10);
    await expect(loadLayersModel(tf, join(dir, 'model.json'))).rejects.toThrow(/weights\.bin: expected 32 bytes of weights \(per model\.json\), found 10 bytes/);
    writeFileSync(join(dir, 'model.json'), '{"hello": 1}');
    await expect(loadLayersModel(tf, join(dir, 'model.json'))).rejects.toThrow(/expected a tfjs layers model\.json with modelTopology and weightsManifest, found other JSON/);
    await expect(loadLayersModel(tf, join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: expected a tfjs layers model\.json, found no such file/);
  });
});
