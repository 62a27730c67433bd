/**
 * Multinomial logistic regression on the model inputs, trained in-process with tfjs on the training
 * split: inputs standardised with the training mean/sd (sd < 1e-6 → 1, so constant pixels stay 0),
 * zero-initialised weights, Adam (lr 0.01), minibatches of 256 in a seeded order, 10 epochs (at
 * least 200 and at most 2 000 steps), loss = mean cross-entropy + L2 · Σ W² with L2 = 1e-4 (the bias is not
 * penalised). At most 20 000 training records (a seeded sample beyond that).
 */
import { loadTf } from '../../score/backend.ts';
import { mulberry32, shuffle } from '../../stats/rng.ts';
import { fromProbs } from './evaluate.ts';
import type { PredictedBaseline } from './types.ts';

export const LOGREG = { lr: 0.01, batch: 256, epochs: 10, minSteps: 200, maxSteps: 2000, l2: 1e-4, maxTrain: 20_000, maxFeatures: 50_000 } as const;

export interface LogRegInput {
  /** Flattened input rows of the whole dataset. */
  data: Float32Array;
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
  let trainRows = Array.from(inp.train);
  if (trainRows.length > LOGREG.maxTrain) trainRows = shuffle(trainRows, rng).slice(0, LOGREG.maxTrain).sort((a, b) => a - b);
  const m = trainRows.length;

  // Standardisation statistics from the training rows only.
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const i of trainRows) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = inp.data[o + j];
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
  const standardise = (rows: readonly number[] | Int32Array) => {
    const out = new Float32Array(rows.length * d);
    rows.forEach((i, r) => {
      const o = i * d;
      for (let j = 0; j < d; j++) out[r * d + j] = (inp.data[o + j] - mean[j]) / sd[j];
    });
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
    const Xe = standardise(inp.evaluate);
    const probs = tf.tidy(() => tf.softmax(tf.tensor2d(Xe, [inp.evaluate.length, d]).matMul(W).add(b)));
    const p = (await probs.data()) as Float32Array;
    probs.dispose();
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
