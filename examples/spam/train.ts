/**
 * The spam training run: logistic regression on the 1 024 hashed bag-of-words buckets of
 * vectorize.mjs, trained on the `train` split with a seeded hand-written loop on the pinned
 * WebAssembly backend, so every output is byte-identical on re-runs. One short experiment (1 epoch)
 * runs first and is logged with its real val accuracy.
 *
 *   tsx examples/spam/train.ts    # rebuilds emails.jsonl when missing; writes checkpoints/, metrics.jsonl, experiments.jsonl
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadTf } from '../../src/score/backend.ts';
import { saveLayersModel } from '../../src/score/tfjs-files.ts';
import { train, type Split, type TrainSpec } from '../shared/train-softmax.ts';
import { DIR, SEED, prepare, type Email } from './prepare.ts';

const CLASSES = ['ham', 'spam'];
const log = (m: string) => process.stderr.write(m + '\n');
const atomic = async (path: string, data: string) => {
  await writeFile(`${path}.tmp-${process.pid}`, data);
  await rename(`${path}.tmp-${process.pid}`, path);
};

type Spec = TrainSpec & { date: string; change: string; tags: string[] };
const EXPERIMENTS: Spec[] = [
  { date: '2026-11-24', change: 'baseline: logistic regression on hashed bag of words, Adam lr 1e-3, 1 epoch', tags: ['baseline', 'linear'], name: 'logreg_short', d: 1024, k: 2, hidden: null, epochs: 1, lr: 1e-3, batch: 64, seed: SEED + 10 },
];
const FINAL: Spec = { date: '2026-11-25', change: 'final: logistic regression on hashed bag of words, Adam lr 3e-3, 4 epochs; checkpoints every epoch', tags: ['linear', 'final'], name: 'logreg', d: 1024, k: 2, hidden: null, epochs: 4, lr: 3e-3, batch: 64, seed: SEED + 20 };

async function main() {
  if (!existsSync(join(DIR, 'emails.jsonl'))) log(await prepare());
  const emails = (await readFile(join(DIR, 'emails.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Email);
  const { default: vectorize } = (await import(pathToFileURL(join(DIR, 'vectorize.mjs')).href)) as { default: (r: Email) => number[] };
  const x = emails.map((e) => vectorize(e));
  const pick = (split: string): Split => {
    const idx = emails.map((_, i) => i).filter((i) => emails[i].split === split);
    return { x: Float32Array.from(idx.flatMap((i) => x[i])), y: Int32Array.from(idx, (i) => CLASSES.indexOf(emails[i].label)), n: idx.length };
  };
  const data = { train: pick('train'), val: pick('val') };
  const { tf } = await loadTf('tfjs-wasm');

  const experiments: string[] = [];
  const line = (s: Spec, r: { final: { loss: number; accuracy: number }; steps: number }, note = '') =>
    JSON.stringify({ date: s.date, id: `exp-0${experiments.length + 1}`, change: s.change, metric: 'val_accuracy', value: Number(r.final.accuracy.toFixed(4)), note: `${r.steps} steps of batch ${s.batch}; val loss ${r.final.loss.toFixed(4)}${note}`, tags: s.tags });
  let first = 0;
  for (const spec of EXPERIMENTS) {
    const r = await train(tf, spec, data);
    first = r.final.accuracy;
    experiments.push(line(spec, r));
    log(`  ${spec.name}: val accuracy ${r.final.accuracy.toFixed(4)}`);
  }
  const checkpoints = join(DIR, 'checkpoints');
  await rm(checkpoints, { recursive: true, force: true });
  const r = await train(tf, FINAL, data, (epoch, model) => saveLayersModel(tf, model, join(checkpoints, `epoch-${String(epoch).padStart(2, '0')}`)));
  const delta = (r.final.accuracy - first) * 100;
  experiments.push(line(FINAL, r, `; ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} pts val accuracy vs exp-01`));
  log(`  ${FINAL.name}: val accuracy ${r.final.accuracy.toFixed(4)} after ${r.steps} steps`);
  await atomic(join(DIR, 'metrics.jsonl'), r.metrics.map((m) => JSON.stringify(m) + '\n').join(''));
  await atomic(join(DIR, 'experiments.jsonl'), experiments.map((e) => e + '\n').join(''));
}

await main();
