import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { silentProgress } from '../../src/progress.ts';
import { createSavedModelRuntime, createTfjsGraphRuntime, savedModelUnavailable } from '../../src/score/tfjs-graph.ts';
import { scoreRun } from '../../src/score/score.ts';
import type { Checkpoint, Dataset, ModelInputs } from '../../src/types.ts';

/**
 * A graph model written by hand, as tensorflowjs_converter would for `softmax(x·W + b)`: a GraphDef
 * in JSON plus one float32 weights shard (W then b).
 */
const W = [0.5, -1, 0.25, 1, 0.5, -0.5, -0.25, 0.75, 1, 0, -1, 0.5]; // [4, 3]
const B = [0.1, -0.2, 0.3];
const f32 = { type: 'DT_FLOAT' };
function writeGraphModel(dir: string, weights = Float32Array.from([...W, ...B])): string {
  const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
  const json = {
    format: 'graph-model',
    generatedBy: 'losslens test',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: f32, shape: { shape: dims(-1, 4) } } },
        { name: 'w', op: 'Const', attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(4, 3) } } } },
        { name: 'b', op: 'Const', attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(3) } } } },
        { name: 'mm', op: 'MatMul', input: ['x', 'w'], attr: { T: f32, transpose_a: { b: false }, transpose_b: { b: false } } },
        { name: 'add', op: 'AddV2', input: ['mm', 'b'], attr: { T: f32 } },
        { name: 'probs', op: 'Softmax', input: ['add'], attr: { T: f32 } },
      ],
      versions: { producer: 1 },
    },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [{ name: 'w', shape: [4, 3], dtype: 'float32' }, { name: 'b', shape: [3], dtype: 'float32' }] }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(weights.buffer));
  return join(dir, 'model.json');
}

function expected(x: number[]): number[] {
  const z = [0, 1, 2].map((j) => B[j] + x.reduce((s, v, i) => s + v * W[i * 3 + j], 0));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  return e.map((v) => v / e.reduce((a, b) => a + b, 0));
}

const ckpt = (path: string): Checkpoint => ({ id: 'g', step: 0, path });

describe('tfjs graph runtime', () => {
  it('scores a graph model like the math it encodes, and reads its softmax outputs as probabilities', async () => {
    const path = writeGraphModel(mkdtempSync(join(tmpdir(), 'graph-')));
    const runtime = await createTfjsGraphRuntime();
    const model = await runtime.load(ckpt(path));
    expect(model.inputShape).toEqual([4]);
    expect(model.outputs).toBe(3);
    model.dispose();
    const rows = [[1, 0, 0, 0], [0.5, -1, 2, 0.25], [0, 0, 0, 0], [-1, 1, -1, 1], [3, 2, 1, 0]];
    const inputs: ModelInputs = { file: 'x', n: rows.length, shape: [4], rowSize: 4, data: Float32Array.from(rows.flat()) };
    const dataset = { n: rows.length, classes: ['a', 'b', 'c'], ids: rows.map((_, i) => `r${i}`), labels: Int32Array.from([0, 1, 2, 0, 1]), unknownLabels: [] } as unknown as Dataset;
    const run = await scoreRun(runtime, [ckpt(path)], dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    expect(run.outputKind).toEqual(['probabilities']);
    rows.forEach((x, i) => expected(x).forEach((p, j) => expect(run.scores[0].probs![i * 3 + j]).toBeCloseTo(p, 5)));
  });

  it('rejects truncated weights, a layers model.json and a missing file, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-bad-'));
    const path = writeGraphModel(dir, Float32Array.from(W)); // bias missing
    const runtime = await createTfjsGraphRuntime();
    await expect(runtime.load(ckpt(path))).rejects.toThrow(/group1-shard1of1\.bin: expected 60 bytes of weights \(per model\.json\), found 48 bytes/);
    const layers = fileURLToPath(new URL('../fixtures/tiny/checkpoints/', import.meta.url));
    const { globby } = await import('globby');
    const [first] = await globby('*/model.json', { cwd: layers, absolute: true });
    await expect(runtime.load(ckpt(first))).rejects.toThrow(/format "graph-model".*found format "layers-model"/);
    await expect(runtime.load(ckpt(join(dir, 'absent.json')))).rejects.toThrow(/no such file/);
  });
});

describe('saved-model runtime', () => {
  const why = savedModelUnavailable();
  it.skipIf(why !== null)(`loads through @tensorflow/tfjs-node${why ? ` — skipped: ${why}` : ''}`, async () => {
    const runtime = await createSavedModelRuntime();
    expect(runtime.name).toBe('tfjs-node');
  });
  it.skipIf(why === null)('refuses with the reason when tfjs-node is unavailable', async () => {
    await expect(createSavedModelRuntime()).rejects.toThrow(/model\.type = "saved-model": expected a working @tensorflow\/tfjs-node/);
  });
});
