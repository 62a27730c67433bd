/** The logistic regression's input standardisation: uint8 inputs through a per-column table of their 256 results. */
import { describe, expect, it } from 'vitest';
import { Adam, shuffledIndices, standardisation, standardise } from '../../../src/analyses/baselines/logreg.ts';
import { codeTable } from '../../../src/load/input-values.ts';
import { mulberry32, shuffle } from '../../../src/stats/rng.ts';
import type { ModelInputs } from '../../../src/types.ts';

describe('standardise', () => {
  it('gives uint8 inputs, looked up per column, the float32 of (value − mean) / sd computed per element', () => {
    const rng = mulberry32(5);
    const n = 1000;
    const d = 7; // one unrolled block of four and a tail of three
    const inputs: ModelInputs = { file: 'x.npy', n, shape: [d], rowSize: d, data: Uint8Array.from({ length: n * d }, () => Math.floor(rng() * 256)), scale: 1 / 255, offset: -0.5 };
    const mean = Float64Array.from({ length: d }, () => rng() - 0.5);
    const sd = Float64Array.from({ length: d }, () => 0.1 + rng());
    const rows = Int32Array.from({ length: 600 }, () => Math.floor(rng() * n)); // more rows than codes: the table is used
    const codes = codeTable(inputs)!;
    const expected = new Float32Array(rows.length * d);
    rows.forEach((i, r) => {
      for (let j = 0; j < d; j++) expected[r * d + j] = (codes[inputs.data[i * d + j]] - mean[j]) / sd[j];
    });
    expect(Buffer.from(standardise(inputs, rows, mean, sd).buffer)).toEqual(Buffer.from(expected.buffer));
  });
});

describe('standardisation', () => {
  it('sums uint8 inputs through the code tables to the row-order float64 sums of their values, bit for bit', () => {
    const rng = mulberry32(6);
    const n = 500;
    for (const d of [4, 11]) {
      const inputs: ModelInputs = { file: 'x.npy', n, shape: [d], rowSize: d, data: Uint8Array.from({ length: n * d }, () => Math.floor(rng() * 256)), scale: 0.37 / 255, offset: -0.11 };
      const rows = Int32Array.from({ length: 700 }, () => Math.floor(rng() * n)); // repeats, any order
      const codes = codeTable(inputs)!;
      const sum = new Float64Array(d);
      const sq = new Float64Array(d);
      for (const i of rows) {
        for (let j = 0; j < d; j++) {
          const v = codes[inputs.data[i * d + j]];
          sum[j] += v;
          sq[j] += v * v;
        }
      }
      const mean = sum.map((s) => s / rows.length);
      const sd = sq.map((s, j) => Math.sqrt(Math.max(s / rows.length - mean[j] * mean[j], 0))).map((s) => (s < 1e-6 ? 1 : s));
      const got = standardisation(inputs, rows);
      expect(Buffer.from(got.mean.buffer)).toEqual(Buffer.from(mean.buffer));
      expect(Buffer.from(got.sd.buffer)).toEqual(Buffer.from(sd.buffer));
    }
  });
});

describe('shuffledIndices', () => {
  it('is stats/rng shuffle of 0 … m − 1, taking the same draws', () => {
    for (const m of [0, 1, 2, 257]) {
      const a = mulberry32(m + 3);
      const b = mulberry32(m + 3);
      expect(Array.from(shuffledIndices(m, a))).toEqual(shuffle(Array.from({ length: m }, (_, i) => i), b));
      expect(a()).toBe(b()); // the stream is left where shuffle leaves it
    }
  });
});

describe('Adam.step', () => {
  it('on a summed gradient with divisor and weight decay equals the two-pass form (mean + L2 term first, then the update) bit for bit', () => {
    const rng = mulberry32(8);
    const size = 1000;
    const params = Float32Array.from({ length: size }, () => rng() - 0.5);
    const expected = Float32Array.from(params);
    const adam = new Adam(size);
    // The straightforward form: g = sum / n + decay · param into a float64 array, then the Adam update.
    const m = new Float64Array(size);
    const v = new Float64Array(size);
    const lr = 0.01;
    const decay = 2e-4;
    for (let t = 1; t <= 40; t++) {
      const n = [256, 32, 7][t % 3];
      const sum = Float32Array.from({ length: size }, () => (rng() < 0.2 ? 0 : (rng() - 0.5) * n));
      adam.step(params, sum, n, decay);
      const g = Float64Array.from(sum, (s, i) => s / n + decay * expected[i]);
      const c1 = 1 - 0.9 ** t;
      const c2 = 1 - 0.999 ** t;
      for (let i = 0; i < size; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        expected[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-7);
      }
      expect(Buffer.from(params.buffer)).toEqual(Buffer.from(expected.buffer));
      // The float64 moments too: a slip in their last bits rarely shows in the float32 parameters.
      const moments = adam as unknown as { m: Float64Array; v: Float64Array };
      expect(Buffer.from(moments.m.buffer)).toEqual(Buffer.from(m.buffer));
      expect(Buffer.from(moments.v.buffer)).toEqual(Buffer.from(v.buffer));
    }
  });
});
