import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { discoverCheckpoints } from '../../src/load/checkpoints.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { loadInputs } from '../../src/load/inputs.ts';
import { silentProgress } from '../../src/progress.ts';
import { loadTf } from '../../src/score/backend.ts';
import type { ScoringRuntime } from '../../src/score/runtime.ts';
import { scoreRun } from '../../src/score/score.ts';
import { saveLayersModel } from '../../src/score/tfjs-files.ts';
import { createTfjsRuntime } from '../../src/score/tfjs.ts';
import { createWorkerTfjsRuntime, type WorkerRuntime } from '../../src/score/workers.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import type { Checkpoint } from '../../src/types.ts';

let tf: typeof TF;
let single: ScoringRuntime;
let pool: WorkerRuntime;

beforeAll(async () => {
  // The pool is a WebAssembly feature: pin the single-thread reference to the same backend.
  tf = (await loadTf('tfjs-wasm')).tf;
  single = await createTfjsRuntime();
  pool = await createWorkerTfjsRuntime(3);
});
afterAll(async () => {
  await pool?.close();
});

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('createWorkerTfjsRuntime', () => {
  it('keeps the single-thread name, so reports and cache keys do not depend on the core count', () => {
    expect(single.name).toBe('tfjs-wasm');
    expect(pool.name).toBe(single.name);
    expect(pool.workers).toBe(3);
  });

  it('scores the MNIST example bit for bit like single-thread tfjs-wasm', async () => {
    const config = loadConfig('examples/mnist');
    const dataset = await loadDataset(config.dataset, () => {});
    const inputs = await loadInputs(config.inputs!, dataset);
    const checkpoints = (await discoverCheckpoints(config.model.checkpoints, config.dir)).slice(-2);
    const opts = { batchSize: 500, output: config.model.output, progress: silentProgress };
    const a = await scoreRun(single, checkpoints, dataset, inputs, opts);
    const b = await scoreRun(pool, checkpoints, dataset, inputs, opts);
    for (let c = 0; c < checkpoints.length; c++) {
      expect(bits(b.scores[c].probs)).toEqual(bits(a.scores[c].probs));
      expect(b.scores[c].pred).toEqual(a.scores[c].pred);
    }
    expect(b.outputKind).toEqual(a.outputKind);
  });

  it('splits odd batch sizes of a small CNN without changing a bit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'losslens-workers-'));
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    await saveLayersModel(tf, model, join(dir, 'cnn'));
    const ckpt: Checkpoint = { id: 'cnn', step: 0, path: join(dir, 'cnn', 'model.json') };
    const rand = mulberry32(4);
    const [m1, m2] = [await single.load(ckpt), await pool.load(ckpt)];
    for (const rows of [1, 47, 100, 257]) {
      const x = Float32Array.from({ length: rows * 144 }, () => rand());
      const [a, b] = [await m1.predict(x, rows), await m2.predict(x, rows)];
      expect(b.length).toBe(rows * 3);
      expect(bits(b)).toEqual(bits(a));
    }
    m1.dispose();
    m2.dispose();
  });
});
