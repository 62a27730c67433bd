import { describe, expect, it } from 'vitest';
import { checklist, recipeChecklist } from '../../src/analyses/recipe-checklist.ts';
import type { AnalysisOutput } from '../../src/analyses/types.ts';
import type { MetricRow } from '../../src/types.ts';
import { makeContext } from '../helpers/calibration-context.ts';

const ctx = () => makeContext({ classes: ['a', 'b'], labels: [0, 1, 0, 1], splits: ['train', 'train', 'val', 'val'], checkpoints: [[[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.6, 0.4]]], steps: [0, 100] });
const status = (items: ReturnType<typeof checklist>) => Object.fromEntries(items.map((i) => [i.id, i.status]));

describe('recipe checklist', () => {
  it('is mostly unknown without logs, but reads init loss from a step-0 checkpoint', () => {
    const s = status(checklist(ctx()));
    expect(s).toEqual({ seeds: 'unknown', 'init-loss': 'pass', 'overfit-check': 'unknown', baseline: 'warn', schedule: 'unknown', curves: 'unknown', 'test-once': 'unknown' });
  });

  it('passes each item when the logs carry the evidence', () => {
    const c = ctx();
    c.logs.experiments = [
      { date: '2026-01-01', id: 'e1', change: 'LR', metric: 'val_accuracy', value: 0.6, tags: ['baseline'], seed: 1 },
      { date: '2026-01-02', id: 'overfit-02', change: 'overfit check', metric: 'overfit_loss', value: 0.001, tags: ['overfit', 'pass'] },
    ];
    const rows: MetricRow[] = Array.from({ length: 40 }, (_, i) => ({ step: i * 10, split: 'train', loss: Math.log(2) * Math.exp(-i / 10) + 0.05 + 0.001 * Math.sin(i), lr: i < 5 ? 1e-3 * (i + 1) : 5e-3 * (1 - (i - 5) / 40), grad_norm: 1 + 0.01 * Math.sin(i) }));
    c.logs.metrics = rows;
    expect(status(checklist(c))).toEqual({ seeds: 'pass', 'init-loss': 'pass', 'overfit-check': 'pass', baseline: 'pass', schedule: 'pass', curves: 'pass', 'test-once': 'unknown' });
    const out = recipeChecklist.run(c) as AnalysisOutput;
    expect(out.headline).toMatch(/^6 of 7 recipe items pass, 0 warn/);
  });

  it('warns on a failed overfit check, a constant lr and repeated test evaluations', () => {
    const c = ctx();
    c.logs.experiments = [
      { date: '', id: 'o', change: 'overfit check', metric: 'overfit_loss', value: 1.2, tags: ['overfit', 'fail'] },
      { date: '', id: 't1', change: 'x', metric: 'test_accuracy', value: 1, split: 'test', splitHash: 'sha256:h' },
      { date: '', id: 't2', change: 'y', metric: 'test_accuracy', value: 1, split: 'test', splitHash: 'sha256:h' },
    ];
    c.logs.metrics = Array.from({ length: 10 }, (_, i) => ({ step: i, split: 'train', loss: 0.5, lr: 0.1 }));
    const s = status(checklist(c));
    expect(s['overfit-check']).toBe('warn');
    expect(s.schedule).toBe('warn');
    expect(s['test-once']).toBe('warn');
  });
});
