/**
 * Label issues by confident learning (discovery/confident-learning.ts), on held-out splits by
 * default: probabilities on records the model trained on collapse toward 0/1 and hide wrong labels.
 */
import { discover, discoveryReady, DISCOVERY_RANK, startDiscovery } from './discovery/detect.ts';
import { isTrainingSplit } from './discovery/splits.ts';
import { int, pct, plural } from './format.ts';
import type { Analysis, Block, Cell } from './types.ts';

const MAX_CLASS_ROWS = 50;
const TOP_PAIRS = 10;

export const labelIssues: Analysis = {
  id: 'label-issues',
  summaryKeys: ['labelIssues', 'labelIssueSplits', 'labelIssueExamined', 'labelIssueRanking'],
  title: 'Label issues',
  description: 'Records whose given label the model contradicts with confidence (confident learning): another class clears its per-class threshold (the mean probability the model gives that class on records labelled with it) and beats the given label. Run on held-out splits, where probabilities are out-of-sample; ranked by the probability of the given label, lowest first.',
  start: startDiscovery,
  startRank: DISCOVERY_RANK,
  async run(ctx) {
    const { run, dataset, config } = ctx;
    const s = run.scores[ctx.final.checkpoint];
    await discoveryReady(ctx);
    const li = discover(ctx).labelIssues;
    const examined = li.perSplit.reduce((a, p) => a + p.rows, 0);
    const n = li.issues.length;
    const scope = li.splits.map((x) => `"${x}"`).join(', ');
    const top = li.issues.slice(0, config.analysis.topK);
    const rows: Cell[][] = top.map((is, r) => [
      r + 1,
      { preview: ctx.preview(is.index) },
      dataset.ids[is.index],
      dataset.splitNames[dataset.split[is.index]],
      run.classes[is.given],
      run.classes[is.suggested],
      is.selfConfidence,
      is.suggestedConfidence,
      is.margin,
      s.loss[is.index],
    ]);
    const pairs = new Map<string, { given: number; suggested: number; count: number }>();
    for (const is of li.issues) {
      const key = `${is.given}>${is.suggested}`;
      const p = pairs.get(key) ?? { given: is.given, suggested: is.suggested, count: 0 };
      p.count++;
      pairs.set(key, p);
    }
    const topPairs = [...pairs.values()].sort((a, b) => b.count - a.count || a.given - b.given || a.suggested - b.suggested).slice(0, TOP_PAIRS);

    const blocks: Block[] = [
      {
        type: 'metrics',
        items: [
          { label: 'label-issue candidates', value: `${int(n)} (${pct(n / Math.max(1, examined))})`, tone: n ? 'warn' : 'good' },
          { label: 'splits examined', value: li.splits.join(', '), hint: 'Set analysis.labelIssueSplits to choose; default: every held-out (non-training) split.' },
          ...li.perSplit.map((p) => ({ label: `candidates in ${p.split}`, value: `${int(p.result.issues.length)} / ${int(p.rows)}` })),
        ],
      },
      {
        type: 'table',
        caption: `Top ${top.length} of ${int(n)} label-issue candidates in ${scope}, lowest probability of the given label first`,
        columns: [
          { label: 'rank', format: 'int' },
          { label: 'record' },
          { label: 'id' },
          { label: 'split' },
          { label: 'given' },
          { label: 'suggested' },
          { label: 'p(given)', format: 'sci', hint: 'Self-confidence: the ranking key.' },
          { label: 'p(suggested)', format: 'fixed3' },
          { label: 'margin', format: 'fixed3', hint: 'p(given) − the largest other probability.' },
          { label: 'loss', format: 'fixed3' },
        ],
        rows,
      },
    ];
    if (topPairs.length) {
      blocks.push({
        type: 'table',
        caption: 'Most frequent given → suggested label pairs',
        columns: [{ label: 'given' }, { label: 'suggested' }, { label: 'records', format: 'int' }],
        rows: topPairs.map((p) => [run.classes[p.given], run.classes[p.suggested], p.count]),
      });
    }
    for (const p of li.perSplit) {
      const shown = run.classes.map((_, j) => j).slice(0, MAX_CLASS_ROWS);
      const given = new Int32Array(run.k);
      const suggested = new Int32Array(run.k);
      for (const is of p.result.issues) {
        given[is.given]++;
        suggested[is.suggested]++;
      }
      blocks.push({
        type: 'table',
        caption: `Per-class thresholds on "${p.split}" (mean probability of the class on records labelled with it)`,
        columns: [{ label: 'class' }, { label: 'labelled', format: 'int' }, { label: 'threshold', format: 'fixed3' }, { label: 'candidates with this label', format: 'int' }, { label: 'suggested as this class', format: 'int' }],
        rows: shown.map((j) => [run.classes[j], p.result.support[j], p.result.thresholds[j], given[j], suggested[j]]),
        note: run.k > shown.length ? `First ${shown.length} of ${run.k} classes shown.` : undefined,
      });
    }

    const onlyTraining = li.splits.every(isTrainingSplit);
    const headline = n
      ? `${plural(n, 'record')} in ${scope} (${pct(n / Math.max(1, examined))} of ${int(examined)} examined) look mislabelled: another class clears its threshold and beats the given label${topPairs[0] ? `; most often "${run.classes[topPairs[0].given]}" → "${run.classes[topPairs[0].suggested]}" (${topPairs[0].count})` : ''}.`
      : examined === 0
        ? `No records of ${scope} could be examined: none was scored with a label, so label issues are not known.`
        : `No label-issue candidates among ${int(examined)} records of ${scope}.`;
    return {
      headline: onlyTraining ? `${headline} Computed on training data only: expect misses.` : headline,
      blocks,
      warnings: li.warnings,
      summary: {
        labelIssues: li.issues.map((is, r) => ({
          id: dataset.ids[is.index],
          split: dataset.splitNames[dataset.split[is.index]],
          label: run.classes[is.given],
          suggested: run.classes[is.suggested],
          selfConfidence: is.selfConfidence,
          margin: is.margin,
          rank: r + 1,
        })),
        labelIssueSplits: li.splits,
        labelIssueExamined: examined,
        labelIssueRanking: 'selfConfidence ascending, ties by margin then dataset order',
      },
    };
  },
};
