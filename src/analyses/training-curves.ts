/**
 * Training curves from the metrics log (losslens JSONL, Keras CSV or TensorBoard): train/val loss,
 * learning rate and gradient norms against step, and the detectors of src/analyses/curves, each
 * with the evidence that decided it. Charts are thinned to a bounded number of points; detectors
 * read every point.
 */
import { basename } from 'node:path';
import type { Dataset } from '../types.ts';
import { detectAll } from './curves/index.ts';
import { curvesOf, entropy } from './curves/series.ts';
import type { Curves, Finding, Series } from './curves/types.ts';
import { fix } from './format.ts';
import type { Analysis, AnalysisContext, Block, Cell, ChartSpec } from './types.ts';

/** Points per chart series; beyond it, each bucket keeps its min and max so spikes stay visible. */
const MAX_CHART_POINTS = 400;
const TONE = { pass: 'good', warn: 'bad', unknown: 'muted' } as const;

export const trainingCurves: Analysis = {
  id: 'training-curves',
  summaryKeys: ['trainingCurves'],
  title: 'Training curves',
  description:
    'Train/val loss, learning rate and gradient norms against step, read from the metrics log, with checks for the usual failures: initial loss far from ln K, NaN/Inf, spikes, plateaus, divergence, a widening train/val gap, exploding or vanishing gradients, and a schedule without warmup or decay.',
  notApplicable: (ctx) => (!ctx.logs.metrics ? 'no metrics log (set logs.metrics or logs.tensorboard in the config)' : ctx.logs.metrics.length === 0 ? 'the metrics log has no rows' : null),
  run(ctx) {
    const rows = ctx.logs.metrics!;
    const { curves, findings } = logCurves(ctx);
    const flagged = findings.filter((f) => f.status === 'warn');
    const blocks: Block[] = [];
    const sources = (ctx.logs.metricsSources ?? []).map((s) => `${basename(s.file)} (${FORMAT_NAMES[s.format]}, ${s.rows} rows)`);
    if (sources.length) blocks.push({ type: 'text', text: `Read from ${sources.join(' and ')}.` });

    const lossSeries = [...new Set(rows.map((r) => r.split))].sort(bySplit).flatMap((split) => {
      const s = curves.all.find((a) => a.split === split && a.key === 'loss');
      return s ? [{ name: `${split} loss`, points: thin(s.series) }] : [];
    });
    if (lossSeries.length) {
      const positive = lossSeries.every((s) => s.points.every((p) => !Number.isFinite(p.y) || p.y > 0));
      const rules: Extract<ChartSpec, { kind: 'lines' }>['rules'] = [{ value: Math.log(ctx.run.k), label: `ln K = ${fix(Math.log(ctx.run.k), 2)}`, axis: 'y' }];
      for (const f of flagged) for (const step of (f.steps ?? []).slice(0, 3)) rules.push({ value: step, label: f.id, axis: 'x' });
      blocks.push(chart({ kind: 'lines', series: lossSeries, xLabel: 'step', yLabel: 'loss (nats)', logY: positive, rules, points: lossSeries.some((s) => s.points.length <= 12) }, 'Loss against step per split; vertical rules mark flagged steps.', 'Line chart of train and validation loss against training step.'));
    }
    const side: Block[] = [];
    if (curves.lr) side.push(chart({ kind: 'lines', series: [{ name: 'lr', points: thin(curves.lr) }], xLabel: 'step', yLabel: 'learning rate' }, 'Learning rate against step.', 'Line chart of the learning rate schedule.'));
    if (curves.gradNorm || curves.gradLayers.length) {
      const series = [...(curves.gradNorm ? [{ name: 'global', points: thin(curves.gradNorm) }] : []), ...curves.gradLayers.slice(0, 8).map((l) => ({ name: l.name, points: thin(l.series) }))];
      side.push(chart({ kind: 'lines', series, xLabel: 'step', yLabel: 'gradient norm (log)', logY: true }, `Global gradient norm${curves.gradLayers.length ? ' and per-layer norms' : ''} against step.`, 'Line chart of gradient norms against step on a log axis.'));
    }
    if (side.length) blocks.push({ type: 'grid', blocks: side });
    const extra = otherScalars(curves.all);
    if (extra.length) blocks.push(chart({ kind: 'lines', series: extra, xLabel: 'step', yLabel: 'value', points: extra.some((s) => s.points.length <= 12) }, 'Other logged scalars.', 'Line chart of the other scalars in the metrics log.'));

    blocks.push({
      type: 'table',
      caption: 'Training-curve checks',
      columns: [{ label: 'check' }, { label: 'result' }, { label: 'evidence' }],
      rows: findings.map((f): Cell[] => [f.check, { text: f.status === 'warn' ? 'flag' : f.status, tone: TONE[f.status] }, f.evidence]),
    });
    const steps = rows.length ? rows.reduce((most, r) => Math.max(most, r.step), -Infinity) : 0; // (not Math.max(...rows): 100 000s of rows overflow the stack)
    const headline = flagged.length
      ? `${flagged.length} of ${findings.length} training checks flag a problem: ${flagged.map((f) => f.check.replace(/^no /, '')).join('; ')}.`
      : `No training-curve check flags a problem over ${steps.toLocaleString('en-US')} steps (${findings.filter((f) => f.status === 'unknown').length} could not be decided from the log).`;
    return {
      headline,
      blocks,
      warnings: [...(ctx.logs.metricsNotes ?? [])],
      summary: { trainingCurves: { steps, findings: findings.map((f) => summaryOf(f)) } },
    };
  },
};

const FORMAT_NAMES = { jsonl: 'losslens JSONL', 'keras-csv': 'Keras CSVLogger', tfevents: 'TensorBoard events' } as const;

function summaryOf(f: Finding) {
  return { id: f.id, check: f.check, status: f.status, evidence: f.evidence };
}

function chart(c: ChartSpec, caption: string, alt: string): Block {
  return { type: 'chart', chart: c, caption, alt };
}

const SPLIT_ORDER = ['train', 'val', 'valid', 'validation', 'dev', 'eval', 'test'];
function bySplit(a: string, b: string): number {
  const ia = SPLIT_ORDER.indexOf(a);
  const ib = SPLIT_ORDER.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}

/** Scalars other than loss, lr and gradient norms (e.g. accuracy), at most 8 series. */
function otherScalars(all: { split: string; key: string; series: Series }[]) {
  return all
    .filter((a) => a.key !== 'loss' && a.key !== 'lr' && a.key !== 'learning_rate' && !a.key.startsWith('grad_norm'))
    .slice(0, 8)
    .map((a) => ({ name: `${a.split} ${a.key}`, points: thin(a.series) }));
}

/** At most MAX_CHART_POINTS points: bucket by index and keep each bucket's min and max. */
export function thin(s: Series): { x: number; y: number }[] {
  const pts = s.step.map((x, i) => ({ x, y: s.value[i] }));
  if (pts.length <= MAX_CHART_POINTS) return pts;
  const buckets = MAX_CHART_POINTS / 2;
  const out: { x: number; y: number }[] = [];
  for (let b = 0; b < buckets; b++) {
    const slice = pts.slice(Math.floor((b * pts.length) / buckets), Math.floor(((b + 1) * pts.length) / buckets));
    const fin = slice.filter((p) => Number.isFinite(p.y));
    if (!fin.length) continue;
    const lo = fin.reduce((a, p) => (p.y < a.y ? p : a));
    const hi = fin.reduce((a, p) => (p.y > a.y ? p : a));
    out.push(...(lo === hi ? [lo] : lo.x < hi.x ? [lo, hi] : [hi, lo]));
  }
  return out;
}

const curvesMemo = new WeakMap<AnalysisContext, { rows: unknown; curves: Curves; findings: Finding[] }>();

/**
 * The metrics log's curves and the detectors' findings, computed once per audit: this section and
 * the recipe checklist both read them (at 500 000 steps, ~13 s each time before the series were
 * built from columns).
 */
export function logCurves(ctx: AnalysisContext): { curves: Curves; findings: Finding[] } {
  let got = curvesMemo.get(ctx);
  if (!got || got.rows !== ctx.logs.metrics) {
    const curves = curvesOf(ctx.logs.metrics ?? [], ctx.run.k, trainPriorEntropy(ctx.dataset));
    curvesMemo.set(ctx, (got = { rows: ctx.logs.metrics, curves, findings: detectAll(curves) }));
  }
  return got;
}

/** Entropy (nats) of the label distribution of the train split (all labelled records if none). */
export function trainPriorEntropy(dataset: Dataset): number | null {
  const t = dataset.splitNames.indexOf('train');
  const counts = new Array<number>(dataset.classes.length).fill(0);
  for (let i = 0; i < dataset.n; i++) if (dataset.labels[i] >= 0 && (t < 0 || dataset.split[i] === t)) counts[dataset.labels[i]]++;
  return counts.some((c) => c > 0) ? entropy(counts) : null;
}

