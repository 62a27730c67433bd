import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, normalizeConfig } from '../../src/config.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { createRuntime, createScoringPlan, needsInputs } from '../../src/score/runtimes.ts';

const DIR = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

describe('runtime factory', () => {
  it('maps every model.type to its runtime', async () => {
    expect((await createRuntime('onnx')).name).toBe('onnxruntime');
    expect((await createRuntime('tfjs-graph')).name).toMatch(/^tfjs-(node|wasm|cpu)$/);
    expect((await createRuntime('tfjs-layers')).name).toMatch(/^tfjs-(node|wasm|cpu)$/);
    expect(needsInputs('precomputed')).toBe(false);
    expect(needsInputs('onnx')).toBe(true);
  });

  it('feeds precomputed predictions record indices without needing inputs, and asks other types for inputs', async () => {
    const base = loadConfig(DIR);
    const dataset = await loadDataset(base.dataset);
    const pre = normalizeConfig({ dataset: { file: 'records.csv' }, model: { type: 'precomputed', checkpoints: 'p/*.csv' } }, `${DIR}c.json`);
    const plan = await createScoringPlan(pre, dataset, null);
    expect(plan.runtime.name).toBe('precomputed');
    expect(Array.from(plan.inputs.data.subarray(0, 3))).toEqual([0, 1, 2]);
    // With inputs, each row is the record's inputs followed by its index.
    const inputs = { file: 'x.npy', n: dataset.n, shape: [2], rowSize: 2, data: Float32Array.from({ length: dataset.n * 2 }, (_, j) => -j) };
    const withInputs = await createScoringPlan(pre, dataset, inputs);
    expect(withInputs.inputs.rowSize).toBe(3);
    expect(Array.from(withInputs.inputs.data.subarray(3, 6))).toEqual([-2, -3, 1]);
    expect(plan.inputs.n).toBe(dataset.n);
    await expect(createScoringPlan({ ...base, inputs: null }, dataset, null)).rejects.toThrow(/inputs: expected model inputs .* for model.type "onnx", found nothing/);
  });
});
