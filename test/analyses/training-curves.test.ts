import { describe, expect, it } from 'vitest';
import { thin, trainingCurves, trainPriorEntropy } from '../../src/analyses/training-curves.ts';
import type { AnalysisOutput, Block } from '../../src/analyses/types.ts';
import type { MetricRow } from '../../src/types.ts';
import { makeContext } from '../helpers/calibration-context.ts';

const ctxWith = (metrics: MetricRow[] | null) => {
  const ctx = makeContext({ classes: ['a', 'b', 'c'], labels: [0, 1, 2, 0], splits: ['train', 'train', 'train', 'val'], checkpoints: [[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]]] });
  ctx.logs = { ...ctx.logs, metrics, metricsSources: metrics ? [{ file: '/x/metrics.jsonl', format: 'jsonl', rows: metrics.length }] : [] };
  return ctx;
};
const run = (rows: MetricRow[]) => trainingCurves.run(ctxWith(rows)) as AnalysisOutput;
const charts = (out: AnalysisOutput): Block[] => out.blocks.flatMap((b) => (b.type === 'grid' ? b.blocks : [b])).filter((b) => b.type === 'chart');

describe('training-curves analysis', () => {
  it('is not applicable without a metrics log', () => {
    expect(trainingCurves.notApplicable!(ctxWith(null))).toMatch(/no metrics log/);
    expect(trainingCurves.notApplicable!(ctxWith([]))).toMatch(/no rows/);
  });

  it('charts loss, lr and gradient norms and reports a flagged spike in the headline', () => {
    const rows: MetricRow[] = Array.from({ length: 60 }, (_, i) => ({
      step: i,
      split: 'train',
      loss: (i === 30 ? 8 : 1) * (Math.log(3) * Math.exp(-i / 20) + 0.05 + 0.001 * Math.sin(i)),
      lr: 0.01,
      grad_norm: 1 + 0.01 * Math.sin(i),
      'grad_norm/l1': 0.5,
    }));
    const out = run(rows);
    expect(out.headline).toMatch(/flag a problem: .*loss spikes/);
    const kinds = charts(out).map((b) => (b as Extract<Block, { type: 'chart' }>).caption);
    expect(kinds.some((c) => c.startsWith('Loss against step'))).toBe(true);
    expect(kinds.some((c) => c.startsWith('Learning rate'))).toBe(true);
    expect(kinds.some((c) => c.includes('per-layer'))).toBe(true);
    const findings = (out.summary!.trainingCurves as { findings: { id: string; status: string }[] }).findings;
    expect(findings.find((f) => f.id === 'spikes')!.status).toBe('warn');
    expect(findings.find((f) => f.id === 'warmup')!.status).toBe('warn');
    expect(out.blocks[0]).toEqual({ type: 'text', text: 'Read from metrics.jsonl (losslens JSONL, 60 rows).' });
  });

  it('keeps chart series bounded but shows the extremes', () => {
    const n = 5000;
    const pts = thin({ step: Array.from({ length: n }, (_, i) => i), value: Array.from({ length: n }, (_, i) => (i === 1234 ? 99 : 1)) });
    expect(pts.length).toBeLessThanOrEqual(400);
    expect(pts.some((p) => p.y === 99 && p.x === 1234)).toBe(true);
  });

  it('audits a long run\u2019s log (250 000 rows) without spreading it as arguments', () => {
    const rows: MetricRow[] = Array.from({ length: 250_000 }, (_, i) => ({ step: i, split: 'train', loss: 1 + 1 / (1 + i / 1000) }));
    const out = run(rows);
    expect((out.summary!.trainingCurves as { steps: number }).steps).toBe(249_999);
  });

  it('computes the prior entropy of the training labels', () => {
    expect(trainPriorEntropy(ctxWith(null).dataset)).toBeCloseTo(Math.log(3), 12);
  });
});
