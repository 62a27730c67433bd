import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as TF from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { discoverCheckpoints } from '../../src/load/checkpoints.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { codeValues } from '../../src/load/input-values.ts';
import { loadInputs } from '../../src/load/inputs.ts';
import { silentProgress } from '../../src/progress.ts';
import { loadTf } from '../../src/score/backend.ts';
import type { ScoringRuntime } from '../../src/score/runtime.ts';
import { scoreRun } from '../../src/score/score.ts';
import { saveLayersModel } from '../../src/score/tfjs-files.ts';
import { createTfjsRuntime } from '../../src/score/tfjs.ts';
import { chunkSize, createWorkerTfjsRuntime, type WorkerRuntime } from '../../src/score/workers.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import type { Checkpoint } from '../../src/types.ts';
import { scoreBytes } from '../helpers/scores.ts';

const WORKERS_TS = fileURLToPath(new URL('../../src/score/workers.ts', import.meta.url));

let tf: typeof TF;
let single: ScoringRuntime;
let pool: WorkerRuntime;
/** Chunks of 5 records: every batch below is cut into many chunks shared by the three workers. */
let chunked: WorkerRuntime;
let dir: string;

beforeAll(async () => {
  // The pool is a WebAssembly feature: pin the single-thread reference to the same backend.
  tf = (await loadTf('tfjs-wasm')).tf;
  single = await createTfjsRuntime();
  pool = await createWorkerTfjsRuntime(3);
  chunked = await createWorkerTfjsRuntime(3, { chunkRows: 5 });
  dir = await mkdtemp(join(tmpdir(), 'losslens-workers-'));
});
afterAll(async () => {
  await Promise.all([pool?.close(), chunked?.close()]);
});

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** A small seeded CNN checkpoint (weights differ by seed). */
async function cnnCheckpoint(name: string, seed: number): Promise<Checkpoint> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  await saveLayersModel(tf, model, join(dir, name));
  model.dispose();
  return { id: name, step: seed, path: join(dir, name, 'model.json') };
}

describe('chunkSize', () => {
  it('cuts a batch into the fewest rounds of one chunk per worker, chunks no larger than the maximum', () => {
    for (const workers of [2, 3, 8]) {
      for (const max of [1, 7, 64]) {
        for (const rows of [1, 2, 63, 64, 65, 1000, 1024, 4097]) {
          const chunk = chunkSize(rows, workers, max);
          const chunks = Math.ceil(rows / chunk);
          const rounds = Math.ceil(rows / (workers * max));
          expect(chunk).toBeGreaterThanOrEqual(1);
          expect(chunk).toBeLessThanOrEqual(max);
          expect(chunks).toBeLessThanOrEqual(workers * rounds);
          // Balanced: the chunks fill every round but possibly the last, and the last is not empty.
          expect(chunks).toBeGreaterThan(Math.min(rows, workers * (rounds - 1)));
        }
      }
    }
  });
});

describe('createWorkerTfjsRuntime', () => {
  it('keeps the single-thread name, so reports and cache keys do not depend on the core count', () => {
    expect(single.name).toBe('tfjs-wasm');
    expect(pool.name).toBe(single.name);
    expect(pool.workers).toBe(3);
  });

  it('rejects a chunk size that is not a positive integer', async () => {
    await expect(createWorkerTfjsRuntime(2, { chunkRows: 0 })).rejects.toThrow(/chunkRows/);
  });

  it('scores the MNIST example bit for bit like single-thread tfjs-wasm', async () => {
    const config = loadConfig('examples/mnist');
    const dataset = await loadDataset(config.dataset, () => {});
    const inputs = await loadInputs(config.inputs!, dataset);
    const checkpoints = (await discoverCheckpoints(config.model.checkpoints, config.dir)).slice(-2);
    expect(inputs.data).toBeInstanceOf(Uint8Array);
    const opts = { batchSize: 500, output: config.model.output, progress: silentProgress };
    const a = await scoreRun(single, checkpoints, dataset, inputs, opts);
    // uint8 inputs reach the pool as codes the workers decode; the same pool without predictCodes
    // is fed Float32 batches converted on the main thread.
    let codeCalls = 0;
    const counted: ScoringRuntime = {
      ...pool,
      load: async (c, o) => {
        const m = await pool.load(c, o);
        return { ...m, predictCodes: m.predictCodes && ((codes, rows) => (codeCalls++, m.predictCodes!(codes, rows))) };
      },
    };
    const floatsOnly: ScoringRuntime = { ...chunked, load: async (c, o) => ({ ...(await chunked.load(c, o)), predictCodes: undefined }) };
    for (const rt of [counted, chunked, floatsOnly]) {
      const b = await scoreRun(rt, checkpoints, dataset, inputs, opts);
      for (let c = 0; c < checkpoints.length; c++) {
        expect(scoreBytes(b.scores[c]).equals(scoreBytes(a.scores[c]))).toBe(true);
        expect(b.scores[c].pred).toEqual(a.scores[c].pred);
      }
      expect(b.outputKind).toEqual(a.outputKind);
    }
    const scorable = a.scorable.reduce((s, v) => s + v, 0);
    // One call per checkpoint and turn of batches (the pool takes whole turns: concurrentTurns).
    expect(pool.concurrentTurns).toBe(true);
    expect(codeCalls).toBe(checkpoints.length * Math.ceil(scorable / (opts.batchSize * pool.turnBatches!)));
  });

  it('splits odd batch sizes of a small CNN into chunks without changing a bit', async () => {
    const ckpt = await cnnCheckpoint('cnn', 1);
    const rand = mulberry32(4);
    const [m1, m2, m3] = [await single.load(ckpt), await pool.load(ckpt), await chunked.load(ckpt)];
    for (const rows of [1, 4, 47, 100, 257]) {
      const x = Float32Array.from({ length: rows * 144 }, () => rand());
      const a = await m1.predict(x, rows);
      for (const m of [m2, m3]) {
        const b = await m.predict(x, rows);
        expect(b.length).toBe(rows * 3);
        expect(bits(b)).toEqual(bits(a));
      }
    }
    for (const m of [m1, m2, m3]) m.dispose();
  });

  it('reads inputs already in shared memory in place, also from an offset, as a copy would give them', async () => {
    const ckpt = await cnnCheckpoint('cnn-shared', 3);
    const rand = mulberry32(6);
    const rows = 29;
    const codes = Uint8Array.from({ length: rows * 144 }, () => Math.floor(rand() * 256));
    const opts = { codes: { scale: 1 / 255, offset: 0 } };
    const [m1, m2] = [await single.load(ckpt, opts), await chunked.load(ckpt, opts)];
    const table = codeValues(1 / 255, 0);
    const expected = await m1.predict(Float32Array.from(codes, (c) => table[c]), rows);
    // The records 7 bytes into a shared buffer (a turn of score.ts, or a view of shared .npy inputs).
    const shared = new Uint8Array(new SharedArrayBuffer(7 + codes.length + 5));
    shared.set(codes, 7);
    expect(bits(await m2.predictCodes!(shared.subarray(7, 7 + codes.length), rows))).toEqual(bits(expected));
    const floats = new Float32Array(new SharedArrayBuffer(4 * (3 + codes.length)));
    floats.set(Float32Array.from(codes, (c) => table[c]), 3);
    expect(bits(await m2.predict(floats.subarray(3), rows))).toEqual(bits(expected));
    for (const m of [m1, m2]) m.dispose();
  });

  it('keeps several checkpoints loaded at once, each scoring with its own weights, also concurrently', async () => {
    const ckpts = [await cnnCheckpoint('a', 11), await cnnCheckpoint('b', 21)];
    const rand = mulberry32(9);
    const rows = 37;
    const x = Float32Array.from({ length: rows * 144 }, () => rand());
    const expected = [];
    for (const c of ckpts) {
      const m = await single.load(c);
      expected.push(await m.predict(x, rows));
      m.dispose();
    }
    expect(bits(expected[0])).not.toEqual(bits(expected[1]));
    const models = [await chunked.load(ckpts[0]), await chunked.load(ckpts[1])];
    const together = await Promise.all([models[0].predict(x, rows), models[1].predict(x, rows), models[0].predict(x, rows)]);
    expect([bits(together[0]), bits(together[1]), bits(together[2])]).toEqual([bits(expected[0]), bits(expected[1]), bits(expected[0])]);
    // Disposing one checkpoint leaves the other loaded.
    models[0].dispose();
    expect(bits(await models[1].predict(x, rows))).toEqual(bits(expected[1]));
    models[1].dispose();
  });

  it('fails requests to a closed pool instead of leaving them pending', async () => {
    const ckpt = await cnnCheckpoint('closed', 31);
    const rt = await createWorkerTfjsRuntime(2);
    const m = await rt.load(ckpt);
    await rt.close();
    await expect(m.predict(new Float32Array(144), 1)).rejects.toThrow(/tfjs worker/);
  });

  it('lets a process that closes the pool right after a dispose finish and print its result', async () => {
    // Regression: a dispose reply arriving after terminate() un-referenced the worker, and the
    // process ended with code 0 before close() resolved, printing nothing.
    const ckpt = await cnnCheckpoint('exit', 41);
    const script = join(dir, 'close-after-dispose.mts');
    await writeFile(
      script,
      `import { createWorkerTfjsRuntime } from ${JSON.stringify(pathToFileURL(WORKERS_TS).href)};
const rt = await createWorkerTfjsRuntime(2);
const m = await rt.load(${JSON.stringify(ckpt)});
await m.predict(new Float32Array(144 * 8), 8);
m.dispose();
const until = Date.now() + 50;
while (Date.now() < until); // the workers reply to the dispose before terminate() is called
await rt.close();
process.stdout.write('closed\\n');
`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stdout: r.stdout.trim() }).toEqual({ status: 0, stdout: 'closed' });
  }, 70_000);
});
