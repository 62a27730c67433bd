/**
 * Multinomial logistic regression on the model inputs, trained in-process on the training split
 * (the matrix products on onnxruntime, else tfjs: logreg-engine.ts): inputs standardised with the
 * training mean/sd (sd < 1e-6 → 1, so constant pixels stay 0), zero-initialised weights, Adam
 * (lr 0.01), minibatches of 256 in a seeded order, 10 epochs (at least 200 and at most 2 000
 * steps), loss = mean cross-entropy + L2 · Σ W² with L2 = 1e-4 (the bias is not penalised). At
 * most 20 000 training records (a seeded sample beyond that, drawn from its own random stream so
 * the sample can be taken apart from the training: logreg-thread.ts trains on a worker thread).
 */
import { codeTable, rowValues } from '../../load/input-values.ts';
import { mulberry32, randomInt } from '../../stats/rng.ts';
import { fromProbs } from './evaluate.ts';
import { createLogRegEngine } from './logreg-engine.ts';
import type { ModelInputs } from '../../types.ts';
import type { PredictedBaseline } from './types.ts';

export const LOGREG = { lr: 0.01, batch: 256, epochs: 10, minSteps: 200, maxSteps: 2000, l2: 1e-4, maxTrain: 20_000, maxFeatures: 50_000 } as const;

/** Seed offset of the training-sample stream (the minibatch order uses the seed itself). */
const SAMPLE_STREAM = 1;

/**
 * At most `max` of `rows`, in dataset order: all of them when there are few enough, else a seeded
 * simple random sample (the first `max` of a Fisher–Yates shuffle, as stats/rng's shuffle, on a
 * typed copy instead of a JS array of every training row).
 */
export function sampleRows(rows: Int32Array, max: number, rng: () => number): Int32Array {
  if (rows.length <= max) return rows;
  return shuffleInPlace(Int32Array.from(rows), rng).slice(0, max).sort();
}

/** 0 … m − 1 in the order stats/rng's shuffle puts them (the same draws), as a typed array. */
export function shuffledIndices(m: number, rng: () => number): Int32Array {
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) out[i] = i;
  return shuffleInPlace(out, rng);
}

/** stats/rng's shuffle (Fisher–Yates from the end), in place on a typed array. */
function shuffleInPlace(a: Int32Array, rng: () => number): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

export interface LogRegInput {
  /** The whole dataset's model inputs (read a row at a time: they may be stored as uint8). */
  inputs: ModelInputs;
  rowSize: number;
  labels: Int32Array;
  k: number;
  /** Dataset rows to train on / evaluate. */
  train: Int32Array;
  evaluate: Int32Array;
  seed: number;
}

export type LogRegResult = PredictedBaseline & { trainedOn: number };

/** The training rows actually used: all of `train`, or a seeded sample of LOGREG.maxTrain of them. */
export function trainingSample(inp: Pick<LogRegInput, 'train' | 'seed'>): Int32Array {
  return sampleRows(inp.train, LOGREG.maxTrain, mulberry32(inp.seed + SAMPLE_STREAM));
}

export async function logisticRegression(inp: LogRegInput): Promise<LogRegResult> {
  return fitLogisticRegression({ ...inp, train: trainingSample(inp) });
}

/** Train on every row of `inp.train` (already sampled) and evaluate on `inp.evaluate`. */
export async function fitLogisticRegression(inp: LogRegInput): Promise<LogRegResult> {
  const { rowSize: d, k } = inp;
  const rng = mulberry32(inp.seed);
  const trainRows = inp.train;
  const m = trainRows.length;

  // Standardisation statistics from the training rows only.
  const { mean, sd } = standardisation(inp.inputs, trainRows);
  const X = standardise(inp.inputs, trainRows, mean, sd);
  const Y = Int32Array.from(trainRows, (i) => inp.labels[i]);

  const engine = await createLogRegEngine(d, k);
  const W = new Float32Array(d * k);
  const b = new Float32Array(k);
  const adamW = new Adam(d * k);
  const adamB = new Adam(k);
  const steps = Math.min(LOGREG.maxSteps, Math.max(LOGREG.minSteps, LOGREG.epochs * Math.ceil(m / LOGREG.batch)));
  let order: Int32Array = new Int32Array(0);
  const xb = new Float32Array(LOGREG.batch * d);
  const yb = new Int32Array(LOGREG.batch);
  try {
    for (let step = 0, pos = m; step < steps; step++, pos += LOGREG.batch) {
      if (pos >= m) {
        order = shuffledIndices(m, rng);
        pos = 0;
      }
      const n = Math.min(LOGREG.batch, m - pos);
      for (let q = 0; q < n; q++) {
        const r = order[pos + q];
        xb.set(X.subarray(r * d, r * d + d), q * d);
        yb[q] = Y[r];
      }
      // Loss = mean cross-entropy + L2·ΣW²: its gradient is Xᵀ(P − Y)/n + 2·L2·W, and (P − Y)/n summed for b.
      const g = await engine.gradient(xb, yb, n, W, b);
      adamW.step(W, g.gW, n, 2 * LOGREG.l2);
      adamB.step(b, g.gb, n);
    }
    const p = await engine.probabilities(inp.inputs, inp.evaluate, { mean, sd }, W, b);
    const labels = Int32Array.from(inp.evaluate, (i) => inp.labels[i]);
    const { pred, loss } = fromProbs(p, labels, k);
    return {
      name: 'logistic regression',
      kind: 'logistic-regression',
      note: `trained in-process on ${m.toLocaleString('en-US')} training records × ${d.toLocaleString('en-US')} standardised inputs (${engine.name}): Adam lr ${LOGREG.lr}, batch ${LOGREG.batch}, ${steps} steps, L2 ${LOGREG.l2}, seed ${inp.seed}`,
      pred,
      loss,
      trainedOn: m,
    };
  } finally {
    await engine.dispose();
  }
}

/** Per-column mean and sd (population; sd < 1e-6 → 1) of `rows`, summed in float64 in row order. */
export function standardisation(inputs: ModelInputs, rows: Int32Array): { mean: Float64Array; sd: Float64Array } {
  const d = inputs.rowSize;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  const codes = codeTable(inputs);
  if (codes) addCodeSums(codes, inputs.data as Uint8Array, d, rows, mean, sq);
  else {
    const scratch = new Float32Array(d);
    for (let r = 0; r < rows.length; r++) {
      const x = rowValues(inputs, rows[r], scratch);
      for (let j = 0; j < d; j++) {
        const v = x[j];
        mean[j] += v;
        sq[j] += v * v;
      }
    }
  }
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j] /= rows.length;
    const s = Math.sqrt(Math.max(sq[j] / rows.length - mean[j] * mean[j], 0));
    sd[j] = s < 1e-6 ? 1 : s;
  }
  return { mean, sd };
}

/**
 * uint8 inputs: sum[j] += v and sq[j] += v·v over `rows` in order, v read through the code table
 * (the values rowValues gives, without the row copy) and v·v from a table of the codes' squares
 * (the same float64 products). Unrolled by four: V8 runs it ~1.4× as fast as the plain loop, and
 * it reads 15.7 M codes at a million MNIST-sized records.
 */
function addCodeSums(codes: Float32Array, data: Uint8Array, d: number, rows: Int32Array, sum: Float64Array, sq: Float64Array): void {
  const squares = Float64Array.from(codes, (v) => v * v);
  const end4 = d & ~3;
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r] * d;
    let j = 0;
    for (; j < end4; j += 4) {
      const c0 = data[from + j];
      const c1 = data[from + j + 1];
      const c2 = data[from + j + 2];
      const c3 = data[from + j + 3];
      sum[j] += codes[c0];
      sq[j] += squares[c0];
      sum[j + 1] += codes[c1];
      sq[j + 1] += squares[c1];
      sum[j + 2] += codes[c2];
      sq[j + 2] += squares[c2];
      sum[j + 3] += codes[c3];
      sq[j + 3] += squares[c3];
    }
    for (; j < d; j++) {
      const c = data[from + j];
      sum[j] += codes[c];
      sq[j] += squares[c];
    }
  }
}

/** (x − mean) / sd of `rows`, computed in float64 and rounded to float32, rows.length × d. */
export function standardise(inputs: ModelInputs, rows: Int32Array, mean: Float64Array, sd: Float64Array): Float32Array {
  const d = inputs.rowSize;
  const out = new Float32Array(rows.length * d);
  const codes = codeTable(inputs);
  if (codes) {
    // uint8 inputs: each column's 256 possible results computed once, then looked up — the same
    // float32 values as dividing per element, which cost ~0.3 s for 20 000 MNIST-sized rows.
    const byCode = new Float32Array(d * 256);
    for (let j = 0; j < d; j++) for (let c = 0; c < 256; c++) byCode[j * 256 + c] = (codes[c] - mean[j]) / sd[j];
    lookUpRows(byCode, inputs.data as Uint8Array, d, rows, out);
    return out;
  }
  const scratch = new Float32Array(d);
  for (let r = 0; r < rows.length; r++) {
    const o = r * d;
    const x = rowValues(inputs, rows[r], scratch);
    for (let j = 0; j < d; j++) out[o + j] = (x[j] - mean[j]) / sd[j];
  }
  return out;
}

/** out[r·d + j] = byCode[j·256 + code], the codes of `rows`; unrolled by four like addCodeSums. */
function lookUpRows(byCode: Float32Array, data: Uint8Array, d: number, rows: Int32Array, out: Float32Array): void {
  const end4 = d & ~3;
  for (let r = 0, o = 0; r < rows.length; r++, o += d) {
    const from = rows[r] * d;
    let j = 0;
    for (; j < end4; j += 4) {
      out[o + j] = byCode[(j << 8) + data[from + j]];
      out[o + j + 1] = byCode[((j + 1) << 8) + data[from + j + 1]];
      out[o + j + 2] = byCode[((j + 2) << 8) + data[from + j + 2]];
      out[o + j + 3] = byCode[((j + 3) << 8) + data[from + j + 3]];
    }
    for (; j < d; j++) out[o + j] = byCode[(j << 8) + data[from + j]];
  }
}

/**
 * Adam (Kingma & Ba 2015) exactly as tf.train.adam applies it: β1 0.9, β2 0.999, and ε 1e-7 added
 * to the square root of the *bias-corrected* second moment, param −= lr · m̂ / (√v̂ + ε). (The
 * paper's folded step size puts ε elsewhere, which moves the many near-zero-gradient weights of
 * rarely-lit pixels.) Moments kept in float64, parameters in float32 (what the engine reads).
 * A step takes the summed gradient with its divisor and weight decay, g = sum / n + decay · param
 * (in float64), so the minibatch mean and the L2 term cost no pass of their own.
 */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(
    size: number,
    private readonly lr: number = LOGREG.lr,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(params: Float32Array, sum: ArrayLike<number>, n = 1, decay = 0): void {
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    const { m, v, lr } = this;
    for (let i = 0; i < params.length; i++) {
      const g = sum[i] / n + decay * params[i];
      const mi = 0.9 * m[i] + 0.1 * g;
      const vi = 0.999 * v[i] + 0.001 * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + 1e-7);
    }
  }
}
