import { describe, expect, it } from 'vitest';
import { splitHash } from '../../src/analyses/split-hash.ts';
import { timeline, trackedMetric } from '../../src/analyses/timeline.ts';
import type { AnalysisOutput } from '../../src/analyses/types.ts';
import type { ExperimentRow } from '../../src/types.ts';
import { makeContext } from '../helpers/calibration-context.ts';

const base = (split = 'val') => makeContext({ classes: ['a', 'b'], labels: [0, 1, 0, 1], splits: ['train', 'train', split, split], checkpoints: [[[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.6, 0.4]]], finalSplit: split });
const exps: ExperimentRow[] = [
  { date: '2026-01-01', id: 'e1', change: 'logistic regression', metric: 'val_accuracy', value: 0.6, tags: ['baseline'] },
  { date: '2026-01-02', id: 'e2', change: 'MLP', metric: 'val_accuracy', value: 0.7, tags: [] },
  { date: '2026-01-03', id: 'e3', change: 'bigger MLP', metric: 'val_loss', value: 0.4, tags: [] },
];

describe('timeline', () => {
  it('charts the tracked metric with baselines as rules and this audit as a point', () => {
    const ctx = base();
    ctx.logs.experiments = exps;
    const out = timeline.run(ctx) as AnalysisOutput;
    const chart = out.blocks.find((b) => b.type === 'chart');
    if (chart?.type !== 'chart' || chart.chart.kind !== 'lines') throw new Error('expected a lines chart');
    expect(chart.chart.series[0].points).toEqual([{ x: 1, y: 0.6 }, { x: 2, y: 0.7 }]);
    expect(chart.chart.series[1]).toEqual({ name: 'this audit (val accuracy)', points: [{ x: 4, y: 0.5 }] });
    expect(chart.chart.rules).toContainEqual({ value: 0.6, label: 'baseline e1', axis: 'y' });
    expect(out.headline).toMatch(/best val_accuracy is 0\.7000 \(e2: MLP\)/);
    const table = out.blocks.find((b) => b.type === 'table');
    expect(table?.type === 'table' && table.rows.length).toBe(3);
    expect(out.reportWarnings).toBeUndefined();
  });

  it('warns at the top of the report when the same test data was evaluated before', () => {
    const ctx = base('test');
    const hash = splitHash(ctx.dataset, ctx.inputs, 'test');
    ctx.logs.experiments = [
      ...exps,
      { date: '2026-02-01', id: 'audit-04', change: 'a', metric: 'test_accuracy', value: 0.5, split: 'test', splitHash: hash },
      { date: '2026-02-03', id: 'audit-05', change: 'b', metric: 'test_accuracy', value: 0.5, split: 'test', splitHash: hash },
      { date: '2026-02-04', id: 'other', change: 'c', metric: 'test_accuracy', value: 0.5, split: 'test', splitHash: 'sha256:else' },
    ];
    const out = timeline.run(ctx) as AnalysisOutput;
    expect(out.reportWarnings).toEqual([expect.stringMatching(/^This test set has been evaluated 2 times since 2026-02-01 \(audit-04, audit-05\)/)]);
    expect(out.warnings).toEqual(out.reportWarnings);
    expect((out.summary!.timeline as { testEvaluations: number }).testEvaluations).toBe(2);
  });

  it('hashes content, not names: a changed label changes the hash', () => {
    const a = base('test');
    const h1 = splitHash(a.dataset, null, 'test');
    a.dataset.labels[2] = 1;
    expect(splitHash(a.dataset, null, 'test')).not.toBe(h1);
  });

  it('draws the latest five of many baseline-tagged experiments as rules, and says so', () => {
    const ctx = base();
    ctx.logs.experiments = Array.from({ length: 50 }, (_, i): ExperimentRow => ({ date: '2026-01-01', id: `b${i}`, change: 'baseline rerun', metric: 'val_accuracy', value: 0.5 + i / 1000, tags: ['baseline'] }));
    const chart = (timeline.run(ctx) as AnalysisOutput).blocks.find((b) => b.type === 'chart');
    if (chart?.type !== 'chart' || chart.chart.kind !== 'lines') throw new Error('expected a lines chart');
    expect(chart.chart.rules!.filter((r) => r.axis === 'y').map((r) => r.label)).toEqual(['baseline b45', 'baseline b46', 'baseline b47', 'baseline b48', 'baseline b49']);
    expect(chart.caption).toMatch(/of the 50 experiments tagged baseline, the last 5/);
  });

  it('tracks the most common metric', () => {
    expect(trackedMetric(exps)).toBe('val_accuracy');
    expect(trackedMetric([])).toBe('value');
  });
});
