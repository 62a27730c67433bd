import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { discoverCheckpoints } from '../../src/load/checkpoints.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { parseNpy } from '../../src/load/formats/npy.ts';
import { loadInputs } from '../../src/load/inputs.ts';
import { InputError } from '../../src/messages.ts';
import { silentProgress } from '../../src/progress.ts';
import { createOnnxRuntime, sameBits, TURN_BATCHES, type OnnxModel } from '../../src/score/onnx.ts';
import { encodeModel, type OnnxGraph } from '../../src/score/onnx-encode.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { scoreRun } from '../../src/score/score.ts';
import type { Checkpoint } from '../../src/types.ts';

// Built by scripts/gen-onnx-fixture.py with Debian's python3-torch: a 6-16-3 MLP, one .onnx per epoch.
const DIR = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const torchProbs = (epoch: string) => parseNpy(new Uint8Array(readFileSync(join(DIR, `torch-probs-${epoch}.npy`))), epoch).data as Float32Array;
const ckpt = (path: string): Checkpoint => ({ id: 'm', step: 0, path });

async function setup() {
  const config = loadConfig(DIR);
  const dataset = await loadDataset(config.dataset);
  const inputs = await loadInputs(config.inputs!, dataset);
  const checkpoints = await discoverCheckpoints(config.model.checkpoints, config.dir);
  return { config, dataset, inputs, checkpoints };
}

describe('onnx runtime', () => {
  it("scores every record like PyTorch's own outputs (to 1e-5), for every exported epoch", async () => {
    const { dataset, inputs, checkpoints } = await setup();
    expect(checkpoints.map((c) => c.id)).toEqual(['epoch-00', 'epoch-01', 'epoch-02', 'epoch-03']);
    const runtime = await createOnnxRuntime();
    expect(runtime.name).toBe('onnxruntime');
    // Odd batch size: the last batch is partial.
    const run = await scoreRun(runtime, checkpoints, dataset, inputs, { batchSize: 37, output: 'auto', progress: silentProgress });
    expect(run.outputKind).toEqual(['logits', 'logits', 'logits', 'logits']);
    for (const [c, cp] of checkpoints.entries()) {
      // A run keeps the probabilities of its final checkpoint only (score/compact.ts): score each alone.
      const alone = c === checkpoints.length - 1 ? run : await scoreRun(runtime, [cp], dataset, inputs, { batchSize: 37, output: 'auto', progress: silentProgress });
      const probs = alone.scores[alone.scores.length - 1].probs!;
      const expected = torchProbs(cp.id);
      expect(expected.length).toBe(probs.length);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - probs[i]));
      expect(worst).toBeLessThan(1e-5);
      // …and the compact checkpoint holds the same losses as scoring it alone.
      expect(Buffer.from(run.scores[c].loss.buffer).equals(Buffer.from(alone.scores[alone.scores.length - 1].loss.buffer))).toBe(true);
    }
  });

  it('feeds a model exported with a fixed batch size in chunks of that size, and reads softmax outputs as probabilities', async () => {
    const { dataset, inputs } = await setup();
    const runtime = await createOnnxRuntime();
    const model = await runtime.load(ckpt(join(DIR, 'fixed-batch', 'model.onnx')));
    expect(model.inputShape).toEqual([6]);
    expect(model.outputs).toBe(3);
    model.dispose();
    const run = await scoreRun(runtime, [ckpt(join(DIR, 'fixed-batch', 'model.onnx'))], dataset, inputs, { batchSize: 50, output: 'auto', progress: silentProgress });
    expect(run.outputKind).toEqual(['probabilities']);
    const expected = torchProbs('epoch-03');
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - run.scores[0].probs![i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('rejects a truncated file and a file that is not ONNX with an InputError naming it', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'onnx-'));
    const bytes = readFileSync(join(DIR, 'epoch-03.onnx'));
    writeFileSync(join(tmp, 'cut.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    writeFileSync(join(tmp, 'text.onnx'), 'not a model');
    const runtime = await createOnnxRuntime();
    for (const name of ['cut.onnx', 'text.onnx']) {
      const err = await runtime.load(ckpt(join(tmp, name))).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).where).toBe(join(tmp, name));
      expect((err as InputError).expected).toBe('a valid ONNX model');
    }
    await expect(runtime.load(ckpt(join(tmp, 'absent.onnx')))).rejects.toThrow(/no such file/);
  });

  it('fails fast, with expected and actual shapes, on a wrong input width or class count, and on a non-float input', async () => {
    const { dataset, inputs } = await setup();
    const runtime = await createOnnxRuntime();
    const narrow = { ...inputs, shape: [5], rowSize: 5, data: new Float32Array(inputs.n * 5) };
    await expect(scoreRun(runtime, [ckpt(join(DIR, 'epoch-03.onnx'))], dataset, narrow, { batchSize: 64, output: 'auto', progress: silentProgress })).rejects.toThrow(
      /expected inputs of shape \[6\] per record \(6 values\), found \[5\] \(5 values\)/,
    );
    const twoClasses = { ...dataset, classes: ['a', 'b'] };
    await expect(scoreRun(runtime, [ckpt(join(DIR, 'epoch-03.onnx'))], twoClasses, inputs, { batchSize: 64, output: 'auto', progress: silentProgress })).rejects.toThrow(
      /expected 2 outputs \(one per class in dataset\.classes\), found 3 outputs/,
    );
    await expect(runtime.load(ckpt(join(DIR, 'malformed', 'int-input.onnx')))).rejects.toThrow(/expected a float32 \(or float64\) input tensor, found input "ids" of type int64/);
  });

  it('is what model.type "onnx" audits end to end (copy of the fixture in a temp folder)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'onnx-e2e-'));
    for (const f of ['records.csv', 'inputs.npy', 'epoch-00.onnx', 'epoch-03.onnx', 'losslens.config.json']) copyFileSync(join(DIR, f), join(tmp, f));
    const { runAudit } = await import('../../src/pipeline.ts');
    const config = loadConfig(tmp);
    config.cache.enabled = false;
    const { summary } = await runAudit(config, { now: new Date(0) });
    expect((summary.run as { backend: string }).backend).toBe('onnxruntime');
    const probs = torchProbs('epoch-03');
    const { dataset } = await setup();
    const val = Array.from({ length: dataset.n }, (_, i) => i).filter((i) => dataset.splitNames[dataset.split[i]] === 'val');
    const correct = val.filter((i) => {
      const row = Array.from(probs.subarray(i * 3, i * 3 + 3));
      return row.indexOf(Math.max(...row)) === dataset.labels[i];
    }).length;
    expect((summary.final as { accuracy: number }).accuracy).toBeCloseTo(correct / val.length, 12);
  });

  it('scores on model.workers threads once a checkpoint gives the same bits as on one thread, else stays on one with a warning', async () => {
    // An MLP large enough for onnxruntime to split its matrix products across threads (784-256-10, 2 048 rows).
    const tmp = mkdtempSync(join(tmpdir(), 'onnx-threads-'));
    const rand = mulberry32(5);
    const weights = (n: number) => Float32Array.from({ length: n }, () => rand() - 0.5);
    const graph: OnnxGraph = {
      name: 'mlp',
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'] },
        { op: 'Relu', inputs: ['h'], outputs: ['r'] },
        { op: 'MatMul', inputs: ['r', 'w2'], outputs: ['y'] },
      ],
      initializers: [
        { name: 'w1', dims: [784, 256], data: weights(784 * 256) },
        { name: 'w2', dims: [256, 10], data: weights(256 * 10) },
      ],
      inputs: [{ name: 'x', dims: ['batch', 784] }],
      outputs: [{ name: 'y', dims: ['batch', 10] }],
    };
    const path = join(tmp, 'mlp.onnx');
    writeFileSync(path, encodeModel(graph));
    const rows = 2048;
    const batch = Float32Array.from({ length: rows * 784 }, () => rand());
    const outputsOn = async (opts: Parameters<typeof createOnnxRuntime>[0]) => {
      const runtime = await createOnnxRuntime(opts);
      const model = (await runtime.load(ckpt(path))) as OnnxModel;
      expect(model.threads()).toBe(1); // nothing decided before a batch of PROBE_ROWS records
      const first = await model.predict(batch, rows);
      const second = await model.predict(batch, rows); // on the session the probe chose
      const threads = model.threads();
      model.dispose();
      return { first, second, threads, warnings: runtime.warnings };
    };
    // Multi-thread sessions must not take turns batch by batch: each scores TURN_BATCHES batches in a row.
    expect((await createOnnxRuntime({ threads: 2 })).turnBatches).toBe(TURN_BATCHES);
    expect((await createOnnxRuntime({ threads: 1 })).turnBatches).toBeUndefined();
    const one = await outputsOn({ threads: 1 });
    const two = await outputsOn({ threads: 2 });
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.warnings).toEqual([]);
    for (const out of [one.second, two.first, two.second]) expect(sameBits(out, one.first)).toBe(true);
    // A checkpoint whose bits would depend on the thread count (simulated) is scored on one thread.
    const refused = await outputsOn({ threads: 2, sameBits: () => false });
    expect(refused.threads).toBe(1);
    expect(sameBits(refused.second, one.first)).toBe(true);
    expect(refused.warnings).toHaveLength(1);
    expect(refused.warnings[0]).toContain(path);
    expect(refused.warnings[0]).toMatch(/scored on one thread/);
  });

  it('compares outputs bit for bit', () => {
    expect(sameBits(Float32Array.of(1, Number.NaN), Float32Array.of(1, Number.NaN))).toBe(true);
    expect(sameBits(Float32Array.of(0), Float32Array.of(-0))).toBe(false);
    expect(sameBits(Float32Array.of(1, 2), Float32Array.of(1))).toBe(false);
    expect(sameBits(Float32Array.of(1), Float64Array.of(1))).toBe(false);
  });
});
