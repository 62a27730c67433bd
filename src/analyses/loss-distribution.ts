/**
 * The whole per-sample loss distribution of the final checkpoint, per split: what the mean hides.
 * Histogram edges are fixed (geometric, 1e-5…30 nats) so histograms from shards can be summed.
 */
import { histogramSorted, logEdges } from '../stats/histogram.ts';
import { quantile, sortFloat32 } from '../stats/quantiles.ts';
import { fix, pct } from './format.ts';
import type { Analysis, AnalysisContext, Block, Cell } from './types.ts';

export const LOSS_EDGES = logEdges(1e-5, 30, 48);

export const lossDistribution: Analysis = {
  id: 'loss-distribution',
  summaryKeys: ['lossDistribution'],
  title: 'Loss distribution',
  description: 'Per-sample loss (−ln p of the given label) of the final checkpoint, per split, on a log axis. The mean hides a heavy tail: the quantiles and the share of loss carried by the worst 1 % show it.',
  run(ctx) {
    const { run, dataset, final } = ctx;
    const lnK = Math.log(run.k);
    const rows: Cell[][] = [];
    const bins: { lo: number; hi: number; count: number; series: string }[] = [];
    const perSplit: Record<string, unknown> = {};
    let finalStats: { mean: number; p99: number; max: number; worstShare: number } | null = null;
    const bySplit = lossesBySplit(ctx);
    for (let si = 0; si < dataset.splitNames.length; si++) {
      const split = dataset.splitNames[si];
      const n = bySplit[si].length;
      if (n === 0) continue;
      const sorted = sortFloat32(bySplit[si]);
      const st = lossStats(sorted);
      rows.push([split, n, st.mean, st.q[0], st.q[1], st.q[2], st.max, st.worstShare]);
      perSplit[split] = { n, mean: st.mean, p50: st.q[0], p90: st.q[1], p99: st.q[2], max: st.max, worst1pctShare: st.worstShare };
      if (split === final.split) finalStats = { mean: st.mean, p99: st.q[2], max: st.max, worstShare: st.worstShare };
      const h = histogramSorted(sorted, LOSS_EDGES);
      // Losses below the first edge are fitted perfectly; fold them into the first bin so none vanish.
      h.counts[0] += h.below;
      h.counts[h.counts.length - 1] += h.above;
      h.counts.forEach((count, b) => bins.push({ lo: LOSS_EDGES[b], hi: LOSS_EDGES[b + 1], count: count / n, series: split }));
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

/**
 * The final checkpoint's losses of the scorable, labelled records (rowsOf's selection), one array
 * per split in dataset order — one pass over the records for every split at once.
 */
function lossesBySplit(ctx: AnalysisContext): Float32Array[] {
  const { run, dataset, final } = ctx;
  const losses = run.scores[final.checkpoint].loss;
  const { labels, split } = dataset;
  const scorable = run.scorable;
  const counts = new Int32Array(dataset.splitNames.length);
  for (let i = 0; i < run.n; i++) if (scorable[i] && labels[i] >= 0) counts[split[i]]++;
  const out = Array.from(counts, (c) => new Float32Array(c));
  const fill = new Int32Array(counts.length);
  for (let i = 0; i < run.n; i++) if (scorable[i] && labels[i] >= 0) out[split[i]][fill[split[i]]++] = losses[i];
  return out;
}

/**
 * Mean, quantiles (NaN ignored), max and worst-1 % share of one split's losses, sorted ascending
 * with any NaN last; the sums run in that order.
 */
function lossStats(sorted: Float32Array) {
  let finite = sorted.length;
  while (finite > 0 && Number.isNaN(sorted[finite - 1])) finite--;
  const kept = sorted.subarray(0, finite);
  const q = [0.5, 0.9, 0.99].map((p) => quantile(kept, p));
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i];
  const worst = Math.max(1, Math.ceil(sorted.length * 0.01));
  let worstSum = 0;
  for (let i = sorted.length - worst; i < sorted.length; i++) worstSum += sorted[i];
  return { mean: total / sorted.length, q, max: sorted[sorted.length - 1], worstShare: total > 0 ? worstSum / total : 0 };
}
