/**
 * Multinomial logistic regression on the model inputs, trained in-process with tfjs on the training
 * split: inputs standardised with the training mean/sd (sd < 1e-6 → 1, so constant pixels stay 0),
 * zero-initialised weights, Adam (lr 0.01), minibatches of 256 in a seeded order, 10 epochs (at
 * least 200 and at most 2 000 steps), loss = mean cross-entropy + L2 · Σ W² with L2 = 1e-4 (the bias is not
 * penalised). At most 20 000 training records (a seeded sample beyond that).
 */
import { codeTable, rowValues } from '../../load/input-values.ts';
import { loadTf } from '../../score/backend.ts';
import { mulberry32, randomInt, shuffle } from '../../stats/rng.ts';
import { fromProbs } from './evaluate.ts';
import type { ModelInputs } from '../../types.ts';
import type { PredictedBaseline } from './types.ts';

export const LOGREG = { lr: 0.01, batch: 256, epochs: 10, minSteps: 200, maxSteps: 2000, l2: 1e-4, maxTrain: 20_000, maxFeatures: 50_000 } as const;

/** Evaluation rows per matMul: bounds the standardised copy (8 192 × 784 floats = 26 MB). */
const EVAL_CHUNK = 8192;

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
  const { tf } = await loadTf();
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

  const W = tf.variable(tf.zeros([d, k]));
  const b = tf.variable(tf.zeros([k]));
  const opt = tf.train.adam(LOGREG.lr);
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
      tf.tidy(() => {
        const x = tf.tensor2d(xb.subarray(0, n * d), [n, d]);
        const y = tf.oneHot(tf.tensor1d(yb.subarray(0, n), 'int32'), k);
        opt.minimize(() => tf.losses.softmaxCrossEntropy(y, x.matMul(W).add(b)).add(W.square().sum().mul(LOGREG.l2)) as import('@tensorflow/tfjs').Scalar, false, [W, b]);
      });
    }
    // Evaluated a chunk at a time: a standardised copy of a million rows would be gigabytes. Rows
    // are independent in matMul and softmax, so the probabilities equal one big batch's.
    const ne = inp.evaluate.length;
    const p = new Float32Array(ne * k);
    const chunk = Math.max(1, Math.min(ne, EVAL_CHUNK));
    const xe = new Float32Array(chunk * d);
    for (let start = 0; start < ne; start += chunk) {
      const rows = inp.evaluate.subarray(start, Math.min(ne, start + chunk));
      standardise(rows, xe);
      const probs = tf.tidy(() => tf.softmax(tf.tensor2d(xe.subarray(0, rows.length * d), [rows.length, d]).matMul(W).add(b)));
      p.set((await probs.data()) as Float32Array, start * k);
      probs.dispose();
    }
    const labels = Int32Array.from(inp.evaluate, (i) => inp.labels[i]);
    const { pred, loss } = fromProbs(p, labels, k);
    return {
      name: 'logistic regression',
      kind: 'logistic-regression',
      note: `trained in-process on ${m.toLocaleString('en-US')} training records × ${d.toLocaleString('en-US')} standardised inputs: Adam lr ${LOGREG.lr}, batch ${LOGREG.batch}, ${steps} steps, L2 ${LOGREG.l2}, seed ${inp.seed}`,
      pred,
      loss,
      trainedOn: m,
    };
  } finally {
    W.dispose();
    b.dispose();
    opt.dispose();
  }
}
