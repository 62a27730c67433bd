/**
 * The experiment log as a timeline: the tracked metric across experiments (in log order) with each
 * change as an annotation, baselines as reference lines and this audit highlighted; the full log
 * as a table. Also test-set discipline: if the evaluated split is the test set and the log already
 * holds evaluations of the same content (same split hash), a warning goes to the top of the report.
 */
import { metricColumn } from './baselines/figures.ts';
import { splitHeadline } from './common.ts';
import { fix } from './format.ts';
import { isTestSplit, splitHash } from './split-hash.ts';
import type { Analysis, AnalysisOutput, Block, Cell, ChartSpec } from './types.ts';
import type { ExperimentRow } from '../types.ts';

/** Beyond this, the chart drops per-experiment annotations (the table still lists every change). */
const MAX_ANNOTATIONS = 12;
const MAX_TABLE_ROWS = 200;
/** Baseline-tagged experiments drawn as labelled rules: the latest ones (fifty rules piled their labels into one unreadable block). */
const MAX_BASELINE_RULES = 5;

export const timeline: Analysis = {
  id: 'timeline',
  summaryKeys: ['timeline'],
  title: 'Experiment timeline',
  description:
    'How we got here: the tracked metric across the experiment log, each change annotated, baselines as reference lines and this audit highlighted, then the full log. Audits of a test split are checked against earlier evaluations of the same data.',
  notApplicable: (ctx) => (!ctx.logs.experiments ? 'no experiment log (set logs.experiments in the config)' : ctx.logs.experiments.length === 0 ? 'the experiment log has no rows' : null),
  run(ctx) {
    const rows = ctx.logs.experiments!;
    const metric = trackedMetric(rows);
    const tracked = rows.map((r, i) => ({ r, x: i + 1 })).filter(({ r }) => r.metric === metric && Number.isFinite(r.value));
    const col = metricColumn(metric);
    const h = splitHeadline(ctx.run, ctx.dataset, ctx.final.split, ctx.final.checkpoint);
    const current = col ? h[col] : NaN;
    const isBaseline = (r: ExperimentRow) => (r.tags ?? []).some((t) => t.toLowerCase() === 'baseline');

    const loggedBaselines = tracked.filter(({ r }) => isBaseline(r));
    const rules: Extract<ChartSpec, { kind: 'lines' }>['rules'] = loggedBaselines.slice(-MAX_BASELINE_RULES).map(({ r }) => ({ value: r.value, label: `baseline ${r.id}`, axis: 'y' as const }));
    const baselinesShown = loggedBaselines.length > MAX_BASELINE_RULES ? ` (of the ${loggedBaselines.length} experiments tagged baseline, the last ${MAX_BASELINE_RULES})` : '';
    for (const b of ctx.config.baselines ?? []) if (col && b[col] !== null) rules.push({ value: b[col]!, label: b.name, axis: 'y' });
    if (tracked.length <= MAX_ANNOTATIONS) for (const { r, x } of tracked) rules.push({ value: x, label: r.id, axis: 'x' });
    const series = [{ name: metric, points: tracked.map(({ r, x }) => ({ x, y: r.value })) }];
    if (Number.isFinite(current)) series.push({ name: `this audit (${ctx.final.split} ${col})`, points: [{ x: rows.length + 1, y: current }] });

    const discipline = testDiscipline(ctx, rows);
    const blocks: Block[] = [];
    if (discipline.text) blocks.push({ type: 'text', text: discipline.text, tone: discipline.warning ? 'warn' : 'info' });
    blocks.push({
      type: 'chart',
      chart: { kind: 'lines', series, xLabel: 'experiment (log order)', yLabel: metric, points: true, rules },
      caption: `${metric} across the experiment log${tracked.length <= MAX_ANNOTATIONS ? ', each experiment marked by its id' : ''}; horizontal rules are baselines${baselinesShown}${Number.isFinite(current) ? `; the last point is this audit's ${col} on ${ctx.final.split}` : ''}.`,
      alt: `Line chart of ${metric} across experiments.`,
    });
    const extraKeys = ['split', 'splitHash'].filter((k) => rows.some((r) => r[k] !== undefined));
    blocks.push({
      type: 'table',
      caption: 'Experiment log',
      columns: [{ label: 'date' }, { label: 'id' }, { label: 'change' }, { label: 'metric' }, { label: 'value', format: 'fixed4' }, { label: 'note' }, { label: 'tags' }, ...extraKeys.map((k) => ({ label: k }))],
      rows: rows.slice(-MAX_TABLE_ROWS).map((r, i, all): Cell[] => [
        r.date,
        i === all.length - 1 ? { text: r.id, tone: 'good' } : r.id,
        r.change,
        r.metric,
        Number.isFinite(r.value) ? r.value : null,
        r.note ?? '',
        (r.tags ?? []).join(', '),
        ...extraKeys.map((k) => (r[k] === undefined ? '' : String(r[k]))),
      ]),
      note: rows.length > MAX_TABLE_ROWS ? `The last ${MAX_TABLE_ROWS} of ${rows.length} rows; the latest row is highlighted.` : 'The latest row is highlighted.',
    });

    const best = tracked.length ? tracked.reduce((a, b) => (better(metric, b.r.value, a.r.value) ? b : a)) : null;
    const head = best
      ? `${rows.length} experiment${rows.length === 1 ? '' : 's'} logged; the best ${metric} is ${fix(best.r.value, 4)} (${best.r.id}: ${best.r.change})${Number.isFinite(current) ? `; this audit measures ${fix(current, 4)} ${col} on ${ctx.final.split}` : ''}.`
      : `${rows.length} experiment${rows.length === 1 ? '' : 's'} logged, none with a numeric value.`;
    const out: AnalysisOutput = { headline: discipline.warning ? `${discipline.warning} ${head}` : head, blocks, summary: { timeline: { metric, experiments: rows.length, best: best ? { id: best.r.id, value: best.r.value } : null, testEvaluations: discipline.count } } };
    if (discipline.warning) {
      out.warnings = [discipline.warning];
      out.reportWarnings = [discipline.warning];
    }
    return out;
  },
};

/** The metric most rows report (ties: the first one logged). */
export function trackedMetric(rows: ExperimentRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) if (r.metric) counts.set(r.metric, (counts.get(r.metric) ?? 0) + 1);
  let best = '';
  for (const [m, c] of counts) if (c > (counts.get(best) ?? 0)) best = m;
  return best || 'value';
}

const better = (metric: string, a: number, b: number) => (/loss|nll|error|ece|brier/i.test(metric) ? a < b : a > b);

/** Earlier evaluations of the same test data, from log rows that carry this split's hash. */
export function testDiscipline(ctx: Parameters<Analysis['run']>[0], rows: ExperimentRow[]): { warning: string | null; text: string | null; count: number } {
  const split = ctx.final.split;
  if (!isTestSplit(split)) return { warning: null, text: null, count: 0 };
  const hash = splitHash(ctx.dataset, ctx.inputs, split);
  const seen = rows.filter((r) => r.splitHash === hash);
  if (seen.length === 0) return { warning: null, text: `This audit evaluates the test split "${split}" (content hash ${hash}); no earlier evaluation of it is in the experiment log. \`losslens log\` records this one.`, count: 0 };
  const dates = seen.map((r) => r.date).filter(Boolean).sort();
  const warning = `This test set has been evaluated ${seen.length} time${seen.length === 1 ? '' : 's'}${dates.length ? ` since ${dates[0]}` : ''} (${seen.map((r) => r.id).join(', ')}): every look leaks information into your choices, so its numbers are optimistic. Hold out fresh test data for the final claim.`;
  return { warning, text: `Test split "${split}" content hash: ${hash}.`, count: seen.length };
}
