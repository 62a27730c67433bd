/**
 * Multinomial logistic regression on the model inputs, trained in-process on the training split
 * (the matrix products on onnxruntime, else tfjs: logreg-engine.ts): inputs standardised with the
 * training mean/sd (sd < 1e-6 → 1, so constant pixels stay 0), zero-initialised weights, Adam
 * (lr 0.01), minibatches of 256 in a seeded order, 10 epochs (at least 200 and at most 2 000
 * steps), loss = mean cross-entropy + L2 · Σ W² with L2 = 1e-4 (the bias is not penalised). At
 * most 20 000 training records (a seeded sample beyond that).
 */
import { codeTable, rowValues } from '../../load/input-values.ts';
import { mulberry32, randomInt, shuffle } from '../../stats/rng.ts';
import { fromProbs } from './evaluate.ts';
import { createLogRegEngine } from './logreg-engine.ts';
import type { ModelInputs } from '../../types.ts';
import type { PredictedBaseline } from './types.ts';

export const LOGREG = { lr: 0.01, batch: 256, epochs: 10, minSteps: 200, maxSteps: 2000, l2: 1e-4, maxTrain: 20_000, maxFeatures: 50_000 } as const;

/**
 * At most `max` of `rows`, in dataset order: all of them when there are few enough, else a seeded
 * simple random sample (the first `max` of a Fisher–Yates shuffle, as stats/rng's shuffle, on a
 * typed copy instead of a JS array of every training row).
 */
export function sampleRows(rows: Int32Array, max: number, rng: () => number): Int32Array {
  if (rows.length <= max) return rows;
  const out = Int32Array.from(rows);
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out.slice(0, max).sort();
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

export async function logisticRegression(inp: LogRegInput): Promise<PredictedBaseline & { trainedOn: number }> {
  const { rowSize: d, k } = inp;
  const rng = mulberry32(inp.seed);
  const scratch = new Float32Array(d);
  const trainRows = sampleRows(inp.train, LOGREG.maxTrain, rng);
  const m = trainRows.length;

  // Standardisation statistics from the training rows only.
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const i of trainRows) {
    const x = rowValues(inp.inputs, i, scratch);
    for (let j = 0; j < d; j++) {
      const v = x[j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const sd = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j] /= m;
    const s = Math.sqrt(Math.max(sq[j] / m - mean[j] * mean[j], 0));
    sd[j] = s < 1e-6 ? 1 : s;
  }
  // uint8 inputs: the standardised value of each of the 256 codes per column, computed once
  // (the same float64 expression, rounded to float32 on store), then looked up per value.
  const codes = codeTable(inp.inputs);
  const lookup = codes ? new Float32Array(256 * d) : null;
  if (codes && lookup) for (let j = 0; j < d; j++) for (let v = 0; v < 256; v++) lookup[j * 256 + v] = (codes[v] - mean[j]) / sd[j];
  const standardise = (rows: Int32Array, out = new Float32Array(rows.length * d)) => {
    if (lookup) {
      const data = inp.inputs.data;
      for (let r = 0; r < rows.length; r++) {
        const from = rows[r] * d;
        const o = r * d;
        for (let j = 0; j < d; j++) out[o + j] = lookup[j * 256 + data[from + j]];
      }
      return out;
    }
    for (let r = 0; r < rows.length; r++) {
      const x = rowValues(inp.inputs, rows[r], scratch);
      const o = r * d;
      for (let j = 0; j < d; j++) out[o + j] = (x[j] - mean[j]) / sd[j];
    }
    return out;
  };
  const X = standardise(trainRows);
  const Y = Int32Array.from(trainRows, (i) => inp.labels[i]);

  const engine = await createLogRegEngine(d, k);
  const W = new Float32Array(d * k);
  const b = new Float32Array(k);
  const adamW = new Adam(d * k);
  const adamB = new Adam(k);
  const gW = new Float64Array(d * k);
  const gb = new Float64Array(k);
  const steps = Math.min(LOGREG.maxSteps, Math.max(LOGREG.minSteps, LOGREG.epochs * Math.ceil(m / LOGREG.batch)));
  let order: number[] = [];
  const xb = new Float32Array(LOGREG.batch * d);
  const yb = new Int32Array(LOGREG.batch);
  try {
    for (let step = 0, pos = m; step < steps; step++, pos += LOGREG.batch) {
      if (pos >= m) {
        order = shuffle(Array.from({ length: m }, (_, i) => i), rng);
        pos = 0;
      }
      const rows = order.slice(pos, pos + LOGREG.batch);
      rows.forEach((r, q) => {
        xb.set(X.subarray(r * d, (r + 1) * d), q * d);
        yb[q] = Y[r];
      });
      const n = rows.length;
      // Loss = mean cross-entropy + L2·ΣW²: its gradient is Xᵀ(P − Y)/n + 2·L2·W, and (P − Y)/n summed for b.
      const g = await engine.gradient(xb, yb, n, W, b);
      for (let i = 0; i < gW.length; i++) gW[i] = g.gW[i] / n + 2 * LOGREG.l2 * W[i];
      for (let c = 0; c < k; c++) gb[c] = g.gb[c] / n;
      adamW.step(W, gW);
      adamB.step(b, gb);
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

/**
 * Adam (Kingma & Ba 2015) exactly as tf.train.adam applies it: β1 0.9, β2 0.999, and ε 1e-7 added
 * to the square root of the *bias-corrected* second moment, param −= lr · m̂ / (√v̂ + ε). (The
 * paper's folded step size puts ε elsewhere, which moves the many near-zero-gradient weights of
 * rarely-lit pixels.) Moments kept in float64, parameters in float32 (what the engine reads).
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

  step(params: Float32Array, grad: Float64Array): void {
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i];
      this.m[i] = 0.9 * this.m[i] + 0.1 * g;
      this.v[i] = 0.999 * this.v[i] + 0.001 * g * g;
      params[i] -= (this.lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + 1e-7);
    }
  }
}
