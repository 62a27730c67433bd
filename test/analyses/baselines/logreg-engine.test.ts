import { describe, expect, it } from 'vitest';
import { createLogRegEngine, evalChunks, foldStandardisation, probabilityGraph, type Standardisation } from '../../../src/analyses/baselines/logreg-engine.ts';
import { encodeModel } from '../../../src/score/onnx-encode.ts';
import { Adam } from '../../../src/analyses/baselines/logreg.ts';
import { loadTf } from '../../../src/score/backend.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';
import type { ModelInputs } from '../../../src/types.ts';

const d = 6;
const k = 3;
const n = 9;

function seeded(seed: number, size: number, spread = 1): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: size }, () => (rng() - 0.5) * 2 * spread);
}

/** The definitions in float64: softmax(XW + b), Xᵀ(P − Y) and Σ_rows (P − Y). */
function reference(x: ArrayLike<number>, y: Int32Array, rows: number, W: Float32Array, b: Float32Array) {
  const P = new Float64Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const z = Array.from({ length: k }, (_, c) => {
      let s = b[c];
      for (let j = 0; j < d; j++) s += x[r * d + j] * W[j * k + c];
      return s;
    });
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, v) => a + v, 0);
    for (let c = 0; c < k; c++) P[r * k + c] = e[c] / sum;
  }
  const gW = new Float64Array(d * k);
  const gb = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) {
      const D = P[r * k + c] - (y[r] === c ? 1 : 0);
      gb[c] += D;
      for (let j = 0; j < d; j++) gW[j * k + c] += x[r * d + j] * D;
    }
  }
  return { P, gW, gb };
}

const x = seeded(1, n * d, 2);
const y = Int32Array.from({ length: n }, (_, r) => r % k);
const W = seeded(2, d * k);
const b = seeded(3, k);

describe('logistic-regression engines', () => {
  for (const prefer of ['auto', 'tfjs'] as const) {
    it(`${prefer}: the gradient is Xᵀ(softmax(XW + b) − Y) and its row sum`, async () => {
      const engine = await createLogRegEngine(d, k, prefer);
      if (prefer === 'auto') expect(engine.name).toBe('onnxruntime');
      const g = await engine.gradient(x, y, n, W, b);
      const ref = reference(x, y, n, W, b);
      for (let i = 0; i < d * k; i++) expect(g.gW[i]).toBeCloseTo(ref.gW[i], 5);
      for (let c = 0; c < k; c++) expect(g.gb[c]).toBeCloseTo(ref.gb[c], 5);
      // A shorter (last) minibatch reuses the engine.
      const g2 = await engine.gradient(x, y, 4, W, b);
      const ref2 = reference(x, y, 4, W, b);
      for (let i = 0; i < d * k; i++) expect(g2.gW[i]).toBeCloseTo(ref2.gW[i], 5);
      await engine.dispose();
    });

    it(`${prefer}: probabilities of raw uint8 and float inputs equal softmax of the standardised values`, async () => {
      const rng = mulberry32(7);
      const codes = Uint8Array.from({ length: n * d }, () => Math.floor(rng() * 256));
      const scale = 1 / 255;
      const offset = -0.5;
      const uint8: ModelInputs = { file: 'x.npy', n, shape: [d], rowSize: d, data: codes, scale, offset };
      const values = Float32Array.from(codes, (v) => v * scale + offset);
      const floats: ModelInputs = { file: 'x.npy', n, shape: [d], rowSize: d, data: values };
      const std: Standardisation = { mean: Float64Array.from({ length: d }, (_, j) => 0.1 * j - 0.2), sd: Float64Array.from({ length: d }, (_, j) => 0.2 + 0.05 * j) };
      const standardised = Float64Array.from(values, (v, i) => (v - std.mean[i % d]) / std.sd[i % d]);
      const rows = Int32Array.from([8, 0, 3, 3, 5]); // any order, repeats allowed
      const picked = Float64Array.from({ length: rows.length * d }, (_, i) => standardised[rows[Math.floor(i / d)] * d + (i % d)]);
      const ref = reference(picked, new Int32Array(rows.length), rows.length, W, b).P;
      const engine = await createLogRegEngine(d, k, prefer);
      for (const inputs of [uint8, floats]) {
        const p = await engine.probabilities(inputs, rows, std, W, b);
        expect(p.length).toBe(rows.length * k);
        for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo(ref[i], 5);
      }
      await engine.dispose();
    });
  }

  it('foldStandardisation turns x → ((x − mean)/sd)·W + b into raw-value weights, with the code decoding when asked', () => {
    const std: Standardisation = { mean: Float64Array.from({ length: d }, () => 0.5), sd: Float64Array.from({ length: d }, () => 2) };
    const plain = foldStandardisation(std, W, b, k);
    const coded = foldStandardisation(std, W, b, k, { scale: 0.5, offset: 1 });
    // x = 0 everywhere: logits are b − Σ mean/sd·W; code 0 decodes to 1.
    for (let c = 0; c < k; c++) {
      let s = b[c];
      let s1 = b[c];
      for (let j = 0; j < d; j++) {
        s += ((0 - 0.5) / 2) * W[j * k + c];
        s1 += ((1 - 0.5) / 2) * W[j * k + c];
      }
      expect(plain.b[c]).toBeCloseTo(s, 6);
      expect(coded.b[c]).toBeCloseTo(s1, 6);
      expect(coded.W[c]).toBeCloseTo((0.5 * W[c]) / 2, 7);
    }
  });
});

describe('onnxruntime evaluation chunks', () => {
  it('are runs of the chunk size; a lone last row joins the run before it unless 8 192-row runs left it alone', () => {
    expect(evalChunks(0)).toEqual([]);
    expect(evalChunks(1)).toEqual([[0, 1]]);
    expect(evalChunks(2048)).toEqual([[0, 1024], [1024, 2048]]);
    expect(evalChunks(2049)).toEqual([[0, 1024], [1024, 2049]]);
    expect(evalChunks(8193).slice(-2)).toEqual([[7168, 8192], [8192, 8193]]);
    expect(evalChunks(9217).slice(-1)).toEqual([[8192, 9217]]);
    expect(evalChunks(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]]);
  });

  it('give the probabilities one call per 8 192 rows gives, bit for bit (including where a single-row call rounds differently)', async () => {
    const ort = await import('onnxruntime-node');
    const dd = 40;
    const rng = mulberry32(21);
    const W = seeded(22, dd * k, 0.05);
    const std: Standardisation = { mean: Float64Array.from({ length: dd }, () => 0.5 * rng()), sd: Float64Array.from({ length: dd }, () => 0.1 + rng()) };
    const folded = foldStandardisation(std, W, b, k, { scale: 1 / 255, offset: 0 });
    const session = await ort.InferenceSession.create(encodeModel(probabilityGraph(dd, k, true)), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    // n mod 8 192 = 1 (a single-row call either way) and n mod 1 024 = 1 only (never a single-row call).
    for (const n of [8193, 9217]) {
      const data = Uint8Array.from({ length: n * dd }, () => Math.floor(rng() * 256));
      const inputs: ModelInputs = { file: 'x.npy', n, shape: [dd], rowSize: dd, data, scale: 1 / 255 };
      const rows = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n); // a permutation: rows are gathered
      const gathered = Uint8Array.from({ length: n * dd }, (_, i) => data[rows[Math.floor(i / dd)] * dd + (i % dd)]);
      const expected = new Float32Array(n * k);
      for (let start = 0; start < n; start += 8192) {
        const end = Math.min(n, start + 8192);
        const out = await session.run({ X: new ort.Tensor('uint8', gathered.subarray(start * dd, end * dd), [end - start, dd]), W: new ort.Tensor('float32', folded.W, [dd, k]), b: new ort.Tensor('float32', folded.b, [k]) });
        expected.set(out.P.data as Float32Array, start * k);
      }
      const engine = await createLogRegEngine(dd, k);
      const p = await engine.probabilities(inputs, rows, std, W, b);
      expect(Buffer.from(p.buffer)).toEqual(Buffer.from(expected.buffer));
      await engine.dispose();
    }
    await session.release();
  });
});

describe('Adam', () => {
  it('takes the same steps as tf.train.adam on a quadratic', async () => {
    const { tf } = await loadTf();
    // Gradients of 2·(w − target): the last target is tiny, so ε's placement shows.
    const target = [3, -1, 2e-7];
    const mine = new Float32Array(3);
    const adam = new Adam(3, 0.1);
    const v = tf.variable(tf.zeros([3]));
    const opt = tf.train.adam(0.1);
    for (let step = 0; step < 25; step++) {
      adam.step(mine, Float64Array.from(mine, (w, i) => 2 * (w - target[i])));
      opt.minimize(() => v.sub(tf.tensor1d(target)).square().sum() as import('@tensorflow/tfjs').Scalar);
    }
    const theirs = v.dataSync();
    // tfjs keeps its moments in float32, these are float64: equal to float32 rounding over 25 steps.
    for (let i = 0; i < 3; i++) expect(mine[i]).toBeCloseTo(theirs[i], 4);
    expect(Math.abs(mine[0] - target[0])).toBeLessThan(Math.abs(target[0])); // and it moved towards the minimum
    v.dispose();
    opt.dispose();
  });
});
