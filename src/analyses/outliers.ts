/**
 * Loss outliers: records whose loss is implausibly high for their class, by a robust rule
 * (discovery/loss-outliers.ts), shown as the user would recognise them with the reasons each one
 * was flagged; plus per-class loss quantiles. Replaces the plain top-losses table: when nothing
 * crosses the rule, the table falls back to the highest-loss records.
 */
import { histogram, linearEdges } from '../stats/histogram.ts';
import { discover, discoveryReady, DISCOVERY_RANK, startDiscovery } from './discovery/detect.ts';
import { inputScanReady, startInputScan } from './discovery/input-scan.ts';
import type { OutlierGroup } from './discovery/loss-outliers.ts';
import { MIN_FLAG_LOSS } from './discovery/loss-outliers.ts';
import { reasonsFor } from './discovery/reasons.ts';
import { fix, int, pct, plural } from './format.ts';
import type { Analysis, AnalysisContext, Block, Cell } from './types.ts';

/** Per-(split, class) rows in the quantile table, and classes in the heatmap (bounded report). */
const MAX_GROUP_ROWS = 60;
const MAX_HEATMAP_CLASSES = 50;
const Z_EDGES = linearEdges(-5, 20, 50);
/** Half-decade loss bins with readable edges. */
const HEAT_EDGES = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30];

export const outliers: Analysis = {
  id: 'outliers',
  summaryKeys: ['outliers', 'outlierIds', 'outlierRule'],
  title: 'Loss outliers',
  description: 'Records whose loss is far above what is typical for their class and split — by a robust rule on the negative log-odds of the given label (median + k·MAD per class), not by a fixed cut — shown as you would recognise them, with every reason they were flagged. Wrong labels and corrupted inputs concentrate here.',
  // The detectors and the input scan (its reasons name duplicate inputs) may run on the worker thread meanwhile.
  start(ctx) {
    startDiscovery(ctx);
    startInputScan(ctx);
  },
  startRank: DISCOVERY_RANK,
  async run(ctx) {
    const { run, dataset, final, config } = ctx;
    const s = run.scores[final.checkpoint];
    await discoveryReady(ctx);
    await inputScanReady(ctx);
    const d = discover(ctx);
    const o = d.outliers;
    let scored = 0;
    for (let i = 0; i < o.z.length; i++) if (!Number.isNaN(o.z[i])) scored++;
    const flaggedFallback = o.order.length === 0;
    const top = flaggedFallback ? rankByLoss(s.loss, config.analysis.topK) : o.order.slice(0, config.analysis.topK);
    const row = (i: number) => ({
      id: dataset.ids[i],
      split: dataset.splitNames[dataset.split[i]],
      label: run.classes[dataset.labels[i]],
      predicted: run.classes[s.pred[i]],
      confidence: s.conf[i],
      loss: s.loss[i],
    });
    const summaryTop = o.order.slice(0, config.analysis.topK).map((i, r) => ({ ...row(i), rank: r + 1, z: finiteOr(o.z[i]), reasons: reasonsFor(ctx, i) }));
    const rows: Cell[][] = top.map((i, r) => [
      r + 1,
      { preview: ctx.preview(i) },
      dataset.ids[i],
      dataset.splitNames[dataset.split[i]],
      run.classes[dataset.labels[i]],
      run.classes[s.pred[i]],
      s.conf[i],
      s.loss[i],
      o.z[i],
      reasonsFor(ctx, i).join('; ') || 'highest loss (below the outlier rule)',
    ]);
    const perSplit = dataset.splitNames.map((name, si) => {
      const g = o.groups.filter((x) => x.split === si);
      return { split: name, n: g.reduce((a, x) => a + x.n, 0), flagged: g.reduce((a, x) => a + x.flagged, 0) };
    }).filter((x) => x.n > 0);

    const blocks: Block[] = [
      {
        type: 'metrics',
        items: [
          { label: 'flagged records', value: `${int(o.order.length)} (${pct(o.order.length / Math.max(1, scored))})`, tone: o.order.length ? 'warn' : 'good' },
          ...perSplit.map((p) => ({ label: `flagged in ${p.split}`, value: `${int(p.flagged)} / ${int(p.n)}` })),
          { label: 'rule', value: `z > ${o.k}`, hint: `Robust z of ln(e^loss − 1) per split and class, and loss > ln 2. Set analysis.outlierK to change k.` },
        ],
      },
      {
        type: 'table',
        caption: flaggedFallback
          ? `No record crossed the outlier rule; the ${top.length} highest-loss records instead (checkpoint ${run.checkpoints[final.checkpoint].id}, all splits)`
          : `Top ${top.length} of ${int(o.order.length)} flagged records, worst loss first (checkpoint ${run.checkpoints[final.checkpoint].id}, all splits; every flagged id is in summary.json and the scores file)`,
        columns: [
          { label: 'rank', format: 'int' },
          { label: 'record' },
          { label: 'id' },
          { label: 'split' },
          { label: 'label' },
          { label: 'predicted' },
          { label: 'confidence', format: 'fixed3' },
          { label: 'loss', format: 'fixed3' },
          { label: 'robust z', format: 'fixed2', hint: 'Robust z of the negative log-odds of the given label within its split and class.' },
          { label: 'why flagged' },
        ],
        rows,
      },
      zChart(o.z, o.k),
      ...heatmap(ctx),
      groupTable(ctx, o.groups),
    ];
    const worst = top[0];
    const headline =
      worst === undefined
        ? 'No scored records.'
        : flaggedFallback
          ? `No record's loss is an outlier for its class (rule z > ${o.k}); the highest, ${dataset.ids[worst]}, has loss ${fix(s.loss[worst], 2)}.`
          : `${plural(o.order.length, 'record')} (${pct(o.order.length / Math.max(1, scored))} of scored) have outlying loss for their class; the worst, ${dataset.ids[worst]} (${dataset.splitNames[dataset.split[worst]]}), is labelled "${run.classes[dataset.labels[worst]]}" but the model says "${run.classes[s.pred[worst]]}" with confidence ${fix(s.conf[worst])} (loss ${fix(s.loss[worst], 2)}).`;
    return {
      headline,
      blocks,
      summary: {
        outliers: summaryTop,
        outlierIds: o.order.map((i) => dataset.ids[i]),
        outlierRule: {
          statistic: 'ln(exp(loss) - 1), the negative log-odds of the given label',
          groupedBy: ['split', 'label'],
          center: 'median',
          scale: '1.4826 * MAD (1.2533 * mean absolute deviation when the MAD is 0)',
          k: o.k,
          minLoss: MIN_FLAG_LOSS,
          checkpoint: run.checkpoints[final.checkpoint].id,
          groups: o.groups.map((g) => ({ split: dataset.splitNames[g.split], class: run.classes[g.label], n: g.n, flagged: g.flagged, thresholdLoss: finiteOr(g.thresholdLoss) })),
        },
      },
    };
  },
};

/**
 * The first `limit` indices of records with a loss by descending loss; ties by dataset order
 * (deterministic). A bounded insertion list, not a sort of every record: the fallback table
 * shows a handful of a million.
 */
export function rankByLoss(loss: Float32Array, limit: number): number[] {
  const top: number[] = [];
  if (limit <= 0) return top;
  for (let i = 0; i < loss.length; i++) {
    const v = loss[i];
    if (Number.isNaN(v)) continue;
    // Visiting in dataset order, a later record only passes an earlier one with a strictly higher loss.
    if (top.length === limit && !(v > loss[top[limit - 1]])) continue;
    let at = top.length === limit ? limit - 1 : top.length;
    while (at > 0 && v > loss[top[at - 1]]) at--;
    if (top.length === limit) top.pop();
    top.splice(at, 0, i);
  }
  return top;
}

const finiteOr = (v: number): number | null => (Number.isFinite(v) ? v : null);

function zChart(z: Float64Array, k: number): Block {
  const h = histogram(z, Z_EDGES);
  h.counts[0] += h.below;
  h.counts[h.counts.length - 1] += h.above;
  return {
    type: 'chart',
    chart: { kind: 'histogram', bins: h.counts.map((count, b) => ({ lo: Z_EDGES[b], hi: Z_EDGES[b + 1], count })), xLabel: 'robust z of ln(e^loss − 1) within split and class', yLabel: 'records', rules: [{ value: k, label: `k = ${k}` }] },
    caption: `Robust z of every scored record; records right of k = ${k} (and with loss > ln 2) are flagged. Values beyond the axis are counted in the end bins.`,
    alt: 'Histogram of robust loss z-scores with the outlier cut-off marked.',
  };
}

/** Share of each class's records per loss bin (log bins) on the headline split. */
function heatmap(ctx: AnalysisContext): Block[] {
  const { run, dataset, final } = ctx;
  if (run.k > MAX_HEATMAP_CLASSES || final.rows.length === 0) return [];
  const loss = run.scores[final.checkpoint].loss;
  const x = HEAT_EDGES.slice(0, -1).map((lo) => (lo < 1e-3 ? lo.toExponential(0) : String(lo)));
  // The headline split's losses grouped by class (two passes over the rows, no array per class and record).
  const counts = new Int32Array(run.k);
  for (let r = 0; r < final.rows.length; r++) counts[dataset.labels[final.rows[r]]]++;
  const byClass = Array.from(counts, (c) => new Float32Array(c));
  const fill = new Int32Array(run.k);
  for (let r = 0; r < final.rows.length; r++) {
    const i = final.rows[r];
    const y = dataset.labels[i];
    byClass[y][fill[y]++] = loss[i];
  }
  const values = byClass.map((v) => {
    const h = histogram(v, HEAT_EDGES);
    h.counts[0] += h.below;
    h.counts[h.counts.length - 1] += h.above;
    return h.counts.map((c) => (v.length ? c / v.length : 0));
  });
  return [
    {
      type: 'chart',
      chart: { kind: 'heatmap', x, y: run.classes, values, xLabel: 'per-sample loss bin (lower edge, nats)', yLabel: 'given class' },
      caption: `Loss distribution per class on ${final.split}: share of each class's records per loss bin (losses below 1e-4 in the first bin). A class whose mass sits to the right is hard or noisy.`,
      alt: `Heatmap of loss bins by class on ${final.split}.`,
    },
  ];
}

function groupTable(ctx: AnalysisContext, groups: OutlierGroup[]): Block {
  const { run, dataset } = ctx;
  const shown = groups.length > MAX_GROUP_ROWS ? [...groups].sort((a, b) => b.flagged - a.flagged || a.split - b.split || a.label - b.label).slice(0, MAX_GROUP_ROWS) : groups;
  return {
    type: 'table',
    caption: 'Loss quantiles and outliers per split and class',
    columns: [
      { label: 'split' },
      { label: 'class' },
      { label: 'records', format: 'int' },
      { label: 'p50', format: 'fixed3' },
      { label: 'p90', format: 'fixed3' },
      { label: 'p99', format: 'fixed3' },
      { label: 'max', format: 'fixed3' },
      { label: 'loss share of worst 1 %', format: 'pct1' },
      { label: 'cut-off loss', format: 'fixed3', hint: 'Smallest loss the rule flags in this group (∞: the group has no spread).' },
      { label: 'flagged', format: 'int' },
    ],
    rows: shown.map((g) => [dataset.splitNames[g.split], run.classes[g.label], g.n, g.p50, g.p90, g.p99, g.max, g.worstShare, g.thresholdLoss, g.flagged]),
    note: groups.length > shown.length ? `${shown.length} of ${groups.length} groups shown, most flagged first.` : undefined,
  };
}
