/**
 * Seeded synthetic runs for the benchmark: the two model shapes (an MLP 784-256-128-10 and a small
 * CNN on 28×28×1), their checkpoints (seeded weights drifting a little per step, saved as tfjs
 * layers models), and datasets of any size (records.csv + uint8 inputs.npy, streamed to disk in
 * chunks so a million records never sit in memory as rows of JS values).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { saveLayersModel } from '../src/score/tfjs-files.ts';
import { mulberry32 } from '../src/stats/rng.ts';
import type { Gemm } from './native-reference.ts';

export type ModelKind = 'mlp' | 'cnn';
export const CLASSES = Array.from({ length: 10 }, (_, i) => String(i));
const ROW = 784;

export interface ModelSpec {
  kind: ModelKind;
  title: string;
  /** The matrix products of one sample (dense layers; convolutions as im2col GEMMs). */
  gemms: Gemm[];
  build(tf: typeof TF): TF.LayersModel;
}

export const MODELS: Record<ModelKind, ModelSpec> = {
  mlp: {
    kind: 'mlp',
    title: 'MLP 784-256-128-10',
    gemms: [
      { m: 1, k: 784, n: 256 },
      { m: 1, k: 256, n: 128 },
      { m: 1, k: 128, n: 10 },
    ],
    build: (tf) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [ROW], units: 256, activation: 'relu' }),
          tf.layers.dense({ units: 128, activation: 'relu' }),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
  },
  cnn: {
    kind: 'cnn',
    title: 'CNN conv8-pool-conv16-pool-dense10 on 28×28×1',
    gemms: [
      { m: 28 * 28, k: 3 * 3 * 1, n: 8, conv: { h: 28, w: 28, cin: 1, kh: 3, kw: 3 } },
      { m: 14 * 14, k: 3 * 3 * 8, n: 16, conv: { h: 14, w: 14, cin: 8, kh: 3, kw: 3 } },
      { m: 1, k: 7 * 7 * 16, n: 10 },
    ],
    build: (tf) =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, activation: 'softmax' }),
        ],
      }),
  },
};

/**
 * Write `count` checkpoints of a model under `dir/step-XXXX/model.json`: seeded weights (scaled
 * like Glorot), each step adding a little seeded drift, as a training run's checkpoints would.
 */
export async function writeCheckpoints(tf: typeof TF, spec: ModelSpec, dir: string, count: number, seed: number): Promise<string> {
  const model = spec.build(tf);
  const rand = mulberry32(seed);
  const base = model.getWeights().map((w) => {
    const fan = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) + w.shape[w.shape.length - 1] : w.shape[0];
    const scale = Math.sqrt(6 / fan);
    return { shape: w.shape, data: Float32Array.from({ length: w.size }, () => (rand() * 2 - 1) * scale) };
  });
  for (let c = 0; c < count; c++) {
    const weights = base.map((w) => ({ shape: w.shape, data: w.data.map((v) => v * (1 + 0.02 * c * (rand() - 0.5))) }));
    if (spec.kind === 'mlp') plantStripeDetector(weights, (c + 1) / count);
    model.setWeights(weights.map((w) => tf.tensor(w.data, w.shape)));
    await saveLayersModel(tf, model, join(dir, `step-${String(c * 100).padStart(4, '0')}`));
  }
  model.dispose();
  return join(dir, '*/model.json').split('\\').join('/');
}

/**
 * Make the MLP actually classify the synthetic records, so the analyses see realistic outputs
 * (mostly right, confident, a few label flips standing out) rather than a random model's noise:
 * hidden unit j of each layer carries "the stripe of class j is bright", with a strength growing
 * over the checkpoints like a training run. Weights: [W1, b1, W2, b2, W3, b3].
 */
function plantStripeDetector(w: { shape: number[]; data: Float32Array }[], strength: number): void {
  const [w1, b1, w2, , w3] = w;
  for (const m of [w1, w2, w3]) for (let i = 0; i < m.data.length; i++) m.data[i] *= 0.05;
  for (let j = 0; j < 10; j++) {
    // Stripe pixels are 1.0 on the record's class row and ~0.25 (noise) elsewhere.
    for (let x = 0; x < 28; x++) w1.data[(j * 2 * 28 + x) * 256 + j] = 0.1;
    b1.data[j] = -28 * 0.1 * 0.3;
    w2.data[j * 128 + j] = 1;
    w3.data[j * 10 + j] = 6 * strength;
  }
}

/** Fast seeded bytes (xorshift32, four bytes per step): the 784 MB of a million records take about a second. */
export function fillBytes(out: Uint8Array, state: { s: number }): void {
  let s = state.s >>> 0 || 1;
  const words = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >> 2);
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[i] = s >>> 0;
  }
  for (let i = words.length << 2; i < out.length; i++) out[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  state.s = s;
}

/**
 * A dataset of `n` records in `dir`: records.csv (id, label, split, group) and inputs.npy (uint8,
 * [n, 784]); each record's pixels are seeded noise with a bright stripe on its class's row, 3 % of
 * the recorded labels are flipped. Both files are streamed in chunks.
 */
export async function writeDataset(dir: string, n: number, seed: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const rand = mulberry32(seed);
  const labels = new Uint8Array(n);
  const csv = createWriteStream(join(dir, 'records.csv'));
  const splits = ['train', 'train', 'train', 'val', 'test'];
  const groups = ['north', 'south', 'east', 'west'];
  let chunk = 'id,label,split,group\n';
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(rand() * 10);
    // 3 % label flips: the stripe (the truth) stays at labels[i], the recorded label is another class.
    const recorded = rand() < 0.03 ? (labels[i] + 1 + Math.floor(rand() * 9)) % 10 : labels[i];
    chunk += `r${i},${recorded},${splits[Math.floor(rand() * 5)]},${groups[Math.floor(rand() * 4)]}\n`;
    if (chunk.length > 1 << 20) {
      if (!csv.write(chunk)) await new Promise<void>((r) => csv.once('drain', () => r()));
      chunk = '';
    }
  }
  csv.end(chunk);
  await new Promise<void>((r) => csv.once('close', () => r()));

  const npy = createWriteStream(join(dir, 'inputs.npy'));
  npy.write(npyHeader([n, ROW]));
  const state = { s: seed * 2654435761 };
  const rowsPerChunk = 4096;
  const buf = new Uint8Array(rowsPerChunk * ROW);
  for (let start = 0; start < n; start += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, n - start);
    fillBytes(buf, state);
    for (let r = 0; r < rows; r++) {
      // Halve the noise and brighten row `label` of the 28×28 image.
      const o = r * ROW;
      for (let j = 0; j < ROW; j++) buf[o + j] >>= 1;
      const stripe = o + labels[start + r] * 2 * 28;
      for (let j = 0; j < 28; j++) buf[stripe + j] = 255;
    }
    if (!npy.write(Buffer.from(buf.subarray(0, rows * ROW)))) await new Promise<void>((r) => npy.once('drain', () => r()));
  }
  npy.end();
  await new Promise<void>((r) => npy.once('close', () => r()));
}

/** Write a losslens config for one model over the dataset in `dir` (score cache off: the benchmark must score). */
export async function writeConfig(dir: string, file: string, name: string, checkpoints: string, kind: ModelKind): Promise<string> {
  return writeRunConfig(dir, file, {
    name,
    description: `Synthetic benchmark run: ${MODELS[kind].title}.`,
    inputs: { file: 'inputs.npy', scale: 1 / 255 },
    display: { type: 'image', width: 28, height: 28 },
    model: { type: 'tfjs-layers', checkpoints, batchSize: 1024 },
  });
}

/**
 * The tfjs checkpoints matched by `pattern` (writeCheckpoints) as ONNX files `dir/<step>.onnx` — what
 * torch.onnx.export writes per epoch — converted in-process (tfjs-to-onnx.ts); their float input
 * takes the records' values, so the pipeline feeds them float batches. Returns the glob.
 */
export async function writeOnnxCheckpoints(tf: typeof TF, pattern: string, dir: string): Promise<string> {
  const { discoverCheckpoints } = await import('../src/load/checkpoints.ts');
  const { loadLayersModel } = await import('../src/score/tfjs-files.ts');
  const { convertLayersModel } = await import('../src/score/tfjs-to-onnx.ts');
  const { encodeModel } = await import('../src/score/onnx-encode.ts');
  await mkdir(dir, { recursive: true });
  for (const c of await discoverCheckpoints(pattern, '/')) {
    const model = await loadLayersModel(tf, c.path);
    const conv = convertLayersModel(model);
    model.dispose();
    if (!conv.ok) throw new Error(`${c.path}: not convertible to ONNX (${conv.reason})`);
    await writeFile(join(dir, `${c.id}.onnx`), encodeModel(conv.graph));
  }
  return join(dir, '*.onnx').split('\\').join('/');
}

/** A config over the dataset in `dir` whose checkpoints are ONNX files (model.type "onnx"). */
export async function writeOnnxConfig(dir: string, file: string, name: string, checkpoints: string): Promise<string> {
  return writeRunConfig(dir, file, {
    name,
    description: 'Synthetic benchmark run: the MLP as ONNX files.',
    inputs: { file: 'inputs.npy', scale: 1 / 255 },
    display: { type: 'image', width: 28, height: 28 },
    model: { type: 'onnx', checkpoints, batchSize: 1024 },
  });
}

/** `run`'s keys plus what every benchmark config shares (the dataset in `dir`, the split evaluated, no score cache, seed 1), written as `dir/file`. */
async function writeRunConfig(dir: string, file: string, run: Record<string, unknown>): Promise<string> {
  const { name, description, ...rest } = run;
  const config = { name, description, dataset: { file: 'records.csv', split: 'split', classes: CLASSES, groupBy: ['group'] }, ...rest, evaluate: { split: 'val' }, cache: { enabled: false }, seed: 1 };
  const path = join(dir, file);
  await writeFile(path, JSON.stringify(config, null, 2) + '\n');
  return path;
}

function npyHeader(shape: number[], descr = '|u1'): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  return out;
}

export type PredictionLayout = 'columns' | 'list';

/**
 * Precomputed predictions as a distributed engine writes them: for each of `checkpoints` epochs a
 * folder `predictions-<layout>/epoch=<c>` of `parts` Parquet part files, records spread over the
 * parts by id (as hash partitioning does, so no part is in dataset order), each row an id and seeded
 * logits — ten DOUBLE columns `logit_0` … `logit_9`, or one list column `logits` (Spark's
 * array<double>). Written with the tests' Parquet writer (no Parquet writer is a dependency).
 * Returns the config's checkpoints pattern and the bytes written.
 */
export async function writePredictionParts(dir: string, n: number, checkpoints: number, parts: number, layout: PredictionLayout, seed: number): Promise<{ pattern: string; bytes: number }> {
  const { writeParquet } = await import('../test/helpers/parquet-writer.ts');
  const rand = mulberry32(seed);
  const root = `predictions-${layout}`;
  let bytes = 0;
  for (let c = 1; c <= checkpoints; c++) {
    const folder = join(dir, root, `epoch=${c}`);
    await mkdir(folder, { recursive: true });
    for (let p = 0; p < parts; p++) {
      const ids: string[] = [];
      const logits: number[][] = [];
      for (let i = p; i < n; i += parts) {
        ids.push(`r${i}`);
        logits.push(Array.from({ length: CLASSES.length }, () => rand() * 8 - 4));
      }
      const columns: Record<string, string[] | number[] | number[][]> = { id: ids };
      if (layout === 'list') columns.logits = logits;
      else CLASSES.forEach((_, j) => (columns[`logit_${j}`] = logits.map((l) => l[j])));
      const file = writeParquet(columns, 65536);
      await writeFile(join(folder, `part-${String(p).padStart(5, '0')}.parquet`), file);
      bytes += file.length;
    }
  }
  return { pattern: `${root}/*/part-*.parquet`, bytes };
}

/** A config auditing precomputed logits (`checkpoints`: a pattern of part files) over the dataset in `dir`, without model inputs. */
export async function writePrecomputedConfig(dir: string, file: string, name: string, checkpoints: string): Promise<string> {
  return writeRunConfig(dir, file, {
    name,
    description: 'Synthetic benchmark run: precomputed logits in Parquet part files.',
    model: { type: 'precomputed', checkpoints, output: 'logits', predictions: { id: 'id' } },
  });
}

/**
 * A run with many classes (ImageNet's thousand): records.csv (id, label c0 … c<k−1>, split: a fifth
 * val, the rest train) and, per checkpoint c = 1 … `checkpoints`, `preds/epoch-<c>/logits.npy`
 * (float32 [n, k], the file name every epoch shares, as a training script writes it): seeded noise
 * in [0, 2), the given class raised by U(0.5, 0.5 + c) and its neighbour class by U(0, 1.5), so
 * accuracy grows across checkpoints and the confusions fall on neighbouring classes. Returns the
 * config (precomputed logits by position, no inputs).
 */
export async function writeManyClassesRun(dir: string, n: number, k: number, checkpoints: number, seed: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const rand = mulberry32(seed);
  const labels = Int32Array.from({ length: n }, () => Math.floor(rand() * k));
  await writeFile(join(dir, 'records.csv'), `id,label,split\n${Array.from(labels, (l, i) => `r${i},c${l},${i % 5 === 0 ? 'val' : 'train'}`).join('\n')}\n`);
  for (let c = 1; c <= checkpoints; c++) {
    const x = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      for (let j = 0; j < k; j++) x[o + j] = rand() * 2;
      x[o + labels[i]] += 0.5 + c * rand();
      x[o + ((labels[i] + 1) % k)] += 1.5 * rand();
    }
    await mkdir(join(dir, 'preds', `epoch-${c}`), { recursive: true });
    await writeFile(join(dir, 'preds', `epoch-${c}`, 'logits.npy'), Buffer.concat([npyHeader([n, k], '<f4'), Buffer.from(x.buffer)]));
  }
  const path = join(dir, 'many-classes.config.json');
  const config = {
    name: `bench-many-classes-${n}x${k}`,
    description: `Synthetic benchmark run: ${k} classes, precomputed logits.`,
    dataset: { file: 'records.csv', split: 'split', classes: Array.from({ length: k }, (_, j) => `c${j}`) },
    model: { type: 'precomputed', checkpoints: 'preds/*/logits.npy', output: 'logits', byPosition: true },
    evaluate: { split: 'val' },
    cache: { enabled: false },
    seed: 1,
  };
  await writeFile(path, JSON.stringify(config, null, 2) + '\n');
  return path;
}
