/** Baseline gap: built-in baselines on hand-made runs, the verdict sentences and the figures. */
import { describe, expect, it } from 'vitest';
import { baselines, verdict } from '../../src/analyses/baselines.ts';
import { figureBaselines, metricColumn } from '../../src/analyses/baselines/figures.ts';
import { gapOf, gapsOf, metricsOf, resamplesFor } from '../../src/analyses/baselines/gap.ts';
import { sampleRows } from '../../src/analyses/baselines/logreg.ts';
import { bootstrapCI } from '../../src/stats/bootstrap.ts';
import { classPrior, priorBaselines } from '../../src/analyses/baselines/prior.ts';
import type { AnalysisContext, AnalysisOutput } from '../../src/analyses/types.ts';
import { mulberry32, shuffle } from '../../src/stats/rng.ts';
import { makeContext } from '../helpers/calibration-context.ts';

/** 2 classes; class = sign of feature 0 (+ noise features). 60 train, 40 val records. */
function separable(modelRight: number): AnalysisContext {
  const rng = mulberry32(7);
  const n = 100;
  const d = 5;
  const data = new Float32Array(n * d);
  const labels: number[] = [];
  const splits: string[] = [];
  for (let i = 0; i < n; i++) {
    const y = i % 3 === 0 ? 1 : 0; // imbalanced: majority class 0
    labels.push(y);
    splits.push(i < 60 ? 'train' : 'val');
    data[i * d] = (y ? 1 : -1) * (0.5 + rng());
    for (let j = 1; j < d; j++) data[i * d + j] = rng() - 0.5;
  }
  // The model is right on the first `modelRight` val records with p = 0.9, wrong on the rest.
  let seen = 0;
  const probs = labels.map((y, i) => {
    if (splits[i] !== 'val') return y ? [0.1, 0.9] : [0.9, 0.1];
    const right = seen++ < modelRight;
    return (y === 1) === right ? [0.1, 0.9] : [0.9, 0.1];
  });
  const ctx = makeContext({ classes: ['neg', 'pos'], labels, splits, checkpoints: [probs], seed: 5 });
  ctx.inputs = { file: 'x.npy', n, shape: [d], rowSize: d, data };
  return ctx;
}

describe('baselines analysis', () => {
  it('evaluates every built-in baseline and a logistic regression that learns the separable rule', async () => {
    const ctx = separable(40);
    ctx.predict = async (_c, _b, rows) => Float32Array.from({ length: rows * 2 }, (_, i) => (i % 2 ? 0.3 : 0.7));
    const out = (await baselines.run(ctx)) as AnalysisOutput;
    const rows = out.summary!.baselines as { name: string; accuracy: number; nll: number }[];
    expect(rows.map((r) => r.name)).toEqual(['majority class', 'class prior (stratified)', 'model on zeroed inputs', 'logistic regression']);
    const valPos = [...ctx.final.rows].filter((i) => ctx.dataset.labels[i] === 1).length;
    expect(rows[0].accuracy).toBeCloseTo(1 - valPos / 40, 10); // majority = class 0
    expect(rows[2].accuracy).toBeCloseTo(1 - valPos / 40, 10); // zeroed input → class 0 everywhere
    expect(rows[2].nll).toBeGreaterThan(0);
    expect(rows[3].accuracy).toBe(1);
    // The prior-based baselines share the prior's cross-entropy.
    expect(rows[1].nll).toBeCloseTo(rows[0].nll, 6);
    const gap = out.summary!.baselineGap as { against: string; accuracy: { gap: number } };
    expect(gap.against).toBe('logistic regression');
    expect(gap.accuracy.gap).toBe(0);
    expect(out.headline).toContain('does not clearly beat logistic regression');
    // The headline is not repeated as the section's first block.
    expect(out.blocks.some((b) => b.type === 'text' && b.text === out.headline)).toBe(false);
  }, 60_000);

  it('says which baselines it could not evaluate and is deterministic', async () => {
    const ctx = separable(30);
    ctx.inputs = null;
    const a = (await baselines.run(ctx)) as AnalysisOutput;
    const b = (await baselines.run(ctx)) as AnalysisOutput;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const list = a.blocks.find((x) => x.type === 'list');
    expect(JSON.stringify(list)).toContain('logistic regression: no model inputs');
    expect(JSON.stringify(list)).toContain('model on zeroed inputs: no model inputs');
  });

  it('adds config figures and experiment-log rows tagged baseline, without intervals', async () => {
    const ctx = separable(40);
    ctx.inputs = null;
    ctx.config.baselines = [{ name: 'human on 200 notes', accuracy: 0.91, macroF1: null, nll: null, note: '' }];
    ctx.logs.experiments = [{ date: '2026-01-01', id: 'e1', change: 'tf-idf + LR', metric: 'val_macro_f1', value: 0.7, tags: ['baseline'] }];
    const out = (await baselines.run(ctx)) as AnalysisOutput;
    const rows = out.summary!.baselines as { name: string; source: string; accuracy: number | null; macroF1: number | null }[];
    expect(rows.slice(-2)).toEqual([
      expect.objectContaining({ name: 'human on 200 notes', source: 'config', accuracy: 0.91 }),
      expect.objectContaining({ name: 'e1: tf-idf + LR', source: 'experiment log', macroF1: 0.7, accuracy: null }),
    ]);
  });
});

describe('verdict', () => {
  const r = (estimate: number, lo: number, hi: number) => ({ estimate, lo, hi, resamples: 1000, valid: 1000, seed: 1 });
  it('states the gap with its interval and the uncomfortable ratio', () => {
    expect(verdict('logistic regression', r(0.031, 0.024, 0.038), 0.5, 0.469, 'val')).toBe(
      "On val the model beats logistic regression by 3.1 accuracy points (95 % CI 2.4 to 3.8); logistic regression gets 94 % of the model's accuracy.",
    );
  });
  it('says when a baseline wins or the gap is not clear', () => {
    expect(verdict('majority class', r(-0.05, -0.08, -0.02), 0.8, 0.85, 'test')).toMatch(/majority class beats the model by 5\.0/);
    expect(verdict('x', r(0.01, -0.01, 0.03), 0.8, 0.79, 'val')).toMatch(/does not clearly beat x/);
  });
});

describe('baseline helpers', () => {
  it('estimates a smoothed prior from the training split', () => {
    const ctx = separable(40);
    const { prior, counts } = classPrior(ctx.dataset, 'train');
    expect(counts).toEqual([40, 20]);
    expect(prior[0]).toBeCloseTo(41 / 62, 12);
  });
  it('stratified predictions follow the prior and depend only on the seed', () => {
    const labels = new Int32Array(4000);
    const [, strat] = priorBaselines(Float64Array.of(0.75, 0.25), labels, 9, 'train');
    const ones = strat.pred.reduce((a, b) => a + b, 0);
    expect(ones / 4000).toBeGreaterThan(0.22);
    expect(ones / 4000).toBeLessThan(0.28);
    expect(priorBaselines(Float64Array.of(0.75, 0.25), labels, 9, 'train')[1].pred).toEqual(strat.pred);
  });
  it('the paired gap interval brackets the point gap', () => {
    const labels = Int32Array.from({ length: 200 }, (_, i) => i % 2);
    const model = { pred: Int32Array.from(labels, (l, i) => (i % 10 === 0 ? 1 - l : l)), loss: new Float32Array(200).fill(0.2) };
    const base = { pred: new Int32Array(200), loss: new Float32Array(200).fill(0.69) };
    const g = gapOf(model, base, labels, 2, 1);
    expect(g.accuracy.estimate).toBeCloseTo(metricsOf(model, labels, 2).accuracy - 0.5, 12);
    expect(g.accuracy.lo).toBeLessThan(g.accuracy.estimate);
    expect(g.accuracy.hi).toBeGreaterThan(g.accuracy.estimate);
    expect(g.nll.estimate).toBeCloseTo(-0.49, 6);
  });
  it('gapsOf equals a separate paired bootstrap per baseline and statistic (the original definition)', () => {
    const rng = mulberry32(5);
    const k = 3;
    const labels = Int32Array.from({ length: 300 }, () => Math.floor(rng() * k));
    const scored = () => ({ pred: Int32Array.from(labels, (l) => (rng() < 0.7 ? l : Math.floor(rng() * k))), loss: Float32Array.from(labels, () => rng() * 2) });
    const model = scored();
    const bases = [scored(), scored(), { pred: new Int32Array(300), loss: new Float32Array(300).fill(1.1) }];
    const opts = { seed: 77, resamples: resamplesFor(300) };
    const acc = (x: typeof model, idx: Int32Array) => idx.reduce((h, i) => h + (x.pred[i] === labels[i] ? 1 : 0), 0) / idx.length;
    const nll = (x: typeof model, idx: Int32Array) => {
      let t = 0;
      for (const i of idx) t += x.loss[i];
      return t / idx.length;
    };
    const f1 = (x: typeof model, idx: Int32Array) => metricsOf(x, labels, k, idx).macroF1;
    const got = gapsOf(model, bases, labels, k, 77);
    bases.forEach((b, j) => {
      expect(got[j].accuracy).toEqual(bootstrapCI(300, (idx) => acc(model, idx) - acc(b, idx), opts));
      expect(got[j].macroF1).toEqual(bootstrapCI(300, (idx) => f1(model, idx) - f1(b, idx), opts));
      expect(got[j].nll).toEqual(bootstrapCI(300, (idx) => nll(model, idx) - nll(b, idx), opts));
    });
  });
  it('sampleRows keeps every row up to the cap, beyond it the first rows of a seeded shuffle, in dataset order', () => {
    const rows = Int32Array.from({ length: 50 }, (_, i) => 3 * i);
    expect(sampleRows(rows, 50, mulberry32(1))).toBe(rows);
    const want = shuffle(Array.from(rows), mulberry32(4)).slice(0, 20).sort((a, b) => a - b);
    expect(Array.from(sampleRows(rows, 20, mulberry32(4)))).toEqual(want);
  });
  it('maps experiment metrics to table columns', () => {
    expect(metricColumn('val_accuracy')).toBe('accuracy');
    expect(metricColumn('macro_f1')).toBe('macroF1');
    expect(metricColumn('val_loss')).toBe('nll');
    expect(metricColumn('auroc')).toBeNull();
    expect(figureBaselines([], [{ date: '', id: 'a', change: 'c', metric: 'auroc', value: 0.9, tags: ['baseline'] }])).toEqual([]);
  });
});

describe('config "baselines" key', () => {
  const cfg = (baselines: unknown) => ({ dataset: { file: 'r.csv' }, model: { checkpoints: '*/model.json' }, baselines });
  it('reads named figures', async () => {
    const { normalizeConfig } = await import('../../src/config.ts');
    expect(normalizeConfig(cfg([{ name: 'human', accuracy: 0.91, note: '200 notes' }]), '/c.json').baselines).toEqual([{ name: 'human', accuracy: 0.91, macroF1: null, nll: null, note: '200 notes' }]);
  });
  it('names the key of a bad entry', async () => {
    const { normalizeConfig } = await import('../../src/config.ts');
    expect(() => normalizeConfig(cfg([{ name: 'human' }]), '/c.json')).toThrow(/baselines\[0\]\.accuracy/);
    expect(() => normalizeConfig(cfg([{ name: 'h', acc: 1 }]), '/c.json')).toThrow(/baselines\[0\]\.acc/);
    expect(() => normalizeConfig(cfg({ name: 'h' }), '/c.json')).toThrow(/baselines: expected an array/);
  });
});
