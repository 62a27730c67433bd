/**
 * Per-sample training dynamics across checkpoints: "are the same samples always high-loss?"
 * Every record is followed through every checkpoint (ordered by step) — p(given label), loss,
 * correctness, margin — and summarised as a dataset-cartography data map with named regions,
 * forgetting events, an AUM-style mean margin compared with confident learning, persistently
 * high-loss records, and the headline metrics per checkpoint and split. Definitions and sources:
 * docs/metrics.md ("Training dynamics"). The helpers live in ./dynamics/.
 */
import { rowsOf } from './common.ts';
import { discoveryReady, DISCOVERY_RANK, startDiscovery } from './discovery/detect.ts';
import { confidentLearningFlags } from './dynamics/agreement.ts';
import { bestIndex, CURVE_METRICS, metricsPerCheckpoint } from './dynamics/curves.ts';
import { dynamicsCheckpoints, meanMarginAt, recordDynamics, type RecordDynamics } from './dynamics/matrix.ts';
import { PERSISTENT_Q, PERSISTENT_SHARE, requiredHits, worstQHits } from './dynamics/persistent.ts';
import { firstInOrder } from './first-in-order.ts';
import { AMBIGUOUS, AMBIGUOUS_VARIABILITY, binnedCells, DATA_MAP_BINS, EASY, EASY_CONFIDENCE, HARD, hardestOrder, REGIONS, VARIABILITY_MAX } from './dynamics/regions.ts';
import { tally, type Tally } from './dynamics/tally.ts';
import { fix, int, pct, plural } from './format.ts';
import type { Analysis, AnalysisContext, Block, Cell, Column } from './types.ts';

/** Splits drawn as separate data maps; with more, one pooled map. */
const MAX_MAPS = 3;
/** Rows in the secondary tables (forgetting, AUM, persistent); the hardest list uses analysis.topK. */
const SECONDARY_ROWS = 10;

export const dynamics: Analysis = {
  id: 'dynamics',
  summaryKeys: ['dynamics'],
  title: 'Training dynamics per sample',
  description:
    'Every record followed through every checkpoint: a data map of confidence against variability of p(given label) with easy-to-learn, ambiguous and hard-to-learn regions (Dataset Cartography), forgetting events, an AUM-style mean margin compared with confident learning, records that stay high-loss, and the headline metrics per checkpoint.',
  notApplicable(ctx) {
    if (ctx.run.checkpoints.length < 2) return `needs at least 2 checkpoints to follow records over training; found ${ctx.run.checkpoints.length}`;
    if (rowsOf(ctx.run, ctx.dataset, null).length === 0) return 'no scored, labelled records';
    return null;
  },
  // The agreement table reads the label-issue detector's flags, which may be computed on the worker thread.
  start: startDiscovery,
  startRank: DISCOVERY_RANK,
  async run(ctx) {
    await discoveryReady(ctx);
    const { run, dataset } = ctx;
    const rows = rowsOf(run, dataset, null);
    const { used, skipped } = dynamicsCheckpoints(run);
    const d = recordDynamics(run, dataset.labels, rows, used);
    const m = rows.length;
    const C = used.length;
    const ids = (cs: number[]) => cs.map((c) => run.checkpoints[c].id);
    const need = requiredHits(C);
    const cl = confidentLearningFlags(ctx);
    const splits = dataset.splitNames.length;
    const t = tally(d, {
      split: dataset.split,
      splits,
      mapPerSplit: splits > 1 && splits <= MAX_MAPS,
      worstQHits: worstQHits(run, dataset, rows, used),
      requiredHits: need,
      flagged: cl.flagged,
      examined: cl.examined,
    });

    const bySplitRegion = t.bySplitRegion;
    const [easy, ambiguous, hard] = [0, 1, 2].map((g) => bySplitRegion.reduce((a, c) => a + c[g], 0));
    const topK = ctx.config.analysis.topK;
    const hardest = hardestOrder(d, t.hard, topK);
    const { forgettingEvents, forgotten, neverLearned } = t;
    const persistent = worstFirst(t.persistent, d.meanLoss, true, d.rows);
    const agree = t.agreement;
    const aumOrder = worstFirst(t.negativeMargin, d.meanMargin, false, d.rows);
    const negativeMargins = aumOrder.count;

    const curves = metricsPerCheckpoint(run, dataset);
    const blocks: Block[] = [
      {
        type: 'text',
        text:
          `Statistics over ${plural(C, 'checkpoint')} (${ids(used).join(', ')}) for ${plural(m, 'scored, labelled record')} of every split.` +
          (skipped.length ? ` ${ids(skipped).join(', ')} (step 0, the model before training) is left out: its predictions reflect the random initialisation, not learning.` : '') +
          ' The granularity is saved checkpoints scored afterwards in inference mode, not the per-epoch or per-minibatch measurements of the papers, so counts (forgetting events especially) are lower bounds of what happened between checkpoints.',
      },
      {
        type: 'metrics',
        items: [
          { label: 'easy-to-learn', value: `${int(easy)} (${pct(easy / m)})`, hint: `variability < ${AMBIGUOUS_VARIABILITY}, confidence ≥ ${EASY_CONFIDENCE}` },
          { label: 'ambiguous', value: `${int(ambiguous)} (${pct(ambiguous / m)})`, hint: `variability ≥ ${AMBIGUOUS_VARIABILITY}` },
          { label: 'hard-to-learn', value: `${int(hard)} (${pct(hard / m)})`, hint: `variability < ${AMBIGUOUS_VARIABILITY}, confidence < ${EASY_CONFIDENCE}`, tone: hard > 0 ? 'warn' : 'good' },
          { label: 'never learned', value: int(neverLearned), hint: 'wrong at every checkpoint' },
          { label: 'forgetting events', value: int(forgettingEvents), hint: `correct at one checkpoint, wrong at the next; ${int(forgotten)} records forgot at least once` },
          { label: 'persistently high loss', value: int(persistent.count), hint: `in the worst ${pct(PERSISTENT_Q, 0)} of their split at ≥ ${pct(PERSISTENT_SHARE, 0)} of checkpoints` },
          { label: 'mean margin < 0', value: int(negativeMargins), hint: 'AUM-style mislabel signal' },
        ],
      },
      ...dataMapBlocks(ctx, t),
      regionTable(ctx, t),
      recordTable(ctx, d, hardest, `The ${Math.min(topK, hard)} hardest records: hard-to-learn, lowest mean p(given label) first`),
      ...forgettingBlocks(ctx, d, t),
      {
        type: 'text',
        text:
          `Mean margin (AUM-style): the given label's logit minus the largest other logit, averaged over the checkpoints (computed as ln p_label − max ln p_other, which equals the logit difference for a softmax model). ` +
          `${plural(negativeMargins, 'record')} ${negativeMargins === 1 ? 'has' : 'have'} a negative mean margin. On the ${int(t.compared)} records the label-issues section examined (${cl.splits.map((x) => `"${x}"`).join(', ')}; confident learning on the final checkpoint ${run.checkpoints[ctx.final.checkpoint].id}), ` +
          `both signals flag ${int(agree.both)}, only the margin ${int(agree.onlyA)}, only confident learning ${int(agree.onlyB)} (Jaccard ${fix(agree.jaccard, 2)}). The margin uses every checkpoint, confident learning only the last; records both flag are the strongest mislabel candidates.`,
      },
      {
        type: 'table',
        caption: `Mislabel signals on the records confident learning examined (${int(t.compared)}): mean margin < 0 against its flags`,
        columns: [{ label: '' }, { label: 'CL flags', format: 'int' }, { label: 'CL does not flag', format: 'int' }],
        rows: [
          ['mean margin < 0', agree.both, agree.onlyA],
          ['mean margin ≥ 0', agree.onlyB, agree.neither],
        ],
      },
      recordTable(ctx, d, aumOrder.positions, `Lowest mean margin (${Math.min(SECONDARY_ROWS, aumOrder.count)} of ${int(aumOrder.count)} with margin < 0)`, cl),
      {
        type: 'text',
        text: `${plural(persistent.count, 'record')} ${persistent.count === 1 ? 'is' : 'are'} in the worst ${pct(PERSISTENT_Q, 0)} of their split by loss at ${need} or more of the ${C} checkpoints (≥ ${pct(PERSISTENT_SHARE, 0)}): the same samples stay high-loss throughout training.`,
        tone: persistent.count > 0 ? 'warn' : 'good',
      },
      ...(persistent.count ? [recordTable(ctx, d, persistent.positions, `Persistently high-loss records, highest mean loss first (${Math.min(SECONDARY_ROWS, persistent.count)} of ${int(persistent.count)})`)] : []),
      ...curveBlocks(ctx, curves),
    ];

    const label = (i: number) => run.classes[dataset.labels[i]];
    const finalScores = run.scores[ctx.final.checkpoint];
    const bySplit = Object.fromEntries(dataset.splitNames.map((s, si) => [s, { easyToLearn: bySplitRegion[si][EASY], ambiguous: bySplitRegion[si][AMBIGUOUS], hardToLearn: bySplitRegion[si][HARD] }]));
    const headline =
      `${int(hard)} records (${pct(hard / m)}) are hard-to-learn and ${int(ambiguous)} ambiguous over ${plural(C, 'checkpoint')}; ` +
      `${int(neverLearned)} were never learned and ${int(persistent.count)} stay in their split's worst ${pct(PERSISTENT_Q, 0)} by loss at ≥ ${pct(PERSISTENT_SHARE, 0)} of checkpoints.`;
    return {
      headline,
      blocks,
      summary: {
        dynamics: {
          checkpoints: ids(used),
          skipped: ids(skipped),
          records: m,
          thresholds: { ambiguousVariability: AMBIGUOUS_VARIABILITY, easyConfidence: EASY_CONFIDENCE, persistentQ: PERSISTENT_Q, persistentShare: PERSISTENT_SHARE },
          regions: { easyToLearn: easy, ambiguous, hardToLearn: hard },
          regionsBySplit: bySplit,
          forgettingEvents,
          forgotten,
          neverLearned,
          persistentHighLoss: persistent.count,
          meanMargin: { negative: negativeMargins, comparedOn: { splits: cl.splits, records: t.compared }, confidentLearning: agree.both + agree.onlyB, both: agree.both, marginOnly: agree.onlyA, confidentLearningOnly: agree.onlyB },
          hardest: hardest.map((r) => {
            const i = d.rows[r];
            return {
              id: dataset.ids[i],
              split: dataset.splitNames[dataset.split[i]],
              label: label(i),
              predicted: run.classes[finalScores.pred[i]],
              confidence: d.confidence[r],
              variability: d.variability[r],
              correctness: d.correctness[r],
              meanMargin: meanMarginAt(run, dataset.labels, d, r),
              forgettingEvents: d.forgetting[r],
            };
          }),
        },
      },
    };
  },
};

/**
 * The `candidates` (positions) by `key` (descending when `desc`), ties by dataset order: the first
 * SECONDARY_ROWS, and how many candidates there are.
 */
function worstFirst(candidates: number[], key: Float64Array, desc: boolean, rows: Int32Array): { positions: number[]; count: number } {
  const positions = firstInOrder(candidates, (a, b) => (desc ? key[b] - key[a] : key[a] - key[b]) || rows[a] - rows[b], SECONDARY_ROWS);
  return { positions, count: candidates.length };
}

function dataMapBlocks(ctx: AnalysisContext, t: Tally): Block[] {
  const { dataset } = ctx;
  const groups: { name: string; records: number; map: Tally['maps'][number] }[] = [];
  if (t.maps.length > 1) {
    dataset.splitNames.forEach((name, si) => {
      const records = t.bySplitRegion[si].reduce((a, c) => a + c, 0);
      if (records > 0) groups.push({ name, records, map: t.maps[si] });
    });
  } else groups.push({ name: 'all records', records: t.regionRecords.reduce((a, c) => a + c, 0), map: t.maps[0] });
  const charts: Block[] = groups.map((g) => ({
    type: 'chart',
    caption: `Data map — ${g.name} (${int(g.records)} records, ${DATA_MAP_BINS} × ${DATA_MAP_BINS} bins)`,
    alt: `Binned data map of ${g.records} ${g.name} records: mean p(given label) over checkpoints against its standard deviation, coloured by the fraction of checkpoints correct.`,
    chart: {
      kind: 'density',
      cells: binnedCells(g.map.count, g.map.correct),
      xDomain: [0, VARIABILITY_MAX],
      yDomain: [0, 1],
      xLabel: 'variability (std of p(label))',
      yLabel: 'confidence (mean p(label))',
      valueLabel: 'fraction correct',
      rules: [
        { value: AMBIGUOUS_VARIABILITY, label: 'ambiguous →', axis: 'x' },
        { value: EASY_CONFIDENCE, label: 'easy ↑ / hard ↓', axis: 'y' },
      ],
    },
  }));
  return [charts.length === 1 ? charts[0] : { type: 'grid', blocks: charts }];
}

function regionTable(ctx: AnalysisContext, t: Tally): Block {
  const { dataset } = ctx;
  const { bySplitRegion, regionRecords: n, regionCorrect: correct } = t;
  const records = n.reduce((a, c) => a + c, 0);
  const splits = dataset.splitNames.map((s, si) => ({ s, si })).filter(({ si }) => bySplitRegion[si].some((c) => c > 0));
  const rows: Cell[][] = REGIONS.map((name, g) => [name, n[g], n[g] / records, ...splits.map(({ si }) => bySplitRegion[si][g]), n[g] ? correct[g] / n[g] : null]);
  return {
    type: 'table',
    caption: 'Regions of the data map, by split',
    columns: [
      { label: 'region' },
      { label: 'records', format: 'int' },
      { label: 'share', format: 'pct1' },
      ...splits.map(({ s }): Column => ({ label: s, format: 'int' })),
      { label: 'mean fraction correct', format: 'fixed3' },
    ],
    rows,
    note: `Ambiguous: variability ≥ ${AMBIGUOUS_VARIABILITY}. Otherwise easy-to-learn when confidence ≥ ${EASY_CONFIDENCE}, else hard-to-learn. Wrong labels and unrecognisable inputs collect in hard-to-learn.`,
  };
}

/** A table of records (positions into d.rows) with previews and their dynamics. */
function recordTable(ctx: AnalysisContext, d: RecordDynamics, positions: number[], caption: string, cl?: { flagged: Uint8Array; examined: Uint8Array }): Block {
  const { run, dataset } = ctx;
  const fin = run.scores[ctx.final.checkpoint];
  const columns: Column[] = [
    { label: 'record' },
    { label: 'id' },
    { label: 'split' },
    { label: 'label' },
    { label: 'final prediction' },
    { label: 'confidence', format: 'fixed3', hint: 'mean p(given label) over checkpoints' },
    { label: 'variability', format: 'fixed3', hint: 'std of p(given label) over checkpoints' },
    { label: 'correct', format: 'pct', hint: 'fraction of checkpoints predicting the given label' },
    { label: 'mean margin', format: 'fixed2', hint: 'mean of ln p_label − max ln p_other' },
    { label: 'forgotten', format: 'int', hint: 'forgetting events' },
    ...(cl ? [{ label: 'CL flag', hint: 'flagged by confident learning in the label-issues section' }] : []),
  ];
  const rows: Cell[][] = positions.map((r) => {
    const i = d.rows[r];
    return [
      { preview: ctx.preview(i) },
      dataset.ids[i],
      dataset.splitNames[dataset.split[i]],
      run.classes[dataset.labels[i]],
      run.classes[fin.pred[i]],
      d.confidence[r],
      d.variability[r],
      d.correctness[r],
      meanMarginAt(run, dataset.labels, d, r),
      d.forgetting[r],
      ...(cl ? [cl.flagged[i] === 1 ? { text: 'yes', tone: 'bad' as const } : { text: cl.examined[i] ? 'no' : 'not examined', tone: 'muted' as const }] : []),
    ];
  });
  return { type: 'table', caption, columns, rows };
}

function forgettingBlocks(ctx: AnalysisContext, d: RecordDynamics, t: Tally): Block[] {
  const { forgetting, confidence, rows } = d;
  const counts = t.forgettingHistogram;
  const items = [{ label: 'never learned', value: counts[0] }, ...Array.from({ length: counts.length - 1 }, (_, f) => ({ label: String(f), value: counts[f + 1] }))];
  // More events first, then less confident, then dataset order.
  const key = (r: number) => forgetting[r] - confidence[r] / 2;
  const most = { positions: firstInOrder(t.forgottenRecords, (a, b) => key(b) - key(a) || rows[a] - rows[b], SECONDARY_ROWS), count: t.forgottenRecords.length };
  return [
    {
      type: 'chart',
      caption: 'Forgetting events per record (correct at one checkpoint, wrong at the next)',
      alt: `Bar chart of records by number of forgetting events; ${items[0].value} records were never learned.`,
      chart: { kind: 'bars', items, xLabel: 'forgetting events', yLabel: 'records', horizontal: true },
    },
    ...(most.count ? [recordTable(ctx, d, most.positions, `Most often forgotten (${Math.min(SECONDARY_ROWS, most.count)} of ${int(most.count)} forgotten at least once)`)] : []),
  ];
}

function curveBlocks(ctx: AnalysisContext, curves: ReturnType<typeof metricsPerCheckpoint>): Block[] {
  const { run } = ctx;
  const splits = Object.keys(curves);
  const steps = run.checkpoints.map((c) => c.step);
  const last = ctx.final.checkpoint;
  const charts: Block[] = CURVE_METRICS.map((metric) => ({
    type: 'chart',
    caption: `${metric.label} per checkpoint`,
    alt: `${metric.label} at each checkpoint step for ${splits.join(', ')}.`,
    chart: {
      kind: 'lines',
      series: splits.map((s) => ({ name: s, points: steps.map((x, c) => ({ x, y: curves[s][metric.key][c] })) })),
      xLabel: 'step',
      yLabel: metric.label,
      points: true,
    },
  }));
  const rows: Cell[][] = [];
  for (const s of splits) {
    for (const metric of CURVE_METRICS) {
      const values = curves[s][metric.key];
      const best = bestIndex(values, metric.higherIsBetter);
      if (best < 0) continue;
      const regressed = best !== last && Number.isFinite(values[last]);
      rows.push([
        s,
        metric.label,
        run.checkpoints[best].id,
        values[best],
        values[last],
        regressed ? { text: `${values[last] - values[best] >= 0 ? '+' : ''}${fix(values[last] - values[best], 4)}`, tone: 'warn' } : { text: 'final is best', tone: 'good' },
      ]);
    }
  }
  return [
    { type: 'grid', blocks: charts },
    {
      type: 'table',
      caption: `Best checkpoint against the final one (${run.checkpoints[last].id}), per split and metric`,
      columns: [{ label: 'split' }, { label: 'metric' }, { label: 'best at' }, { label: 'best', format: 'fixed4' }, { label: 'final', format: 'fixed4' }, { label: 'final − best' }],
      rows,
      note: 'A final checkpoint worse than an earlier one on the held-out split is a late-epoch regression: consider early stopping or the earlier checkpoint.',
    },
  ];
}
