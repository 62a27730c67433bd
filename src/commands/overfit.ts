/**
 * `losslens overfit <dir-or-config>`: the overfit-a-tiny-batch check for tfjs layers checkpoints.
 * Re-initialise the final checkpoint's architecture with a fixed seed (glorot-uniform kernels, zero
 * biases, BatchNorm gamma/variance 1), train it full-batch with Adam on 20 training records, and
 * report whether the loss gets near zero. A model that cannot memorise 20 records has a broken
 * label pipeline, loss or output layer — this shows it in seconds. Exit 1 when the check fails.
 */
import type * as TF from '@tensorflow/tfjs';
import { loadConfig } from '../config.ts';
import { discoverCheckpoints } from '../load/checkpoints.ts';
import { loadDataset } from '../load/dataset.ts';
import { fillBatch, firstNonFinite } from '../load/input-values.ts';
import { configuredInputs } from '../load/inputs.ts';
import { InputError } from '../messages.ts';
import { createProgress } from '../progress.ts';
import { loadTf } from '../score/backend.ts';
import { looksLikeProbabilities } from '../score/score.ts';
import { loadLayersModel } from '../score/tfjs-files.ts';
import { mulberry32, shuffle } from '../stats/rng.ts';
import type { Dataset, ModelInputs } from '../types.ts';
import { appendLine, exists, nextId } from './log.ts';
import { parseCommandArgs, quietOption } from './parse.ts';
import type { Command } from './types.ts';

export const OVERFIT = { records: 20, steps: 500, lr: 0.01, nearZero: 0.05 } as const;

const usage = 'losslens overfit <dir-or-config> [--records <n>] [--steps <n>] [--lr <x>] [--seed <n>] [--log] [--json] [--quiet]';

export interface OverfitResult {
  records: number;
  ids: string[];
  seed: number;
  steps: number;
  lr: number;
  initialLoss: number;
  finalLoss: number;
  accuracy: number;
  /** First step with loss below the threshold, or null. */
  reachedAt: number | null;
  passed: boolean;
  threshold: number;
  checkpoint: string;
}

export const overfitCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs(usage, args, {
      records: { type: 'string' },
      steps: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      log: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...quietOption,
    });
    if (positionals.length !== 1) throw new InputError('losslens overfit', 'exactly one <dir-or-config> argument', `${positionals.length} (usage: ${usage})`);
    const config = loadConfig(positionals[0]);
    const int = (v: string | undefined, flag: string, dflt: number) => {
      if (v === undefined) return dflt;
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new InputError(flag, 'a positive integer', `"${v}"`);
      return Number(v);
    };
    const lr = values.lr === undefined ? OVERFIT.lr : Number(values.lr);
    if (!(lr > 0)) throw new InputError('--lr', 'a positive number', `"${values.lr}"`);
    const progress = createProgress({ quiet: values.quiet });
    if (config.model.type !== 'tfjs-layers') throw new InputError(`${config.path}: model.type`, 'a tfjs-layers model (overfit re-initialises its architecture)', `"${config.model.type}"`);
    if (config.logs.experiments === null && values.log) throw new InputError(`${config.path}: logs.experiments`, 'an experiment log to append to (--log)', 'nothing (the key is missing)');
    const dataset = await loadDataset(config.dataset, (w) => progress.warn(w));
    if (!config.inputs) throw new InputError(`${config.path}: inputs`, 'model inputs ({ "file": "inputs.npy" }, { "preprocess": "./vectorize.mjs" } or { "images": true })', 'nothing (the key is missing)');
    const inputs = (await configuredInputs(config, dataset, (w) => progress.warn(w), progress))!;
    const checkpoints = await discoverCheckpoints(config.model.checkpoints, config.dir);
    const last = checkpoints[checkpoints.length - 1];
    progress.stage(`overfitting ${last.id}'s architecture on ${int(values.records, '--records', OVERFIT.records)} training records`);
    const result = await overfitCheck({
      dataset,
      inputs,
      modelJson: last.path,
      checkpoint: last.id,
      records: int(values.records, '--records', OVERFIT.records),
      steps: int(values.steps, '--steps', OVERFIT.steps),
      lr,
      seed: values.seed === undefined ? config.seed : int(values.seed, '--seed', 0),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${describe(result)}\n`);
    if (values.log) {
      const { loadLogs } = await import('../load/logs.ts');
      const file = config.logs.experiments!;
      const earlier = (await exists(file)) ? ((await loadLogs({ metrics: null, tensorboard: null, experiments: file })).experiments ?? []) : [];
      const row = {
        date: (process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : new Date()).toISOString().slice(0, 10),
        id: nextId(earlier.map((r) => r.id)).replace('audit-', 'overfit-'),
        change: `overfit check: ${result.checkpoint}'s architecture re-initialised (seed ${result.seed}), Adam lr ${result.lr}, ${result.steps} full-batch steps on ${result.records} training records`,
        metric: 'overfit_loss',
        value: result.finalLoss,
        note: describe(result),
        tags: ['overfit', result.passed ? 'pass' : 'fail'],
        seed: result.seed,
      };
      await appendLine(config.logs.experiments!, JSON.stringify(row));
      progress.stage(`appended ${row.id} to ${config.logs.experiments}`);
    }
    return result.passed ? 0 : 1;
  },
};

export function describe(r: OverfitResult): string {
  const verdict = r.passed
    ? `PASS: loss ${r.initialLoss.toFixed(3)} → ${r.finalLoss.toFixed(4)}, below ${r.threshold} at step ${r.reachedAt}`
    : `FAIL: loss ${r.initialLoss.toFixed(3)} → ${r.finalLoss.toFixed(4)} after ${r.steps} steps, never below ${r.threshold} — check the labels, the loss and the output layer`;
  return `overfit check (${r.records} training records, seed ${r.seed}, Adam lr ${r.lr}): ${verdict}; training accuracy ${(100 * r.accuracy).toFixed(0)} %.`;
}

export interface OverfitInput {
  dataset: Dataset;
  inputs: ModelInputs;
  modelJson: string;
  checkpoint: string;
  records: number;
  steps: number;
  lr: number;
  seed: number;
}

export async function overfitCheck(inp: OverfitInput): Promise<OverfitResult> {
  const { dataset, inputs } = inp;
  const { tf } = await loadTf();
  const trainIdx = dataset.splitNames.includes('train') ? 'train' : null;
  const candidates = Array.from(rowsOfAll(dataset, trainIdx)).filter((i) => firstNonFinite(inputs, i) < 0);
  if (candidates.length < inp.records) throw new InputError(`${dataset.file}`, `at least ${inp.records} labelled training records with finite inputs`, `${candidates.length}`);
  const rng = mulberry32(inp.seed);
  const picked = shuffle(candidates, rng).slice(0, inp.records).sort((a, b) => a - b);
  const k = dataset.classes.length;
  const x = new Float32Array(picked.length * inputs.rowSize);
  fillBatch(inputs, picked, x);
  const labels = Int32Array.from(picked, (i) => dataset.labels[i]);

  const model = await loadLayersModel(tf, inp.modelJson);
  try {
    reinitialise(tf, model, inp.seed);
    const shape = [picked.length, ...model.inputs[0].shape.slice(1).map((d) => d ?? 1)] as number[];
    const X = tf.tensor(x, shape);
    const Y = tf.oneHot(tf.tensor1d(labels, 'int32'), k);
    const first = tf.tidy(() => model.predict(X) as TF.Tensor);
    const probsOut = looksLikeProbabilities((await first.data()) as Float32Array, picked.length, k);
    first.dispose();
    const lossOf = (out: TF.Tensor): TF.Scalar =>
      probsOut ? (tf.neg(tf.mean(tf.sum(tf.mul(Y, tf.log(tf.clipByValue(out, 1e-12, 1))), -1))) as TF.Scalar) : (tf.losses.softmaxCrossEntropy(Y, out) as TF.Scalar);
    const opt = tf.train.adam(inp.lr);
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: TF.Variable }).val);
    let initialLoss = NaN;
    let finalLoss = NaN;
    let reachedAt: number | null = null;
    for (let step = 0; step < inp.steps; step++) {
      const l = tf.tidy(() => opt.minimize(() => lossOf(model.apply(X, { training: true }) as TF.Tensor), true, vars)!);
      const v = (await l.data())[0];
      l.dispose();
      if (step === 0) initialLoss = v;
      if (!Number.isFinite(v)) break;
      if (v < OVERFIT.nearZero && reachedAt === null) reachedAt = step + 1;
    }
    const out = tf.tidy(() => model.predict(X) as TF.Tensor);
    finalLoss = tf.tidy(() => lossOf(out).dataSync()[0]);
    const pred = tf.tidy(() => out.argMax(-1).dataSync());
    out.dispose();
    X.dispose();
    Y.dispose();
    opt.dispose();
    let hit = 0;
    labels.forEach((l, r) => (pred[r] === l ? hit++ : 0));
    return {
      records: picked.length,
      ids: picked.map((i) => dataset.ids[i]),
      seed: inp.seed,
      steps: inp.steps,
      lr: inp.lr,
      initialLoss,
      finalLoss,
      accuracy: hit / picked.length,
      reachedAt,
      passed: finalLoss < OVERFIT.nearZero,
      threshold: OVERFIT.nearZero,
      checkpoint: inp.checkpoint,
    };
  } finally {
    model.dispose();
  }
}

function rowsOfAll(dataset: Dataset, split: string | null): number[] {
  const s = split === null ? -1 : dataset.splitNames.indexOf(split);
  const out: number[] = [];
  for (let i = 0; i < dataset.n; i++) if (dataset.labels[i] >= 0 && (s < 0 || dataset.split[i] === s)) out.push(i);
  return out;
}

/**
 * Fresh weights from a seeded generator, so the check does not depend on the trained values or on
 * tfjs's own initialiser seeding: glorot-uniform for kernels (fan-in/out include the receptive
 * field), 0 for biases, BatchNorm beta and moving mean, 1 for gamma and moving variance.
 */
export function reinitialise(tf: typeof TF, model: TF.LayersModel, seed: number): void {
  const rng = mulberry32(seed);
  const fresh = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const name = w.name.toLowerCase();
    if (/gamma|moving_variance/.test(name)) return tf.ones(shape);
    if (shape.length < 2 || /bias|beta|moving_mean/.test(name)) return tf.zeros(shape);
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / (receptive * (shape[shape.length - 2] + shape[shape.length - 1])));
    const v = new Float32Array(size);
    for (let i = 0; i < size; i++) v[i] = (2 * rng() - 1) * limit;
    return tf.tensor(v, shape);
  });
  model.setWeights(fresh);
  for (const t of fresh) t.dispose();
}

