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
import { codeValues } from '../../src/load/input-values.ts';
import { ortPieceRows } from '../../src/score/chunking.ts';
import { createOnnxRuntime, TURN_BATCHES, type OnnxModel } from '../../src/score/onnx.ts';
import { encodeModel, type OnnxGraph } from '../../src/score/onnx-encode.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { scoreRun } from '../../src/score/score.ts';
import type { Checkpoint } from '../../src/types.ts';
import { pieceSizeGraph } from '../helpers/piece-size-graph.ts';

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

  it('warns that only the first output is scored when a model has several', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'onnx-outputs-')), 'two.onnx');
    const graph: OnnxGraph = {
      name: 'two',
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['logits'] },
        { op: 'Relu', inputs: ['logits'], outputs: ['features'] },
      ],
      initializers: [{ name: 'w', dims: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i / 12) }],
      inputs: [{ name: 'x', dims: ['batch', 4] }],
      outputs: [{ name: 'logits', dims: ['batch', 3] }, { name: 'features', dims: ['batch', 3] }],
    };
    writeFileSync(path, encodeModel(graph));
    const runtime = await createOnnxRuntime();
    const model = await runtime.load(ckpt(path));
    expect(model.outputs).toBe(3);
    await runtime.load(ckpt(path)); // once per file
    expect(runtime.warnings).toEqual([`${path}: the model has 2 outputs ("logits", "features"); the first, "logits", is scored as the class scores`]);
    model.dispose();
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

  describe('on model.workers worker threads', () => {
    // An MLP large enough for onnxruntime to split its matrix products across threads (784-256-10).
    const tmp = mkdtempSync(join(tmpdir(), 'onnx-threads-'));
    const rand = mulberry32(5);
    const weights = (n: number) => Float32Array.from({ length: n }, () => rand() - 0.5);
    const mlp = (name: string, nodes: OnnxGraph['nodes'] = [], extra: OnnxGraph['initializers'] = []) => {
      const graph: OnnxGraph = {
        name: 'mlp',
        nodes: [
          ...nodes,
          { op: 'MatMul', inputs: [nodes.length ? 'x2' : 'x', 'w1'], outputs: ['h'] },
          { op: 'Relu', inputs: ['h'], outputs: ['r'] },
          { op: 'MatMul', inputs: ['r', 'w2'], outputs: ['y'] },
        ],
        initializers: [{ name: 'w1', dims: [784, 256], data: weights(784 * 256) }, { name: 'w2', dims: [256, 10], data: weights(256 * 10) }, ...extra],
        inputs: [{ name: 'x', dims: ['batch', 784] }],
        outputs: [{ name: 'y', dims: ['batch', 10] }],
      };
      const path = join(tmp, name);
      writeFileSync(path, encodeModel(graph));
      return path;
    };
    const first = mlp('a.onnx');
    const second = mlp('b.onnx');
    const rows = 2 * 1024 + 300; // a partial last batch
    const codes = Uint8Array.from({ length: rows * 784 }, () => Math.floor(rand() * 256));
    const table = codeValues(1 / 255, 0);
    const values = Float32Array.from(codes, (c) => table[c]);
    const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    /** The single-thread session's outputs, one scoring-loop batch (1024 records) at a time. */
    const oneThread = async (path: string) => {
      const model = await (await createOnnxRuntime()).load(ckpt(path));
      const out = new Float32Array(rows * 10);
      for (let start = 0; start < rows; start += 1024) {
        const count = Math.min(1024, rows - start);
        out.set(await model.predict(values.subarray(start * 784, (start + count) * 784), count), start * 10);
      }
      model.dispose();
      return out;
    };
    const load = { batchRows: 1024, codes: { scale: 1 / 255, offset: 0 } };

    it('gives the single-thread session\'s bits, fed values or uint8 codes, one model or a group', async () => {
      const runtime = await createOnnxRuntime({ threads: 2 });
      expect(runtime.turnBatches).toBe(TURN_BATCHES);
      expect(runtime.concurrentTurns).toBe(true);
      expect(runtime.copiesPerModel).toBe(3); // a session per worker and the main thread's
      const single = await createOnnxRuntime({ threads: 1 });
      expect(single.turnBatches).toBeUndefined();
      expect(single.concurrentTurns).toBeUndefined();
      const a = (await runtime.load(ckpt(first), load)) as OnnxModel;
      const b = (await runtime.load(ckpt(second), load)) as OnnxModel;
      expect(a.threads()).toBe(2);
      const [refA, refB] = [await oneThread(first), await oneThread(second)];
      expect(same(await a.predict(values, rows), refA)).toBe(true);
      expect(same(await a.predictCodes!(codes, rows), refA)).toBe(true);
      const [outA, outB] = await runtime.scoreTurn!([a, b], codes, rows);
      expect(same(outA, refA) && same(outB, refB)).toBe(true);
      expect(same(refA, refB)).toBe(false); // two different models
      // Without batchRows (not the scoring loop): the main thread's session.
      expect((await runtime.load(ckpt(first))) as OnnxModel).toHaveProperty('threads');
      expect(((await runtime.load(ckpt(first))) as OnnxModel).threads()).toBe(1);
      expect(runtime.warnings).toEqual([]);
      a.dispose();
      b.dispose();
      await runtime.close();
    });

    it('goes on with one thread and a warning when the worker threads are gone, with the same bits', async () => {
      const runtime = await createOnnxRuntime({ threads: 2 });
      const a = (await runtime.load(ckpt(first), load)) as OnnxModel;
      await runtime.close();
      expect(same(await a.predictCodes!(codes, rows), await oneThread(first))).toBe(true);
      expect(a.threads()).toBe(1);
      expect(runtime.warnings).toHaveLength(1);
      expect(runtime.warnings[0]).toMatch(/worker threads failed .* one thread/);
      a.dispose();
    });

    it('reports a model failing on its input in a worker as the main thread does: the file, the shape', async () => {
      // Reshape to a fixed [2, 784]: fine for batches of 2 records, an error for any other.
      const path = mlp('reshape.onnx', [{ op: 'Reshape', inputs: ['x', 'shape'], outputs: ['x2'] }], [{ name: 'shape', dims: [2], data: { int64: [2, 784] } }]);
      const main = await (await createOnnxRuntime()).load(ckpt(path));
      const expected = await main.predict(values.subarray(0, 3 * 784), 3).then(() => null, (e: Error) => e);
      expect(expected).toBeInstanceOf(InputError);
      const runtime = await createOnnxRuntime({ threads: 2 });
      const model = await runtime.load(ckpt(path), { batchRows: 3 });
      const error = await model.predict(values.subarray(0, 6 * 784), 6).then(() => null, (e: Error) => e);
      expect(error).toBeInstanceOf(InputError);
      expect(error!.message).toBe(expected!.message);
      expect(error!.message).toContain(path);
      expect(error!.message).toContain('[3, 784]');
      model.dispose();
      main.dispose();
      await runtime.close();
    });

    it('cuts each batch into the pieces of ortPieceRows, in the workers and on the main thread alike', async () => {
      // y[r] = x[r][0] + the number of records in the call that scored record r: the pieces show.
      const width = 65536; // 256 KB of floats per record: a batch of 10 is 3 pieces (4, 4, 2)
      const graph = pieceSizeGraph(width, 2);
      const path = join(tmp, 'piece-size.onnx');
      writeFileSync(path, encodeModel(graph));
      const n = 25; // batches of 10, 10 and 5 records
      const codes = new Uint8Array(n * width);
      for (let r = 0; r < n; r++) codes[r * width] = r;
      const x = Float32Array.from(codes, (c) => table[c]);
      const pieces = [10, 10, 5].flatMap((batch) => {
        const step = ortPieceRows(batch, width);
        return Array.from({ length: batch }, (_, r) => Math.min(step, batch - Math.floor(r / step) * step));
      });
      expect(pieces).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 3, 3, 3, 2, 2]);
      const expected = Float32Array.from({ length: n * 2 }, (_, o) => table[Math.floor(o / 2)] + pieces[Math.floor(o / 2)]);
      const main = await (await createOnnxRuntime()).load(ckpt(path));
      const onMain = new Float32Array(n * 2);
      for (let start = 0; start < n; start += 10) onMain.set(await main.predict(x.subarray(start * width, Math.min(n, start + 10) * width), Math.min(10, n - start)), start * 2);
      expect(same(onMain, expected)).toBe(true);
      const runtime = await createOnnxRuntime({ threads: 2 });
      const model = (await runtime.load(ckpt(path), { batchRows: 10, codes: { scale: 1 / 255, offset: 0 } })) as OnnxModel;
      expect(model.threads()).toBe(2);
      expect(same(await model.predict(x, n), expected)).toBe(true);
      expect(same((await runtime.scoreTurn!([model], codes, n))[0], expected)).toBe(true); // codes decoded piece by piece in the workers
      model.dispose();
      main.dispose();
      await runtime.close();
    });

    it('feeds a model with a fixed batch size in padded pieces, as on the main thread', async () => {
      const path = join(DIR, 'fixed-batch', 'model.onnx');
      const x = Float32Array.from({ length: 13 * 6 }, () => rand() - 0.5);
      const main = await (await createOnnxRuntime()).load(ckpt(path));
      const expected = new Float32Array(13 * 3);
      for (let start = 0; start < 13; start += 5) expected.set(await main.predict(x.subarray(start * 6, Math.min(13, start + 5) * 6), Math.min(5, 13 - start)), start * 3);
      const runtime = await createOnnxRuntime({ threads: 2 });
      const model = (await runtime.load(ckpt(path), { batchRows: 5 })) as OnnxModel;
      expect(model.threads()).toBe(2);
      expect(same(await model.predict(x, 13), expected)).toBe(true);
      model.dispose();
      main.dispose();
      await runtime.close();
    });
  });
});
