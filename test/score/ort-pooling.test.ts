import { describe, expect, it } from 'vitest';
import { encodeModel, type OnnxGraph } from '../../src/score/onnx-encode.ts';
import { createPooling } from '../../src/score/ort-pooling.ts';
import type { LoadedModel } from '../../src/score/runtime.ts';

/** y = x · w: 3 features → 2 outputs, w[i][j] = i + j. */
const bytes = encodeModel({
  name: 'linear',
  nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
  initializers: [{ name: 'w', dims: [3, 2], data: Float32Array.of(0, 1, 1, 2, 2, 3) }],
  inputs: [{ name: 'x', dims: ['batch', 3] }],
  outputs: [{ name: 'y', dims: ['batch', 2] }],
} satisfies OnnxGraph);
const expected = (x: Float32Array, rows: number) => Array.from({ length: rows * 2 }, (_, o) => x[(o >> 1) * 3] * (o & 1) + x[(o >> 1) * 3 + 1] * (1 + (o & 1)) + x[(o >> 1) * 3 + 2] * (2 + (o & 1)));
/** The main thread's model: never called while the pool works. */
const main = (calls: number[]): LoadedModel => ({
  inputShape: [3],
  outputs: 2,
  predict: async (batch, rows) => (calls.push(rows), Float32Array.from(expected(batch, rows))),
  dispose: () => undefined,
});

describe('onnxruntime pooling', () => {
  it('loads a model larger than its share of the copy budget into fewer workers, with one warning', async () => {
    const warnings: string[] = [];
    // A budget of 1.5 model sizes: one copy fits, two do not.
    const pooling = createPooling(2, warnings, Math.floor(bytes.length * 1.5));
    const calls: number[] = [];
    const graph = { bytes, label: '/ckpt/big.onnx', shape: [3], k: 2 };
    const a = await pooling.wrap(main(calls), graph, { batchRows: 2 });
    const b = await pooling.wrap(main(calls), graph, { batchRows: 2 });
    expect(a.threads()).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/\/ckpt\/big\.onnx is 0 MB, so it \(and any checkpoint as large\) is scored on 1 of 2 worker threads/);
    const x = Float32Array.from({ length: 7 * 3 }, (_, i) => i - 5);
    expect(Array.from(await a.predict(x, 7))).toEqual(expected(x, 7));
    const [outA, outB] = await pooling.fields.scoreTurn([a, b], x, 7);
    expect(Array.from(outA)).toEqual(expected(x, 7));
    expect(outB).toEqual(outA);
    expect(calls).toEqual([]); // all on the pool
    // With room for every copy: every worker, no warning.
    const roomy = createPooling(2, [], bytes.length * 2);
    const c = await roomy.wrap(main(calls), graph, { batchRows: 2 });
    expect(c.threads()).toBe(2);
    for (const m of [a, b, c]) m.dispose();
    await pooling.close();
    await roomy.close();
  });
});
