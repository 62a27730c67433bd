/**
 * A small seeded softmax classifier (logistic regression, or one ReLU hidden layer) trained with a
 * hand-written loop — model.fit shuffles without a seed — shared by the spam and penguins examples.
 * Run it on the pinned WebAssembly backend (`loadTf('tfjs-wasm')`) for byte-identical outputs.
 */
import type * as TF from '@tensorflow/tfjs';
import { mulberry32, shuffle } from '../../src/stats/rng.ts';

export interface Split {
  x: Float32Array; // [n, d]
  y: Int32Array;
  n: number;
}

export interface TrainSpec {
  name: string;
  d: number;
  k: number;
  hidden: number | null;
  epochs: number;
  lr: number;
  batch: number;
  seed: number;
  l2?: number;
}

export type Row = Record<string, string | number>;
const r6 = (x: number) => Number(x.toPrecision(6));

export function buildModel(tf: typeof TF, spec: TrainSpec): TF.Sequential {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: spec.seed + k });
  const model = tf.sequential({ name: spec.name });
  if (spec.hidden) {
    model.add(tf.layers.dense({ name: 'dense_1', inputShape: [spec.d], units: spec.hidden, activation: 'relu', kernelInitializer: init(0), biasInitializer: 'zeros' }));
    model.add(tf.layers.dense({ name: 'dense_2', units: spec.k, activation: 'softmax', kernelInitializer: init(1), biasInitializer: 'zeros' }));
  } else {
    model.add(tf.layers.dense({ name: 'dense_1', inputShape: [spec.d], units: spec.k, activation: 'softmax', kernelInitializer: init(0), biasInitializer: 'zeros' }));
  }
  return model;
}

export function evaluate(tf: typeof TF, model: TF.LayersModel, s: Split, k: number): { loss: number; accuracy: number; probs: Float32Array } {
  const probs = tf.tidy(() => (model.predict(tf.tensor2d(s.x, [s.n, s.x.length / s.n])) as TF.Tensor).dataSync() as Float32Array);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < s.n; i++) {
    const row = probs.subarray(i * k, (i + 1) * k);
    loss -= Math.log(Math.min(Math.max(row[s.y[i]], 1e-7), 1 - 1e-7));
    let best = 0;
    for (let j = 1; j < k; j++) if (row[j] > row[best]) best = j;
    if (best === s.y[i]) correct++;
  }
  return { loss: loss / s.n, accuracy: correct / s.n, probs };
}

/**
 * Train on `train`, evaluating `val` at every epoch boundary (epoch 0 = untrained) and calling
 * `onEpoch` there (to save a checkpoint or write predictions). Returns the metrics log rows.
 */
export async function train(
  tf: typeof TF,
  spec: TrainSpec,
  data: { train: Split; val: Split },
  onEpoch: (epoch: number, model: TF.LayersModel) => Promise<void> = async () => {},
  logEvery = 10,
): Promise<{ metrics: Row[]; final: { loss: number; accuracy: number }; steps: number }> {
  const model = buildModel(tf, spec);
  const optimizer = tf.train.adam(spec.lr);
  const vars = model.trainableWeights.map((w) => w.read() as TF.Variable);
  const { train: tr, val } = data;
  const rng = mulberry32(spec.seed + 100);
  const metrics: Row[] = [];
  let step = 0;
  const boundary = async (epoch: number) => {
    const v = evaluate(tf, model, val, spec.k);
    metrics.push({ step, epoch, split: 'val', loss: r6(v.loss), accuracy: r6(v.accuracy) });
    await onEpoch(epoch, model);
    return v;
  };
  let last = await boundary(0);
  const xb = new Float32Array(spec.batch * spec.d);
  const yb = new Int32Array(spec.batch);
  for (let epoch = 1; epoch <= spec.epochs; epoch++) {
    const order = shuffle(Array.from({ length: tr.n }, (_, i) => i), rng);
    for (let b = 0; b < order.length; b += spec.batch) {
      const idx = order.slice(b, b + spec.batch);
      idx.forEach((r, j) => {
        xb.set(tr.x.subarray(r * spec.d, (r + 1) * spec.d), j * spec.d);
        yb[j] = tr.y[r];
      });
      const loss = tf.tidy(() => {
        const x = tf.tensor2d(xb.subarray(0, idx.length * spec.d), [idx.length, spec.d]);
        const y = tf.oneHot(tf.tensor1d(yb.subarray(0, idx.length), 'int32'), spec.k);
        const { value, grads } = tf.variableGrads(() => {
          const p = tf.clipByValue(model.apply(x, { training: true }) as TF.Tensor, 1e-7, 1 - 1e-7);
          const ce = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), 1))) as TF.Scalar;
          return spec.l2 ? (tf.add(ce, tf.mul(spec.l2, tf.addN(vars.map((v) => tf.sum(tf.square(v)))))) as TF.Scalar) : ce;
        }, vars);
        optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        return value;
      });
      step++;
      if (step % logEvery === 0) metrics.push({ step, epoch, split: 'train', loss: r6(loss.dataSync()[0]), lr: spec.lr });
      loss.dispose();
    }
    last = await boundary(epoch);
  }
  model.dispose();
  optimizer.dispose();
  return { metrics, final: { loss: last.loss, accuracy: last.accuracy }, steps: step };
}
