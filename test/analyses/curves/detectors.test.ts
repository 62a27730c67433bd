/** Each training-curve detector on crafted curves: one healthy case and the failure it exists for. */
import { describe, expect, it } from 'vitest';
import { divergence } from '../../../src/analyses/curves/divergence.ts';
import { explodingGradients, vanishingGradients } from '../../../src/analyses/curves/grad-norms.ts';
import { initialLoss } from '../../../src/analyses/curves/initial-loss.ts';
import { lrSchedule } from '../../../src/analyses/curves/lr-schedule.ts';
import { nonFinite } from '../../../src/analyses/curves/non-finite.ts';
import { plateau } from '../../../src/analyses/curves/plateau.ts';
import { curvesOf, seriesOf, smooth } from '../../../src/analyses/curves/series.ts';
import { spikes } from '../../../src/analyses/curves/spikes.ts';
import { trainValGap } from '../../../src/analyses/curves/train-val-gap.ts';
import type { MetricRow } from '../../../src/types.ts';

const K = 10;
const LN_K = Math.log(K);
/** Deterministic small wiggle so robust scales are not zero. */
const wiggle = (i: number) => 0.01 * Math.sin(i * 1.7);
const train = (n: number, f: (i: number) => number, extra: (i: number) => Partial<MetricRow> = () => ({})): MetricRow[] =>
  Array.from({ length: n }, (_, i) => ({ step: i * 10, split: 'train', loss: f(i), ...extra(i) }) as MetricRow);
const healthy = (i: number) => LN_K * Math.exp(-i / 20) + 0.1 + wiggle(i) * 0.1;
const curves = (rows: MetricRow[]) => curvesOf(rows, K, LN_K);

describe('initialLoss', () => {
  it('passes when the first loss is ≈ ln K', () => {
    const f = initialLoss(curves(train(50, healthy)));
    expect(f.status).toBe('pass');
    expect(f.evidence).toContain('step 0');
  });
  it('flags an over-confident initialisation (loss 3× ln K)', () => {
    const f = initialLoss(curves(train(50, (i) => (i === 0 ? 3 * LN_K : healthy(i)))));
    expect(f.status).toBe('warn');
    expect(f.evidence).toMatch(/3\.00× ln K/);
    expect(f.evidence).toContain('over-confident');
  });
  it('accepts the class-prior entropy as the reference for imbalanced data', () => {
    const prior = 0.5; // e.g. a 95/5 binary problem has entropy ≈ 0.2; here a made-up 0.5
    const f = initialLoss(curvesOf(train(10, (i) => (i === 0 ? 0.52 : 0.4)), 2, prior));
    expect(f.status).toBe('pass');
  });
  it('is unknown without any loss', () => {
    expect(initialLoss(curves([{ step: 0, split: 'train', lr: 1 }])).status).toBe('unknown');
  });
});

describe('nonFinite', () => {
  it('passes on finite values and names the first NaN otherwise', () => {
    expect(nonFinite(curves(train(20, healthy))).status).toBe('pass');
    const f = nonFinite(curves(train(20, (i) => (i >= 12 ? NaN : healthy(i)), (i) => (i === 15 ? { grad_norm: Infinity } : {}))));
    expect(f.status).toBe('warn');
    expect(f.evidence).toContain('9 non-finite');
    expect(f.evidence).toContain('step 120');
    expect(f.steps).toEqual([120]);
  });
});

describe('spikes', () => {
  it('passes on a smooth decay and finds an injected spike', () => {
    expect(spikes(curves(train(60, healthy))).status).toBe('pass');
    const f = spikes(curves(train(60, (i) => (i === 40 ? healthy(i) * 6 : healthy(i)))));
    expect(f.status).toBe('warn');
    expect(f.steps).toEqual([400]);
    expect(f.evidence).toContain('1 spike(s)');
  });
  it('is unknown on a short log', () => {
    expect(spikes(curves(train(5, healthy))).status).toBe('unknown');
  });
  it('reads a long run (200 000 steps) without spreading it as arguments', () => {
    const f = spikes(curves(train(200_000, (i) => 2 + Math.sin(i / 50))));
    expect(f.status).toBe('pass');
    expect(f.evidence).toMatch(/largest z = \d/);
  });
});

describe('plateau', () => {
  it('flags a loss stuck at ln K for most of the run', () => {
    const f = plateau(curves(train(60, (i) => (i < 40 ? LN_K + wiggle(i) * 0.01 : LN_K * Math.exp(-(i - 40) / 5)))));
    expect(f.status).toBe('warn');
    expect(f.steps![0]).toBe(0);
  });
  it('calls a flat tail after a large drop convergence, not a plateau', () => {
    const f = plateau(curves(train(60, (i) => (i < 20 ? LN_K * Math.exp(-i / 4) : LN_K * Math.exp(-5)))));
    expect(f.status).toBe('pass');
    expect(f.evidence).toContain('converged');
  });
  it('passes a steady decay', () => {
    expect(plateau(curves(train(60, (i) => LN_K * Math.exp(-i / 15)))).status).toBe('pass');
  });
});

describe('divergence', () => {
  it('flags a loss that climbs back above where it started', () => {
    const f = divergence(curves(train(60, (i) => (i < 30 ? LN_K * Math.exp(-i / 8) : 0.05 * Math.exp((i - 30) / 6)))));
    expect(f.status).toBe('warn');
    expect(f.evidence).toContain('above where it started');
  });
  it('flags a NaN at the end and passes a healthy run', () => {
    expect(divergence(curves(train(20, (i) => (i === 19 ? NaN : healthy(i))))).status).toBe('warn');
    expect(divergence(curves(train(60, healthy))).status).toBe('pass');
  });
});

describe('trainValGap', () => {
  const withVal = (valAt: (e: number) => number, trainAt: (i: number) => number) => [
    ...train(100, trainAt),
    ...Array.from({ length: 5 }, (_, e) => ({ step: (e + 1) * 200 - 10, split: 'val', loss: valAt(e) }) as MetricRow),
  ];
  it('flags overfitting: train keeps falling while val rises', () => {
    const f = trainValGap(curves(withVal((e) => [0.8, 0.6, 0.62, 0.7, 0.85][e], (i) => 1.5 * Math.exp(-i / 25))));
    expect(f.status).toBe('warn');
    expect(f.evidence).toContain('overfitting');
  });
  it('passes when train and val fall together', () => {
    const f = trainValGap(curves(withVal((e) => 1.5 * Math.exp(-((e + 1) * 20 - 2) / 25) + 0.05, (i) => 1.5 * Math.exp(-i / 25))));
    expect(f.status).toBe('pass');
  });
  it('is unknown without a validation split', () => {
    expect(trainValGap(curves(train(20, healthy))).status).toBe('unknown');
  });
  it('averages the last 3 finite train losses since the previous validation point, as a scan of all of them per point does', () => {
    // Train steps every 7, validation every 50 (not aligned), some train losses NaN.
    const rows = [
      ...Array.from({ length: 400 }, (_, i) => ({ step: i * 7, split: 'train', loss: i % 11 === 3 ? Number.NaN : 2 * Math.exp(-i / 90) + wiggle(i) }) as MetricRow),
      ...Array.from({ length: 56 }, (_, e) => ({ step: e * 50 + 5, split: 'val', loss: 0.6 + 0.002 * (e - 20) ** 2 }) as MetricRow),
    ];
    const c = curves(rows);
    // The straightforward definition.
    let prev = -Infinity;
    const first: number[] = [];
    c.val!.step.forEach((t, i) => {
      const pts = c.train!.step.map((ts, j) => ({ ts, y: c.train!.value[j] })).filter((p) => p.ts > prev && p.ts <= t && Number.isFinite(p.y)).slice(-3);
      prev = t;
      if (pts.length && Number.isFinite(c.val!.value[i])) first.push(c.val!.value[i] - pts.reduce((a, p) => a + p.y, 0) / pts.length);
    });
    const f = trainValGap(c);
    expect(f.status).toBe('warn');
    expect(f.evidence).toContain(`went from ${first[0].toFixed(3)} at step 5 to ${first[first.length - 1].toFixed(3)} at step 2755`);
  });
  it('one walk of the train points: a 40 000-epoch Keras-style log (a validation loss per epoch)', () => {
    const rows = Array.from({ length: 40_000 }, (_, e) => [{ step: e, split: 'train', loss: 1 / (1 + e / 100) } as MetricRow, { step: e, split: 'val', loss: 1 / (1 + e / 100) + 0.02 + e / 2e5 } as MetricRow]).flat();
    expect(trainValGap(curves(rows)).status).toBe('warn');
  });
});

describe('gradient norms', () => {
  const grads = (g: (i: number) => number, layers: Record<string, (i: number) => number> = {}) =>
    curves(train(40, healthy, (i) => ({ grad_norm: g(i), ...Object.fromEntries(Object.entries(layers).map(([k, f]) => [`grad_norm/${k}`, f(i)])) })));
  it('passes stable norms', () => {
    const c = grads((i) => 1 + wiggle(i), { a: () => 0.5, b: () => 0.3 });
    expect(explodingGradients(c).status).toBe('pass');
    expect(vanishingGradients(c).status).toBe('pass');
  });
  it('flags norms growing 100×', () => {
    const f = explodingGradients(grads((i) => Math.exp(i / 8)));
    expect(f.status).toBe('warn');
    expect(f.evidence).toMatch(/grew/);
  });
  it('flags a single burst 1000× the median', () => {
    expect(explodingGradients(grads((i) => (i === 20 ? 1000 : 1 + wiggle(i)))).status).toBe('warn');
  });
  it('flags norms collapsing and a dead layer', () => {
    expect(vanishingGradients(grads((i) => Math.exp(-i / 3))).status).toBe('warn');
    const f = vanishingGradients(grads(() => 1, { head: () => 1, stem: () => 1e-5 }));
    expect(f.status).toBe('warn');
    expect(f.evidence).toContain('stem');
  });
});

describe('lrSchedule', () => {
  const lrs = (f: (i: number) => number) => lrSchedule(curves(train(30, healthy, (i) => ({ lr: f(i) }))));
  it('passes warmup + cosine decay', () => {
    const [w, d] = lrs((i) => (i < 5 ? (1e-3 * (i + 1)) / 5 : 1e-3 * 0.5 * (1 + Math.cos((Math.PI * (i - 5)) / 25))));
    expect(w.status).toBe('pass');
    expect(d.status).toBe('pass');
  });
  it('flags a constant learning rate twice', () => {
    const [w, d] = lrs(() => 0.05);
    expect(w.status).toBe('warn');
    expect(w.evidence).toContain('no warmup');
    expect(d.status).toBe('warn');
    expect(d.evidence).toContain('no decay');
  });
  it('is unknown without lr', () => {
    expect(lrSchedule(curves(train(30, healthy))).map((f) => f.status)).toEqual(['unknown', 'unknown']);
  });
});

describe('series helpers', () => {
  it('smooth is a trailing mean', () => {
    expect(smooth([1, 2, 3, 4], 2)).toEqual([1, 1.5, 2.5, 3.5]);
  });
  it('curvesOf picks train, the val-like split, lr and layer norms', () => {
    const c = curvesOf([{ step: 1, split: 'train', loss: 1, lr: 0.1, 'grad_norm/x': 2 }, { step: 1, split: 'validation', loss: 2 }], 3, null);
    expect(c.valSplit).toBe('validation');
    expect(c.lr?.value).toEqual([0.1]);
    expect(c.gradLayers.map((l) => l.name)).toEqual(['x']);
  });
});

/** The definition: a Map of step → value per field (a later row overrides), sorted by step. */
function mapSeries(rows: readonly MetricRow[], split: string | null, key: string) {
  const byStep = new Map<number, number>();
  for (const r of rows) if ((split === null || r.split === split) && typeof r[key] === 'number') byStep.set(r.step, r[key] as number);
  if (byStep.size === 0) return null;
  const step = [...byStep.keys()].sort((a, b) => a - b);
  return { step, value: step.map((x) => byStep.get(x)!) };
}

describe('curvesOf', () => {
  it('every series equals a Map of step → value sorted by step (one pass for all splits and keys; a step logged twice keeps its last value)', () => {
    const rows: MetricRow[] = [];
    for (let i = 0; i < 300; i++) {
      rows.push({ step: i % 250, split: i % 3 ? 'train' : 'val', loss: Math.cos(i), ...(i % 2 ? { acc: i / 300, 'grad_norm/dense': i } : {}), note: 'x' } as unknown as MetricRow);
    }
    // Out of order, repeated steps and -0 next to 0 (one step for a Map), in one field; another in order.
    for (const [step, v] of [[5, 1], [3, 2], [5, 3], [-0, 4], [0, 5], [1e6, 6], [2, 7]]) rows.push({ step, split: 'eval', lr: v, mom: step } as MetricRow);
    for (const [step, v] of [[1, 1], [2, 2], [2, 3], [3, 4]]) rows.push({ step, split: 'other', acc: v } as MetricRow); // in order but for a repeat
    const c = curves(rows);
    expect(c.all.map((a) => `${a.split}/${a.key}`)).toEqual(['val/acc', 'val/grad_norm/dense', 'val/loss', 'train/acc', 'train/grad_norm/dense', 'train/loss', 'eval/lr', 'eval/mom', 'other/acc']);
    for (const a of c.all) {
      expect(a.series).toEqual(mapSeries(rows, a.split, a.key));
      expect(seriesOf(rows, a.split, a.key)).toEqual(mapSeries(rows, a.split, a.key));
    }
    expect(c.all.find((a) => a.key === 'lr')!.series).toEqual({ step: [0, 2, 3, 5, 1e6], value: [5, 7, 2, 3, 6] });
    expect(c.all.at(-1)!.series).toEqual({ step: [1, 2, 3], value: [1, 3, 4] });
    expect(c.train).toEqual(mapSeries(rows, 'train', 'loss'));
    expect(c.gradLayers[0].series).toEqual(mapSeries(rows, 'train', 'grad_norm/dense'));
    expect(seriesOf(rows, null, 'loss')).toEqual(mapSeries(rows, null, 'loss'));
    expect(c.lr).toEqual(mapSeries(rows, null, 'lr')); // no train lr: read from any split
  });
});
