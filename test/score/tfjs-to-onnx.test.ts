import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseNpy } from '../../src/load/formats/npy.ts';
import { loadTf } from '../../src/score/backend.ts';
import { encodeModel } from '../../src/score/onnx-encode.ts';
import { CONVERTED_NAME, convertCheckpoint, createLayersRuntime, decodeCodes } from '../../src/score/layers.ts';
import { codeFedGraph, convertLayersModel, maxAbsDiff, verificationRows } from '../../src/score/tfjs-to-onnx.ts';
import { ortPieceRows } from '../../src/score/chunking.ts';
import { TURN_BATCHES } from '../../src/score/ort-pooling.ts';
import { loadConfig } from '../../src/config.ts';
import { discoverCheckpoints } from '../../src/load/checkpoints.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { loadInputs } from '../../src/load/inputs.ts';
import { codeValues } from '../../src/load/input-values.ts';
import { silentProgress } from '../../src/progress.ts';
import type { LoadedModel, ScoringRuntime } from '../../src/score/runtime.ts';
import { gatherCodes, scoreRun } from '../../src/score/score.ts';
import { saveLayersModel } from '../../src/score/tfjs-files.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import type { Checkpoint } from '../../src/types.ts';
import { scoreBytes } from '../helpers/scores.ts';

type Ort = typeof import('onnxruntime-node');
const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
let tf: typeof TF;
let ort: Ort;

beforeAll(async () => {
  tf = (await loadTf()).tf;
  ort = await import('onnxruntime-node');
});

/** Deterministic, non-trivial weights: every weight from a seeded generator, not the initialisers. */
function seedWeights(model: TF.LayersModel, seed: number): void {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (const layer of model.layers) {
    const isBn = layer.getClassName() === 'BatchNormalization';
    layer.setWeights(
      layer.getWeights().map((w, i) => {
        // Batch-norm variances must be positive; its other parameters get an offset so the layer does something.
        const v = Float32Array.from({ length: w.size }, () => (isBn ? (i === 3 ? 0.5 + rand() : rand() - 0.5) : (rand() - 0.5) * 0.4));
        return tf.tensor(v, w.shape);
      }),
    );
  }
}

async function compare(model: TF.LayersModel, rows = 64): Promise<number> {
  const conv = convertLayersModel(model);
  if (!conv.ok) throw new Error(conv.reason);
  const rowSize = conv.inputShape.reduce((a, b) => a * b, 1);
  const x = verificationRows(model, rows, rowSize, 5);
  const expected = tf.tidy(() => (model.predict(tf.tensor(x, [rows, ...conv.inputShape])) as TF.Tensor).dataSync());
  const session = await ort.InferenceSession.create(encodeModel(conv.graph));
  const out = await session.run({ input: new ort.Tensor('float32', x, [rows, ...conv.inputShape]) });
  await session.release();
  return maxAbsDiff(expected, out.output.data as Float32Array);
}

describe('convertLayersModel', () => {
  it('converts the MNIST example checkpoints and predicts within 1e-4 of tfjs on real digits', async () => {
    const dir = 'examples/mnist';
    const npy = parseNpy(readFileSync(join(dir, 'inputs.npy')), 'inputs.npy');
    const rows = 256;
    const x = Float32Array.from(npy.data.subarray(0, rows * 784) as Uint8Array, (v) => v / 255);
    for (const epoch of ['epoch-00', 'epoch-05']) {
      const ckpt: Checkpoint = { id: epoch, step: 0, path: join(dir, 'checkpoints', epoch, 'model.json') };
      const res = await convertCheckpoint(tf, ort, ckpt, 1);
      expect(res.ok).toBe(true);
      if (!res.ok) continue;
      const got = await res.model.predict(x, rows);
      const { loadLayersModel } = await import('../../src/score/tfjs-files.ts');
      const model = await loadLayersModel(tf, ckpt.path);
      const expected = tf.tidy(() => (model.predict(tf.tensor(x, [rows, 784])) as TF.Tensor).dataSync());
      model.dispose();
      res.model.dispose();
      expect(got.length).toBe(rows * 10);
      expect(maxAbsDiff(expected, got)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('converts a small CNN (conv same/valid, strides, max/avg pooling, batch-norm, dropout, flatten)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [13, 11, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
        tf.layers.conv2d({ filters: 6, kernelSize: [3, 2], strides: 2, padding: 'valid' }),
        tf.layers.leakyReLU({ alpha: 0.1 }),
        tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 8, activation: 'tanh' }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 1);
    expect(await compare(model)).toBeLessThanOrEqual(1e-4);
    // The first convolution's maps are the widest layer output: 13 × 11 × 4 values per record.
    expect(convertLayersModel(model)).toMatchObject({ ok: true, widestLayer: 13 * 11 * 4 });
  });

  it('converts global pooling, activation layers and a functional chain', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    let y = tf.layers.conv2d({ filters: 5, kernelSize: 3, activation: 'elu' }).apply(input) as TF.SymbolicTensor;
    y = tf.layers.activation({ activation: 'relu6' }).apply(y) as TF.SymbolicTensor;
    y = tf.layers.globalAveragePooling2d({}).apply(y) as TF.SymbolicTensor;
    y = tf.layers.dense({ units: 4, activation: 'sigmoid' }).apply(y) as TF.SymbolicTensor;
    y = tf.layers.softmax().apply(y) as TF.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: y });
    seedWeights(model, 2);
    expect(await compare(model)).toBeLessThanOrEqual(1e-4);
  });

  it('converts an embedding model (integer token ids as float inputs)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 30, outputDim: 6, inputLength: 7 }),
        tf.layers.globalAveragePooling1d({}),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 3);
    expect(await compare(model)).toBeLessThanOrEqual(1e-4);
  });

  it('names the layer that cannot be converted', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4 }), tf.layers.repeatVector({ n: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })] });
    const conv = convertLayersModel(model);
    expect(conv.ok).toBe(false);
    if (!conv.ok) expect(conv.reason).toMatch(/RepeatVector/);
  });

  it('refuses branching graphs', () => {
    const input = tf.input({ shape: [4] });
    const a = tf.layers.dense({ units: 3 }).apply(input) as TF.SymbolicTensor;
    const b = tf.layers.dense({ units: 3 }).apply(input) as TF.SymbolicTensor;
    const sum = tf.layers.add().apply([a, b]) as TF.SymbolicTensor;
    const conv = convertLayersModel(tf.model({ inputs: input, outputs: sum }));
    expect(conv.ok).toBe(false);
    if (!conv.ok) expect(conv.reason).toMatch(/chain|Add/);
  });
});

describe('createLayersRuntime', () => {
  it('runs the MNIST checkpoints on onnxruntime when they convert', async () => {
    const checkpoints: Checkpoint[] = ['epoch-00', 'epoch-01'].map((id, step) => ({ id, step, path: join('examples/mnist/checkpoints', id, 'model.json') }));
    const rt = await createLayersRuntime({ convert: 'auto', workers: 1, checkpoints, records: 10 });
    expect(rt.name).toBe(CONVERTED_NAME);
    // tfjs's backend warnings (e.g. no tfjs-node here) say they concern reading and checking, not scoring.
    expect(rt.warnings.every((w) => w.startsWith('tfjs, which reads the checkpoints and checks each conversion to ONNX: '))).toBe(true);
    const never = await createLayersRuntime({ convert: 'never', workers: 1, checkpoints, records: 10 });
    expect(never.name).toMatch(/^tfjs-/);
  });

  it('feeds uint8 inputs as their stored codes, with exactly the scores of Float32 inputs', async () => {
    const config = loadConfig('examples/mnist');
    const dataset = await loadDataset(config.dataset);
    const inputs = await loadInputs(config.inputs!, dataset);
    expect(inputs.data).toBeInstanceOf(Uint8Array);
    const checkpoints = (await discoverCheckpoints(config.model.checkpoints, config.dir)).slice(-2);
    const rt = await createLayersRuntime({ convert: 'auto', workers: 2, checkpoints, records: dataset.n });
    const loaded = await rt.load(checkpoints[0], { codes: { scale: inputs.scale ?? 1, offset: inputs.offset ?? 0 } });
    expect(loaded.predictCodes).toBeDefined();
    loaded.dispose();
    // The same runtime without predictCodes: batches converted to Float32 in JavaScript.
    const floatsOnly: ScoringRuntime = { ...rt, load: async (c, o) => ({ ...(await rt.load(c, o)), predictCodes: undefined }) };
    const opts = { batchSize: 700, output: 'auto' as const, progress: silentProgress };
    const byCodes = await scoreRun(rt, checkpoints, dataset, inputs, opts);
    const byFloats = await scoreRun(floatsOnly, checkpoints, dataset, inputs, opts);
    for (let c = 0; c < checkpoints.length; c++) expect(scoreBytes(byCodes.scores[c]).equals(scoreBytes(byFloats.scores[c]))).toBe(true);
  });

  it('scores on a worker pool of single-thread sessions (model.workers 2) with the scores of one thread', async () => {
    const config = loadConfig('examples/mnist');
    const dataset = await loadDataset(config.dataset);
    const inputs = await loadInputs(config.inputs!, dataset);
    const checkpoints = (await discoverCheckpoints(config.model.checkpoints, config.dir)).slice(-2);
    const pooled = await createLayersRuntime({ convert: 'auto', workers: 2, checkpoints, records: dataset.n });
    const single = await createLayersRuntime({ convert: 'auto', workers: 1, checkpoints, records: dataset.n });
    expect(pooled.concurrentTurns).toBe(true);
    expect(single.concurrentTurns).toBeUndefined();
    const model = (await pooled.load(checkpoints[0], { batchRows: 700, codes: { scale: inputs.scale ?? 1, offset: inputs.offset ?? 0 } })) as LoadedModel & { threads(): number };
    expect(model.threads()).toBe(2);
    model.dispose();
    const opts = { batchSize: 700, output: 'auto' as const, progress: silentProgress };
    const a = await scoreRun(pooled, checkpoints, dataset, inputs, opts);
    const b = await scoreRun(single, checkpoints, dataset, inputs, opts);
    for (let c = 0; c < checkpoints.length; c++) expect(scoreBytes(a.scores[c]).equals(scoreBytes(b.scores[c]))).toBe(true);
    expect(pooled.warnings.filter((w) => /worker threads/.test(w))).toEqual([]);
  });

  it('decodes codes in the graph only when onnxruntime reproduces the loader\'s values bit for bit', async () => {
    expect(await decodeCodes(ort, 0.00392156862745098, 0)).toEqual({ scale: 255, divide: true, offset: null });
    expect(await decodeCodes(ort, 1, 0)).toEqual({ scale: null, offset: null });
    expect(await decodeCodes(ort, 0.5, 0.25)).toEqual({ scale: 0.5, offset: 0.25 });
    // v/127.5 − 1 rounds twice in float32 for some codes: no in-graph decoding, JavaScript converts.
    expect(await decodeCodes(ort, 2 / 255, -1)).toBeNull();
    const graph = { name: 'id', nodes: [{ op: 'Identity', inputs: ['input'], outputs: ['output'] }], initializers: [], inputs: [{ name: 'input', dims: ['batch', 3] }], outputs: [{ name: 'output', dims: ['batch', 3] }] };
    const session = await ort.InferenceSession.create(encodeModel(codeFedGraph(graph, { scale: 255, divide: true, offset: null })));
    const data = Uint8Array.from([0, 1, 2, 10, 20, 30, 255, 128, 7]);
    const out = await session.run({ codes: new ort.Tensor('uint8', data.subarray(3), [2, 3]) });
    const t = codeValues(0.00392156862745098, 0);
    expect(Array.from(out.output.data as Float32Array)).toEqual(Array.from(data.subarray(3), (v) => t[v]));
    await session.release();
  });

  it('a convolutional graph transposes the codes before decoding them, with the outputs of Float32 feeding', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [9, 7, 1], filters: 3, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 11);
    const conv = convertLayersModel(model);
    if (!conv.ok) throw new Error(conv.reason);
    const dec = { scale: 255, divide: true, offset: null };
    const fed = codeFedGraph(conv.graph, dec);
    expect(fed.nodes[0]).toMatchObject({ op: 'Transpose', inputs: ['codes'] });
    const rows = 6;
    const rng = mulberry32(5);
    const codes = Uint8Array.from({ length: rows * 63 }, () => Math.floor(rng() * 256));
    const values = Float32Array.from(codes, (v) => v * 0.00392156862745098);
    const byValues = await ort.InferenceSession.create(encodeModel(conv.graph));
    const byCodes = await ort.InferenceSession.create(encodeModel(fed));
    const a = (await byValues.run({ input: new ort.Tensor('float32', values, [rows, 9, 7, 1]) })).output.data as Float32Array;
    const b = (await byCodes.run({ codes: new ort.Tensor('uint8', codes, [rows, 9, 7, 1]) })).output.data as Float32Array;
    expect(bits(b)).toEqual(bits(a));
    await Promise.all([byValues.release(), byCodes.release()]);
    model.dispose();
  });

  it('calls a converted CNN in pieces of its widest layer, on the main thread and the worker pool alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'losslens-convert-cnn-'));
    const cnn = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    seedWeights(cnn, 4);
    await saveLayersModel(tf, cnn, join(dir, 'cnn'));
    const checkpoints: Checkpoint[] = [{ id: 'cnn', step: 1, path: join(dir, 'cnn', 'model.json') }];
    const n = 700;
    const rand = mulberry32(8);
    const dataset = {
      file: 'r.csv', table: null as never, n, ids: Array.from({ length: n }, (_, i) => `r${i}`), labels: Int32Array.from({ length: n }, (_, i) => i % 3),
      classes: ['a', 'b', 'c'], split: new Int32Array(n), splitNames: ['all'], groups: {}, unknownLabels: [],
    };
    const inputs = { file: 'x.npy', n, shape: [28, 28, 1], rowSize: 784, data: Uint8Array.from({ length: n * 784 }, () => Math.floor(rand() * 256)), scale: 1 / 255 };
    const codes = { scale: 1 / 255, offset: 0 };
    // 8 maps of 28 × 28 per record: a batch of 300 codes runs as 4 calls of 75 records (ortPieceRows).
    expect(ortPieceRows(300, 0, 8 * 28 * 28)).toBe(75);
    const single = await createLayersRuntime({ convert: 'auto', workers: 1, checkpoints, records: n });
    expect(single.name).toBe(CONVERTED_NAME);
    const model = await single.load(checkpoints[0], { codes });
    // Sessions' run is a method of their class (its type only declares the factory).
    type Feeds = Record<string, { dims: readonly number[] }>;
    const sessionClass = ort.InferenceSession as unknown as { prototype: { run(feeds: Feeds): Promise<unknown> } };
    const run = vi.spyOn(sessionClass.prototype, 'run');
    try {
      await model.predictCodes!((inputs.data as Uint8Array).subarray(0, 300 * 784), 300);
      expect(run.mock.calls.map(([feeds]) => feeds.codes.dims[0])).toEqual([75, 75, 75, 75]);
    } finally {
      run.mockRestore();
      model.dispose();
    }
    const opts = { batchSize: 300, output: 'auto' as const, progress: silentProgress };
    const pooled = await createLayersRuntime({ convert: 'auto', workers: 2, checkpoints, records: n });
    const a = await scoreRun(pooled, checkpoints, dataset, inputs, opts);
    const b = await scoreRun(single, checkpoints, dataset, inputs, opts);
    expect(scoreBytes(a.scores[0]).equals(scoreBytes(b.scores[0]))).toBe(true);
    expect(pooled.warnings.filter((w) => /worker threads/.test(w))).toEqual([]);
    cnn.dispose();
  });

  it('gatherCodes views consecutive rows and packs the others', () => {
    const data = Uint8Array.from([0, 1, 2, 10, 20, 30, 255, 128, 7]);
    const scratch = new Uint8Array(9);
    const view = gatherCodes(data, 3, Int32Array.from([0, 1, 2]), 1, 2, scratch);
    expect(view.buffer).toBe(data.buffer); // consecutive: no copy
    expect(Array.from(view)).toEqual([10, 20, 30, 255, 128, 7]);
    const packed = gatherCodes(data, 3, Int32Array.from([0, 2]), 0, 2, scratch);
    expect(Array.from(packed)).toEqual([0, 1, 2, 255, 128, 7]);
  });

  it('the code-fed model takes codes in shared memory, which onnxruntime refuses, and scores them as unshared ones', async () => {
    // gatherCodes views shared memory as any other (the worker pool copies into its own buffers anyway).
    const data = new Uint8Array(new SharedArrayBuffer(9));
    data.set([0, 1, 2, 10, 20, 30, 255, 128, 7]);
    const view = gatherCodes(data, 3, Int32Array.from([0, 1, 2]), 1, 2, new Uint8Array(9));
    expect(view.buffer).toBe(data.buffer);
    expect(Array.from(view)).toEqual([10, 20, 30, 255, 128, 7]);
    // The reason the code-fed model copies: a tensor over shared bytes is refused.
    const graph = { name: 'cast', inputs: [{ name: 'x', dims: [2, 3], type: 'uint8' as const }], outputs: [{ name: 'y', dims: [2, 3] }], nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: { to: 1 } }], initializers: [] };
    const session = await ort.InferenceSession.create(encodeModel(graph));
    await expect(session.run({ x: new ort.Tensor('uint8', view, [2, 3]) })).rejects.toThrow();
    expect(Array.from((await session.run({ x: new ort.Tensor('uint8', Uint8Array.from(view), [2, 3]) })).y.data as Float32Array)).toEqual([10, 20, 30, 255, 128, 7]);
    await session.release();
    // The model: MNIST rows as shared and as unshared codes, bit for bit the same outputs.
    const config = loadConfig('examples/mnist');
    const inputs = await loadInputs(config.inputs!, await loadDataset(config.dataset));
    const checkpoints = (await discoverCheckpoints(config.model.checkpoints, config.dir)).slice(-1);
    const rt = await createLayersRuntime({ convert: 'auto', workers: 1, checkpoints, records: 10 });
    const model = await rt.load(checkpoints[0], { codes: { scale: inputs.scale ?? 1, offset: inputs.offset ?? 0 } });
    const rows = (inputs.data as Uint8Array).subarray(0, 5 * inputs.rowSize);
    const shared = new Uint8Array(new SharedArrayBuffer(rows.length));
    shared.set(rows);
    expect(bits(await model.predictCodes!(shared, 5))).toEqual(bits(await model.predictCodes!(Uint8Array.from(rows), 5)));
    model.dispose();
  });

  it('scores a later checkpoint that does not convert on tfjs, also when the pool hands over whole turns in shared memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'losslens-convert-mixed-'));
    const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4, activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    const repeat = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4 }), tf.layers.repeatVector({ n: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    await saveLayersModel(tf, dense, join(dir, 'a'));
    await saveLayersModel(tf, repeat, join(dir, 'b'));
    const checkpoints: Checkpoint[] = [
      { id: 'a', step: 1, path: join(dir, 'a', 'model.json') },
      { id: 'b', step: 2, path: join(dir, 'b', 'model.json') },
    ];
    const n = 300;
    const rand = mulberry32(3);
    const dataset = {
      file: 'r.csv', table: null as never, n, ids: Array.from({ length: n }, (_, i) => `r${i}`), labels: Int32Array.from({ length: n }, (_, i) => i % 2),
      classes: ['x', 'y'], split: new Int32Array(n), splitNames: ['all'], groups: {}, unknownLabels: [],
    };
    const inputs = { file: 'x.npy', n, shape: [4], rowSize: 4, data: Float32Array.from({ length: n * 4 }, () => rand() - 0.5) };
    const opts = { batchSize: 16, output: 'auto' as const, progress: silentProgress };
    const pooled = await createLayersRuntime({ convert: 'auto', workers: 2, checkpoints, records: 10 });
    const single = await createLayersRuntime({ convert: 'auto', workers: 1, checkpoints, records: 10 });
    expect(pooled.concurrentTurns).toBe(true);
    const a = await scoreRun(pooled, checkpoints, dataset, inputs, opts);
    const b = await scoreRun(single, checkpoints, dataset, inputs, opts);
    for (let c = 0; c < 2; c++) expect(scoreBytes(a.scores[c]).equals(scoreBytes(b.scores[c]))).toBe(true);
    expect(pooled.warnings.join('\n')).toMatch(/b[/\\]model\.json: not converted to ONNX .*RepeatVector/);
  });

  it('falls back to tfjs with the reason recorded when a layer is not convertible', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'losslens-convert-'));
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4 }), tf.layers.repeatVector({ n: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    await saveLayersModel(tf, model, join(dir, 'ck'));
    const checkpoints: Checkpoint[] = [{ id: 'ck', step: 0, path: join(dir, 'ck', 'model.json') }];
    const rt = await createLayersRuntime({ convert: 'auto', workers: 1, checkpoints, records: 10 });
    expect(rt.name).toMatch(/^tfjs-/);
    expect(rt.warnings.join('\n')).toMatch(/not converted to ONNX \(layer "[^"]+" \(RepeatVector\)/);
    const loaded = await rt.load(checkpoints[0]);
    const out = await loaded.predict(new Float32Array(8).fill(0.5), 2);
    expect(out.length).toBe(4);
    loaded.dispose();
    // Enough work for the tfjs worker pool: the runtime is the pool's, whole turns and all.
    const pooled = await createLayersRuntime({ convert: 'auto', workers: 2, checkpoints, records: 50_000 });
    expect(pooled.name).toBe('tfjs-wasm');
    expect(pooled.warnings.join('\n')).toMatch(/not converted to ONNX/);
    expect(pooled).toMatchObject({ concurrentTurns: true, turnBatches: TURN_BATCHES, copiesPerModel: 2 });
    const onPool = await pooled.load(checkpoints[0]);
    expect(Array.from(await onPool.predict(new Float32Array(8).fill(0.5), 2))).toEqual(Array.from(out));
    onPool.dispose(); // the pool's threads never keep the process alive
  });
});
