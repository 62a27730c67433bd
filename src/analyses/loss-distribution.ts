/**
 * The whole per-sample loss distribution of the final checkpoint, per split: what the mean hides.
 * Histogram edges are fixed (geometric, 1e-5…30 nats) so histograms from shards can be summed.
 */
import { histogram, logEdges } from '../stats/histogram.ts';
import { quantiles } from '../stats/quantiles.ts';
import { rowsOf } from './common.ts';
import { fix, pct } from './format.ts';
import type { Analysis, Block, Cell } from './types.ts';

export const LOSS_EDGES = logEdges(1e-5, 30, 48);

export const lossDistribution: Analysis = {
  id: 'loss-distribution',
  title: 'Loss distribution',
  description: 'Per-sample loss (−ln p of the given label) of the final checkpoint, per split, on a log axis. The mean hides a heavy tail: the quantiles and the share of loss carried by the worst 1 % show it.',
  run(ctx) {
    const { run, dataset, final } = ctx;
    const losses = run.scores[final.checkpoint].loss;
    const lnK = Math.log(run.k);
    const rows: Cell[][] = [];
    const bins: { lo: number; hi: number; count: number; series: string }[] = [];
    const perSplit: Record<string, unknown> = {};
    let finalStats: { mean: number; p99: number; max: number; worstShare: number } | null = null;
    for (const split of dataset.splitNames) {
      const idx = rowsOf(run, dataset, split);
      if (idx.length === 0) continue;
      const values = Float64Array.from(idx, (i) => losses[i]);
      const st = lossStats(values);
      rows.push([split, idx.length, st.mean, st.q[0], st.q[1], st.q[2], st.max, st.worstShare]);
      perSplit[split] = { n: idx.length, mean: st.mean, p50: st.q[0], p90: st.q[1], p99: st.q[2], max: st.max, worst1pctShare: st.worstShare };
      if (split === final.split) finalStats = { mean: st.mean, p99: st.q[2], max: st.max, worstShare: st.worstShare };
      const h = histogram(values, LOSS_EDGES);
      // Losses below the first edge are fitted perfectly; fold them into the first bin so none vanish.
      h.counts[0] += h.below;
      h.counts[h.counts.length - 1] += h.above;
      h.counts.forEach((count, b) => bins.push({ lo: LOSS_EDGES[b], hi: LOSS_EDGES[b + 1], count: count / idx.length, series: split }));
    }
    const blocks: Block[] = [
      {
        type: 'chart',
        chart: { kind: 'histogram', bins, xLabel: 'per-sample loss (nats, log scale)', yLabel: 'share of split', logX: true, rules: [{ value: lnK, label: `ln K = ${fix(lnK, 2)} (chance)` }] },
        caption: `Loss histogram of checkpoint ${run.checkpoints[final.checkpoint].id}, one series per split. Losses below 1e-5 are counted in the first bin.`,
        alt: 'Histogram of per-sample loss per split on a logarithmic axis.',
      },
      {
        type: 'table',
        caption: 'Loss quantiles per split',
        columns: [
          { label: 'split' },
          { label: 'records', format: 'int' },
          { label: 'mean', format: 'fixed3' },
          { label: 'p50', format: 'fixed3' },
          { label: 'p90', format: 'fixed3' },
          { label: 'p99', format: 'fixed3' },
          { label: 'max', format: 'fixed3' },
          { label: 'loss share of worst 1 %', format: 'pct1', hint: 'Sum of the loss of the worst 1 % of records divided by the total loss.' },
        ],
        rows,
      },
    ];
    const headline = finalStats
      ? `On ${final.split}, the mean loss is ${fix(finalStats.mean)} but the worst 1 % of records carry ${pct(finalStats.worstShare)} of the total loss (p99 ${fix(finalStats.p99, 2)}, max ${fix(finalStats.max, 2)}; chance is ln K = ${fix(lnK, 2)}).`
      : `No scored records in ${final.split}.`;
    return { headline, blocks, summary: { lossDistribution: perSplit } };
  },
};

function lossStats(values: Float64Array) {
  const sorted = Float64Array.from(values).sort();
  const q = quantiles(sorted, [0.5, 0.9, 0.99]);
  let total = 0;
  for (const v of sorted) total += v;
  const worst = Math.max(1, Math.ceil(sorted.length * 0.01));
  let worstSum = 0;
  for (let i = sorted.length - worst; i < sorted.length; i++) worstSum += sorted[i];
  return { mean: total / sorted.length, q, max: sorted[sorted.length - 1], worstShare: total > 0 ? worstSum / total : 0 };
}
