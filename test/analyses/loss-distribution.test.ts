import { describe, expect, it } from 'vitest';
import { lossDistribution, LOSS_EDGES } from '../../src/analyses/loss-distribution.ts';
import { histogram } from '../../src/stats/histogram.ts';
import { quantiles } from '../../src/stats/quantiles.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { makeContext } from '../helpers/context.ts';

describe('loss-distribution', () => {
  it('reports quantiles and the loss share of the worst 1 % per split, and counts every record in the histogram', async () => {
    // 100 val records: 99 with p(label) = 0.9 and one with p(label) = 1e-6 (loss 13.8).
    const probs = Array.from({ length: 100 }, (_, i) => (i === 7 ? [1e-6, 1 - 1e-6] : [0.9, 0.1]));
    const ctx = makeContext({ probs, labels: probs.map(() => 0) });
    const out = await lossDistribution.run(ctx);
    const val = (out.summary!.lossDistribution as Record<string, Record<string, number>>).val;
    const small = -Math.log(0.9);
    const big = -Math.log(1e-6);
    expect(val.n).toBe(100);
    expect(val.p50).toBeCloseTo(small, 6);
    expect(val.max).toBeCloseTo(big, 4);
    expect(val.mean).toBeCloseTo((99 * small + big) / 100, 5);
    // The worst 1 % is one record here: its share of the total loss.
    expect(val.worst1pctShare).toBeCloseTo(big / (99 * small + big), 5);
    expect(out.headline).toContain('worst 1 % of records carry');
    const chart = out.blocks.find((b) => b.type === 'chart');
    expect(chart?.type === 'chart' && chart.chart.kind === 'histogram').toBe(true);
    if (chart?.type === 'chart' && chart.chart.kind === 'histogram') {
      const total = chart.chart.bins.reduce((s, b) => s + b.count, 0);
      expect(total).toBeCloseTo(1, 9); // shares of the split sum to 1: no record fell off the axis
      expect(chart.chart.rules?.[0].value).toBeCloseTo(Math.log(2), 9);
    }
  });

  it('folds perfect fits below the first edge into the first bin', async () => {
    const ctx = makeContext({ probs: [[1, 0], [1, 0]], labels: [0, 0] });
    const out = await lossDistribution.run(ctx);
    const chart = out.blocks.find((b) => b.type === 'chart');
    if (chart?.type !== 'chart' || chart.chart.kind !== 'histogram') throw new Error('no histogram');
    expect(chart.chart.bins[0]).toMatchObject({ lo: LOSS_EDGES[0], count: 1 });
  });

  it('per split, equals sorting a copy of the split\'s losses (same order of summation, same bins)', async () => {
    const rng = mulberry32(11);
    const n = 2000;
    const splits = Array.from({ length: n }, (_, i) => ['train', 'val', 'test'][i % 3]);
    // Unscorable and unlabelled records are left out of every split; ties and perfect fits included.
    const pLabel = (i: number) => (i % 7 === 0 ? 0.75 : i % 13 === 0 ? 1 : 1 - rng() ** 3);
    const probs = Array.from({ length: n }, (_, i) => {
      const p = pLabel(i);
      return i % 101 === 0 ? null : [p, 1 - p];
    });
    const labels = Array.from({ length: n }, (_, i) => (i % 37 === 0 ? -1 : 0));
    const ctx = makeContext({ probs, labels, splits });
    const out = await lossDistribution.run(ctx);
    const summary = out.summary!.lossDistribution as Record<string, Record<string, number>>;
    const chart = out.blocks.find((b) => b.type === 'chart');
    if (chart?.type !== 'chart' || chart.chart.kind !== 'histogram') throw new Error('no histogram');
    const loss = ctx.run.scores[0].loss;
    for (const [si, split] of ctx.dataset.splitNames.entries()) {
      const values: number[] = [];
      for (let i = 0; i < n; i++) if (ctx.run.scorable[i] && ctx.dataset.labels[i] >= 0 && ctx.dataset.split[i] === si) values.push(loss[i]);
      const sorted = Float64Array.from(values).sort();
      let total = 0;
      for (const v of sorted) total += v;
      const worst = Math.ceil(sorted.length * 0.01);
      let worstSum = 0;
      for (let i = sorted.length - worst; i < sorted.length; i++) worstSum += sorted[i];
      const [p50, p90, p99] = quantiles(sorted, [0.5, 0.9, 0.99]);
      expect(summary[split]).toEqual({ n: values.length, mean: total / values.length, p50, p90, p99, max: sorted[sorted.length - 1], worst1pctShare: worstSum / total });
      const h = histogram(values, LOSS_EDGES);
      h.counts[0] += h.below;
      h.counts[h.counts.length - 1] += h.above;
      expect(chart.chart.bins.filter((b) => b.series === split).map((b) => b.count)).toEqual(h.counts.map((c) => c / values.length));
    }
  });
});
