/** The logistic-regression baseline on a worker thread gives bit for bit the in-process result. */
import { describe, expect, it } from 'vitest';
import { fitOnThread, logisticRegressionOnThread, threadCopyBytes, threadJob } from '../../../src/analyses/baselines/logreg-thread.ts';
import { fitLogisticRegression, logisticRegression, trainingSample, type LogRegInput } from '../../../src/analyses/baselines/logreg.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';

/** 3 classes, 16 uint8 features (class shifts the first three), 600 records: train even rows, evaluate odd ones. */
function problem(float = false, shared = false): LogRegInput {
  const n = 600;
  const d = 16;
  const rng = mulberry32(11);
  const codes = new Uint8Array(shared && !float ? new SharedArrayBuffer(n * d) : new ArrayBuffer(n * d));
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    for (let j = 0; j < d; j++) codes[i * d + j] = Math.floor(rng() * 128) + (j === labels[i] ? 100 : 0);
  }
  const inputs = float
    ? { file: 'x.npy', n, shape: [d], rowSize: d, data: floats(codes, shared) }
    : { file: 'x.npy', n, shape: [d], rowSize: d, data: codes, scale: 1 / 255 };
  const rows = (odd: number) => Int32Array.from({ length: n / 2 }, (_, i) => 2 * i + odd);
  return { inputs, rowSize: d, labels, k: 3, train: rows(0), evaluate: rows(1), seed: 9 };
}

function floats(codes: Uint8Array, shared: boolean): Float32Array {
  const out = new Float32Array(shared ? new SharedArrayBuffer(codes.length * 4) : new ArrayBuffer(codes.length * 4));
  codes.forEach((v, i) => (out[i] = v / 255));
  return out;
}

const bytes = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('logistic regression on a worker thread', () => {
  for (const [name, inp] of [
    ['uint8 inputs (a compact copy)', problem()],
    ['Float32 inputs (a compact copy)', problem(true)],
    ['shared uint8 inputs (read in place)', problem(false, true)],
    ['shared Float32 inputs (read in place)', problem(true, true)],
  ] as const) {
    it(`equals the in-process fit bit for bit: ${name}`, async () => {
      const here = await logisticRegression(inp);
      const job = threadJob(inp, trainingSample(inp));
      const there = await fitOnThread(job);
      expect(bytes(there.pred)).toEqual(bytes(here.pred));
      expect(bytes(there.loss)).toEqual(bytes(here.loss));
      expect(there.note).toBe(here.note);
      // It learned something: well above the 1/3 of guessing.
      const right = there.pred.filter((p, r) => p === inp.labels[inp.evaluate[r]]).length;
      expect(right / inp.evaluate.length).toBeGreaterThan(0.8);
    });
  }

  it('compacts only the needed rows, training rows first, and the fit there equals the fit on the original rows', async () => {
    const inp = problem();
    const job = threadJob(inp, inp.train);
    expect(job.inputs.n).toBe(inp.train.length + inp.evaluate.length);
    expect(Array.from(job.inputs.data.subarray(0, 16))).toEqual(Array.from(inp.inputs.data.subarray(0, 16)));
    expect(Array.from(job.inputs.data.subarray(300 * 16, 301 * 16))).toEqual(Array.from(inp.inputs.data.subarray(16, 32)));
    expect(job.labels[300]).toBe(inp.labels[1]);
    const a = await fitLogisticRegression(job);
    const b = await fitLogisticRegression({ ...inp, train: inp.train });
    expect(bytes(a.loss)).toEqual(bytes(b.loss));
  });

  it('logisticRegressionOnThread returns the same baseline as logisticRegression, also when the copy is over budget (main thread)', async () => {
    const inp = problem();
    const b = await logisticRegression(inp);
    for (const budget of [Infinity, 0]) {
      const a = await logisticRegressionOnThread(inp, budget);
      expect(bytes(a.loss)).toEqual(bytes(b.loss));
      expect(a.trainedOn).toBe(300);
    }
  });

  it('shared inputs go to the thread as they are: no copy (so no copy budget), and the caller keeps its labels', async () => {
    const inp = problem(false, true);
    const b = await logisticRegression(inp);
    const a = await logisticRegressionOnThread(inp, 0);
    expect(bytes(a.loss)).toEqual(bytes(b.loss));
    // Labels were cloned, not transferred: still readable here.
    expect(inp.labels.length).toBe(600);
    expect(inp.labels[5]).toBe(2);
  });

  it('counts the bytes of the compact copy: (training + evaluated rows) × values per row × bytes per value', () => {
    expect(threadCopyBytes(problem(), problem().train)).toBe(600 * 16);
    expect(threadCopyBytes(problem(true), problem(true).train)).toBe(600 * 16 * 4);
  });
});
