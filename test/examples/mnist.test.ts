/**
 * Checks the committed artefacts of examples/mnist: the dataset files, the ground-truth defects,
 * the checkpoints, the logs, and that prepare.ts rebuilds exactly what is committed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, DIR, PIXELS, SEED, type Dataset } from '../../examples/mnist/prepare.ts';
import { loadTf } from '../../src/score/backend.ts';
import { loadLayersModel } from '../../src/score/tfjs-files.ts';

const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
const csv = (f: string) => {
  const [header, ...rows] = read(f).trimEnd().split('\n');
  return { header: header!.split(','), rows: rows.map((r) => r.split(',')) };
};
const jsonl = (f: string) => read(f).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const EPOCHS = ['00', '01', '02', '03', '04', '05'];

let built: Dataset;
beforeAll(() => {
  built = buildDataset();
}, 60_000);

describe('examples/mnist records.csv', () => {
  const { header, rows } = csv('records.csv');

  it('has 10 000 rows with the documented columns', () => {
    expect(header).toEqual(['id', 'label', 'split', 'source']);
    expect(rows).toHaveLength(10_000);
    expect(new Set(rows.map((r) => r[0])).size).toBe(10_000);
    expect(rows[0]![0]).toBe('mnist-00000');
    expect(rows[9999]![0]).toBe('mnist-09999');
    for (const r of rows) {
      expect(r).toHaveLength(4);
      expect(r[1]).toMatch(/^[0-9]$/);
    }
  });

  it('splits 80/20 into train/val and has four sources of unequal size', () => {
    const count = (col: number) => rows.reduce<Record<string, number>>((m, r) => ((m[r[col]!] = (m[r[col]!] ?? 0) + 1), m), {});
    expect(count(2)).toEqual({ train: 8000, val: 2000 });
    expect(count(3)).toEqual({ 'scanner-a': 4000, 'scanner-b': 3000, 'scanner-c': 2000, tablet: 1000 });
    // every class is present in both splits
    for (const split of ['train', 'val']) {
      expect(new Set(rows.filter((r) => r[2] === split).map((r) => r[1])).size).toBe(10);
    }
  });
});

describe('examples/mnist defects.csv', () => {
  const records = new Map(csv('records.csv').rows.map((r) => [r[0]!, r]));
  const { header, rows } = csv('defects.csv');

  it('lists ground-truth defects of known records, at most one per record', () => {
    expect(header).toEqual(['id', 'kind', 'split', 'source', 'original_label', 'given_label']);
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
    for (const [id, kind, split, source, , given] of rows) {
      const rec = records.get(id!);
      expect(rec, id).toBeDefined();
      expect(['label-flip', 'blank', 'noise', 'inverted', 'shifted']).toContain(kind);
      expect([rec![2], rec![3], rec![1]]).toEqual([split, source, given]);
    }
  });

  it('flipped labels differ from the originals; corrupted images keep their label', () => {
    const flips = rows.filter((r) => r[1] === 'label-flip');
    expect(flips.length).toBeGreaterThanOrEqual(250);
    for (const r of flips) expect(r[5]).not.toBe(r[4]);
    for (const r of rows.filter((r) => r[1] !== 'label-flip')) expect(r[5]).toBe(r[4]);
  });

  it('concentrates defects unevenly and puts some in both splits', () => {
    const n = (kind: (k: string) => boolean, source: string) => rows.filter((r) => kind(r[1]!) && r[3] === source).length;
    const flip = (k: string) => k === 'label-flip';
    const corrupt = (k: string) => k !== 'label-flip';
    expect(n(flip, 'scanner-c')).toBeGreaterThanOrEqual(rows.filter((r) => flip(r[1]!)).length / 2 - 1);
    expect(n(corrupt, 'tablet')).toBeGreaterThan(rows.filter((r) => corrupt(r[1]!)).length / 2);
    for (const split of ['train', 'val']) {
      for (const kind of ['label-flip', 'blank', 'noise', 'inverted', 'shifted']) {
        expect(rows.some((r) => r[1] === kind && r[2] === split), `${kind} in ${split}`).toBe(true);
      }
    }
  });
});

describe('examples/mnist prepare.ts', () => {
  it('rebuilds the committed records.csv and defects.csv byte for byte', () => {
    expect(sha256(built.recordsCsv)).toBe(sha256(read('records.csv')));
    expect(sha256(built.defectsCsv)).toBe(sha256(read('defects.csv')));
  });

  it('is deterministic, including the pixels', () => {
    const again = buildDataset();
    expect(sha256(again.inputsNpy)).toBe(sha256(built.inputsNpy));
    expect(again.recordsCsv).toBe(built.recordsCsv);
    expect(built.pixels).toHaveLength(10_000 * PIXELS);
    if (existsSync(join(DIR, 'inputs.npy'))) expect(sha256(readFileSync(join(DIR, 'inputs.npy')))).toBe(sha256(built.inputsNpy));
  }, 60_000);

  it('applies the corruptions to the pixels', () => {
    const image = (id: string) => built.pixels.subarray(Number(id.slice(6)) * PIXELS, (Number(id.slice(6)) + 1) * PIXELS);
    for (const d of built.defects) {
      const img = image(d.id);
      if (d.kind === 'blank') expect(img.every((v) => v === 0)).toBe(true);
      if (d.kind === 'noise') expect(img.filter((v) => v > 0).length).toBeGreaterThan(PIXELS * 0.9);
      if (d.kind === 'inverted') expect(img.filter((v) => v > 127).length).toBeGreaterThan(PIXELS / 2);
    }
  });
});

describe('examples/mnist training artefacts', () => {
  const metrics = jsonl('metrics.jsonl');
  const val = metrics.filter((m) => m.split === 'val');
  const train = metrics.filter((m) => m.split === 'train');

  it('has a metrics log whose first val loss is ≈ ln 10 and one val row per epoch', () => {
    expect(val[0]).toMatchObject({ step: 0, epoch: 0 });
    expect(Math.abs((val[0]!.loss as number) - Math.log(10))).toBeLessThan(0.3);
    expect(val.map((m) => m.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(val.at(-1)!.loss as number).toBeLessThan(val[0]!.loss as number);
    expect(val.at(-1)!.accuracy as number).toBeGreaterThan(0.85);
  });

  it('logs train rows every 10 steps with lr and gradient norms (global = √Σ per-layer²)', () => {
    expect(train.map((m) => m.step)).toEqual(Array.from({ length: train.length }, (_, i) => (i + 1) * 10));
    for (const m of train) {
      for (const key of ['loss', 'lr', 'grad_norm', 'grad_norm/dense_1', 'grad_norm/dense_2']) expect(typeof m[key], key).toBe('number');
      const layers = Math.hypot(m['grad_norm/dense_1'] as number, m['grad_norm/dense_2'] as number);
      expect(Math.abs(layers - (m.grad_norm as number))).toBeLessThan(1e-4 * (m.grad_norm as number) + 1e-6);
    }
    const lr = train.map((m) => m.lr as number);
    expect(lr[1]!).toBeGreaterThan(lr[0]!); // warmup
    expect(lr.at(-1)!).toBeLessThan(Math.max(...lr) / 10); // cosine decay
  });

  it('has an experiment log that starts with a baseline, ends with the final run, then the overfit check', () => {
    const all = jsonl('experiments.jsonl');
    const exps = all.filter((e) => String(e.id).startsWith('exp-'));
    expect(exps.length).toBeGreaterThanOrEqual(3);
    expect(exps[0]!.tags).toContain('baseline');
    exps.forEach((e, i) => expect(e).toMatchObject({ id: `exp-0${i + 1}`, metric: 'val_accuracy', seed: SEED }));
    expect(exps.at(-1)!.value).toBe(val.at(-1)!.accuracy);
    // `losslens overfit --log` (run by npm run example:mnist) appends the tiny-batch check.
    expect(all.at(-1)).toMatchObject({ metric: 'overfit_loss', tags: ['overfit', 'pass'] });
  });

  it('has a config with the dataset seed', () => {
    const config = JSON.parse(read('losslens.config.json')) as { seed: number; dataset: { file: string } };
    expect(config.seed).toBe(SEED);
    expect(config.dataset.file).toBe('records.csv');
  });

  it('has checkpoints epoch-00..05 that load and reproduce the logged val loss and accuracy', async () => {
    const { tf } = await loadTf('tfjs-wasm');
    const valRows = built.records.flatMap((r, i) => (r.split === 'val' ? [i] : []));
    const x = new Float32Array(valRows.length * PIXELS);
    valRows.forEach((r, k) => x.set(Float32Array.from(built.pixels.subarray(r * PIXELS, (r + 1) * PIXELS), (v) => v / 255), k * PIXELS));
    const xs = tf.tensor2d(x, [valRows.length, PIXELS]);
    for (const [e, epoch] of EPOCHS.entries()) {
      const model = await loadLayersModel(tf, join(DIR, 'checkpoints', `epoch-${epoch}`, 'model.json'));
      expect(model.outputs[0]!.shape).toEqual([null, 10]);
      const probs = tf.tidy(() => (model.predict(xs) as ReturnType<typeof tf.tensor>).dataSync());
      let loss = 0;
      let correct = 0;
      valRows.forEach((r, k) => {
        const p = probs.subarray(k * 10, k * 10 + 10);
        const y = built.records[r]!.label;
        loss -= Math.log(Math.min(Math.max(p[y]!, 1e-7), 1 - 1e-7));
        if (p.indexOf(Math.max(...p)) === y) correct++;
      });
      expect(loss / valRows.length).toBeCloseTo(val[e]!.loss as number, 3);
      expect(Math.abs(correct / valRows.length - (val[e]!.accuracy as number))).toBeLessThanOrEqual(0.001);
      model.dispose();
    }
    xs.dispose();
  }, 60_000);
});
