/**
 * Per-sample training dynamics across checkpoints: "are the same samples always high-loss?"
 * Every record is followed through every checkpoint (ordered by step) — p(given label), loss,
 * correctness, margin — and summarised as a dataset-cartography data map with named regions,
 * forgetting events, an AUM-style mean margin compared with confident learning, persistently
 * high-loss records, and the headline metrics per checkpoint and split. Definitions and sources:
 * docs/metrics.md ("Training dynamics"). The helpers live in ./dynamics/.
 */
import { rowsOf } from './common.ts';
import { agreement, confidentLearningFlags } from './dynamics/agreement.ts';
import { bestIndex, CURVE_METRICS, metricsPerCheckpoint } from './dynamics/curves.ts';
import { dynamicsCheckpoints, recordDynamics, type RecordDynamics } from './dynamics/matrix.ts';
import { PERSISTENT_Q, PERSISTENT_SHARE, requiredHits, worstQHits } from './dynamics/persistent.ts';
import { AMBIGUOUS_VARIABILITY, DATA_MAP_BINS, dataMapCells, EASY_CONFIDENCE, hardestOrder, REGIONS, regions, VARIABILITY_MAX } from './dynamics/regions.ts';
import { fix, int, pct, plural } from './format.ts';
import type { Analysis, AnalysisContext, Block, Cell, Column } from './types.ts';

/** Splits drawn as separate data maps; with more, one pooled map. */
const MAX_MAPS = 3;
/** Rows in the secondary tables (forgetting, AUM, persistent); the hardest list uses analysis.topK. */
const SECONDARY_ROWS = 10;

export const dynamics: Analysis = {
  id: 'dynamics',
  title: 'Training dynamics per sample',
  description:
    'Every record followed through every checkpoint: a data map of confidence against variability of p(given label) with easy-to-learn, ambiguous and hard-to-learn regions (Dataset Cartography), forgetting events, an AUM-style mean margin compared with confident learning, records that stay high-loss, and the headline metrics per checkpoint.',
  notApplicable(ctx) {
    if (ctx.run.checkpoints.length < 2) return `needs at least 2 checkpoints to follow records over training; found ${ctx.run.checkpoints.length}`;
    if (rowsOf(ctx.run, ctx.dataset, null).length === 0) return 'no scored, labelled records';
    return null;
  },
  run(ctx) {
    const { run, dataset } = ctx;
    const rows = rowsOf(run, dataset, null);
    const { used, skipped } = dynamicsCheckpoints(run);
    const d = recordDynamics(run, dataset.labels, rows, used);
    const region = regions(d);
    const m = rows.length;
    const C = used.length;
    const ids = (cs: number[]) => cs.map((c) => run.checkpoints[c].id);

    const counts = [0, 0, 0];
    for (const g of region) counts[g]++;
    const [easy, ambiguous, hard] = counts;
    const hardest = hardestOrder(d, region);

    const forgettingEvents = d.forgetting.reduce((a, b) => a + b, 0);
    const forgotten = d.forgetting.filter((f) => f > 0).length;
    const neverLearned = d.neverLearned.reduce((a, b) => a + b, 0);

    const hits = worstQHits(run, dataset, rows, used);
    const need = requiredHits(C);
    const persistent = byWorst(positionsWhere(m, (r) => hits[r] >= need), d.meanLoss, true, d.rows);

    const aumFlags = new Set<number>();
    for (let r = 0; r < m; r++) if (d.meanMargin[r] < 0) aumFlags.add(d.rows[r]);
    const cl = confidentLearningFlags(ctx);
    const clFlags = cl.flagged;
    const compared = rows.filter((i) => cl.examined[i] === 1);
    const agree = agreement(compared, aumFlags, clFlags);
    const aumOrder = byWorst(positionsWhere(m, (r) => d.meanMargin[r] < 0), d.meanMargin, false, d.rows);

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
          { label: 'persistently high loss', value: int(persistent.length), hint: `in the worst ${pct(PERSISTENT_Q, 0)} of their split at ≥ ${pct(PERSISTENT_SHARE, 0)} of checkpoints` },
          { label: 'mean margin < 0', value: int(aumFlags.size), hint: 'AUM-style mislabel signal' },
        ],
      },
      ...dataMapBlocks(ctx, d),
      regionTable(ctx, d, region),
      recordTable(ctx, d, hardest.slice(0, ctx.config.analysis.topK), `The ${Math.min(ctx.config.analysis.topK, hardest.length)} hardest records: hard-to-learn, lowest mean p(given label) first`),
      ...forgettingBlocks(ctx, d),
      {
        type: 'text',
        text:
          `Mean margin (AUM-style): the given label's logit minus the largest other logit, averaged over the checkpoints (computed as ln p_label − max ln p_other, which equals the logit difference for a softmax model). ` +
          `${plural(aumFlags.size, 'record')} ${aumFlags.size === 1 ? 'has' : 'have'} a negative mean margin. On the ${int(compared.length)} records the label-issues section examined (${cl.splits.map((x) => `"${x}"`).join(', ')}; confident learning on the final checkpoint ${run.checkpoints[ctx.final.checkpoint].id}), ` +
          `both signals flag ${int(agree.both)}, only the margin ${int(agree.onlyA)}, only confident learning ${int(agree.onlyB)} (Jaccard ${fix(agree.jaccard, 2)}). The margin uses every checkpoint, confident learning only the last; records both flag are the strongest mislabel candidates.`,
      },
      {
        type: 'table',
        caption: `Mislabel signals on the records confident learning examined (${int(compared.length)}): mean margin < 0 against its flags`,
        columns: [{ label: '' }, { label: 'CL flags', format: 'int' }, { label: 'CL does not flag', format: 'int' }],
        rows: [
          ['mean margin < 0', agree.both, agree.onlyA],
          ['mean margin ≥ 0', agree.onlyB, agree.neither],
        ],
      },
      recordTable(ctx, d, aumOrder.slice(0, SECONDARY_ROWS), `Lowest mean margin (${Math.min(SECONDARY_ROWS, aumOrder.length)} of ${int(aumOrder.length)} with margin < 0)`, cl),
      {
        type: 'text',
        text: `${plural(persistent.length, 'record')} ${persistent.length === 1 ? 'is' : 'are'} in the worst ${pct(PERSISTENT_Q, 0)} of their split by loss at ${need} or more of the ${C} checkpoints (≥ ${pct(PERSISTENT_SHARE, 0)}): the same samples stay high-loss throughout training.`,
        tone: persistent.length > 0 ? 'warn' : 'good',
      },
      ...(persistent.length ? [recordTable(ctx, d, persistent.slice(0, SECONDARY_ROWS), `Persistently high-loss records, highest mean loss first (${Math.min(SECONDARY_ROWS, persistent.length)} of ${int(persistent.length)})`)] : []),
      ...curveBlocks(ctx, curves),
    ];

    const label = (i: number) => run.classes[dataset.labels[i]];
    const finalScores = run.scores[ctx.final.checkpoint];
    const bySplit = Object.fromEntries(dataset.splitNames.map((s, si) => [s, regionCounts(region, d.rows, (i) => dataset.split[i] === si)]));
    const headline =
      `${int(hard)} records (${pct(hard / m)}) are hard-to-learn and ${int(ambiguous)} ambiguous over ${plural(C, 'checkpoint')}; ` +
      `${int(neverLearned)} were never learned and ${int(persistent.length)} stay in their split's worst ${pct(PERSISTENT_Q, 0)} by loss at ≥ ${pct(PERSISTENT_SHARE, 0)} of checkpoints.`;
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
          persistentHighLoss: persistent.length,
          meanMargin: { negative: aumFlags.size, comparedOn: { splits: cl.splits, records: compared.length }, confidentLearning: agree.both + agree.onlyB, both: agree.both, marginOnly: agree.onlyA, confidentLearningOnly: agree.onlyB },
          hardest: hardest.slice(0, ctx.config.analysis.topK).map((r) => {
            const i = d.rows[r];
            return {
              id: dataset.ids[i],
              split: dataset.splitNames[dataset.split[i]],
              label: label(i),
              predicted: run.classes[finalScores.pred[i]],
              confidence: d.confidence[r],
              variability: d.variability[r],
              correctness: d.correctness[r],
              meanMargin: d.meanMargin[r],
              forgettingEvents: d.forgetting[r],
            };
          }),
        },
      },
    };
  },
};

function positionsWhere(m: number, keep: (r: number) => boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < m; r++) if (keep(r)) out.push(r);
  return out;
}

/** Positions sorted by `key` (descending when `desc`), ties by dataset order. */
function byWorst(positions: number[], key: Float64Array, desc: boolean, rows: Int32Array): number[] {
  return positions.sort((a, b) => (desc ? key[b] - key[a] : key[a] - key[b]) || rows[a] - rows[b]);
}

function regionCounts(region: Uint8Array, rows: Int32Array, keep: (i: number) => boolean): { easyToLearn: number; ambiguous: number; hardToLearn: number } {
  const c = [0, 0, 0];
  for (let r = 0; r < region.length; r++) if (keep(rows[r])) c[region[r]]++;
  return { easyToLearn: c[0], ambiguous: c[1], hardToLearn: c[2] };
}

function dataMapBlocks(ctx: AnalysisContext, d: RecordDynamics): Block[] {
  const { dataset } = ctx;
  const all = d.rows.map((_, r) => r);
  const groups =
    dataset.splitNames.length > 1 && dataset.splitNames.length <= MAX_MAPS
      ? dataset.splitNames.map((s, si) => ({ name: s, positions: positionsWhere(d.rows.length, (r) => dataset.split[d.rows[r]] === si) })).filter((g) => g.positions.length > 0)
      : [{ name: 'all records', positions: Array.from(all) }];
  const charts: Block[] = groups.map((g) => ({
    type: 'chart',
    caption: `Data map — ${g.name} (${int(g.positions.length)} records, ${DATA_MAP_BINS} × ${DATA_MAP_BINS} bins)`,
    alt: `Binned data map of ${g.positions.length} ${g.name} records: mean p(given label) over checkpoints against its standard deviation, coloured by the fraction of checkpoints correct.`,
    chart: {
      kind: 'density',
      cells: dataMapCells(d, g.positions),
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

function regionTable(ctx: AnalysisContext, d: RecordDynamics, region: Uint8Array): Block {
  const { dataset } = ctx;
  const splits = dataset.splitNames.map((s, si) => ({ s, si })).filter(({ si }) => d.rows.some((i) => dataset.split[i] === si));
  const rows: Cell[][] = REGIONS.map((name, g) => {
    let n = 0;
    let correct = 0;
    const per = splits.map(() => 0);
    for (let r = 0; r < region.length; r++) {
      if (region[r] !== g) continue;
      n++;
      correct += d.correctness[r];
      per[splits.findIndex(({ si }) => si === dataset.split[d.rows[r]])]++;
    }
    return [name, n, n / d.rows.length, ...per, n ? correct / n : null];
  });
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
function recordTable(ctx: AnalysisContext, d: RecordDynamics, positions: number[], caption: string, cl?: { flagged: Set<number>; examined: Uint8Array }): Block {
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
      d.meanMargin[r],
      d.forgetting[r],
      ...(cl ? [cl.flagged.has(i) ? { text: 'yes', tone: 'bad' as const } : { text: cl.examined[i] ? 'no' : 'not examined', tone: 'muted' as const }] : []),
    ];
  });
  return { type: 'table', caption, columns, rows };
}

function forgettingBlocks(ctx: AnalysisContext, d: RecordDynamics): Block[] {
  const max = d.forgetting.reduce((a, b) => Math.max(a, b), 0);
  const items = [{ label: 'never learned', value: 0 }, ...Array.from({ length: max + 1 }, (_, f) => ({ label: String(f), value: 0 }))];
  for (let r = 0; r < d.rows.length; r++) items[d.neverLearned[r] ? 0 : d.forgetting[r] + 1].value++;
  const most = byWorst(
    positionsWhere(d.rows.length, (r) => d.forgetting[r] > 0),
    Float64Array.from(d.forgetting, (f, r) => f - d.confidence[r] / 2), // more events first, then less confident
    true,
    d.rows,
  );
  return [
    {
      type: 'chart',
      caption: 'Forgetting events per record (correct at one checkpoint, wrong at the next)',
      alt: `Bar chart of records by number of forgetting events; ${items[0].value} records were never learned.`,
      chart: { kind: 'bars', items, xLabel: 'forgetting events', yLabel: 'records', horizontal: true },
    },
    ...(most.length ? [recordTable(ctx, d, most.slice(0, SECONDARY_ROWS), `Most often forgotten (${Math.min(SECONDARY_ROWS, most.length)} of ${int(most.length)} forgotten at least once)`)] : []),
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
