/**
 * Baseline gap: is the model worth its complexity? Built-in baselines are evaluated on the same
 * records as the model (majority class, class prior, the model on zeroed inputs, a logistic
 * regression trained here); named figures come from the config and the experiment log. The gap
 * table carries paired bootstrap intervals and the section ends in one verdict sentence.
 */
import type { BootstrapResult } from '../stats/bootstrap.ts';
import { figureBaselines } from './baselines/figures.ts';
import { gapMethod, gapsOf, metricsOf } from './baselines/gap.ts';
import { inputIndependent } from './baselines/input-independent.ts';
import { LOGREG, logisticRegression, type LogRegResult } from './baselines/logreg.ts';
import { logisticRegressionOnThread } from './baselines/logreg-thread.ts';
import { classPrior, priorBaselines } from './baselines/prior.ts';
import type { PredictedBaseline } from './baselines/types.ts';
import { recordColumns, rowsOf } from './common.ts';
import { fix, pct } from './format.ts';
import { threadsAllowed } from '../thread.ts';
import type { Analysis, AnalysisContext, Block, Cell } from './types.ts';

/** Seed offsets so each random step has its own stream, all derived from the printed config seed. */
const SEED_STRATIFIED = 101;
const SEED_LOGREG = 202;
const SEED_BOOTSTRAP = 303;

export const baselines: Analysis = {
  id: 'baselines',
  summaryKeys: ['baselines', 'baselineGap'],
  title: 'Baseline gap',
  description:
    'Is the model worth its complexity? Simple baselines evaluated on the same records — majority class, class prior, the model on zeroed inputs, and a logistic regression trained here on the training split — plus named figures from the config and the experiment log, with paired bootstrap intervals on the gap.',
  notApplicable: (ctx) => (ctx.final.rows.length === 0 ? `no scored, labelled records in split "${ctx.final.split}"` : null),
  start(ctx) {
    const p = trainLogReg(ctx);
    if (!p) return;
    p.catch(() => {}); // awaited (and reported) by run; until then a failure is not unhandled
    pendingLogReg.set(ctx, p);
  },
  async run(ctx) {
    const { run, dataset, final } = ctx;
    const k = run.k;
    // The evaluated rows' labels and the model's predictions and losses on them (its probabilities are not needed here).
    const cols = recordColumns(run, dataset, final.checkpoint, final.rows);
    const labels = cols.labels;
    const model = { pred: cols.preds, loss: cols.loss };
    const trainSplit = trainSplitOf(ctx);
    const skipped: string[] = [];

    const { prior } = classPrior(dataset, trainSplit ?? final.split);
    const source = trainSplit ? `the "${trainSplit}" split` : `the evaluated split "${final.split}" itself (no separate training split, which flatters these baselines)`;
    const built: PredictedBaseline[] = priorBaselines(prior, labels, ctx.seed + SEED_STRATIFIED, source);
    if (ctx.predict && ctx.inputs) built.push(await inputIndependent(ctx.predict, final.checkpoint, run.checkpoints[final.checkpoint].id, ctx.inputs.rowSize, labels, k));
    else skipped.push(`model on zeroed inputs: ${ctx.inputs ? 'no model runtime available' : 'no model inputs'}`);
    const lrSkip = logRegSkip(ctx, trainSplit);
    if (lrSkip) skipped.push(`logistic regression: ${lrSkip}`);
    else {
      const lr = pendingLogReg.get(ctx) ?? trainLogReg(ctx)!;
      pendingLogReg.delete(ctx);
      built.push(await lr);
    }
    const figures = figureBaselines(ctx.config.baselines ?? [], ctx.logs.experiments);

    const seed = ctx.seed + SEED_BOOTSTRAP;
    const m = metricsOf(model, labels, k);
    // Grouped bootstrap (large splits) hashes each record's dataset row, as calibration does.
    const gaps = gapsOf(model, built, labels, k, seed, final.rows);
    const evaluated = built.map((b, j) => ({ b, metrics: metricsOf(b, labels, k), gap: gaps[j] }));
    const strongest = [...evaluated].sort((a, b) => b.metrics.accuracy - a.metrics.accuracy)[0];
    const verdictText = verdict(strongest.b.name, strongest.gap.accuracy, m.accuracy, strongest.metrics.accuracy, final.split) + figureSentence(figures, m.accuracy);

    const rows: Cell[][] = [
      [{ text: `model (${run.checkpoints[final.checkpoint].id})`, tone: 'good' }, 'this run', m.accuracy, m.macroF1, m.nll, '—', '—', '—'],
      ...evaluated.map(({ b, metrics, gap }): Cell[] => [b.name, 'evaluated here', metrics.accuracy, metrics.macroF1, metrics.nll, points(gap.accuracy), points(gap.macroF1), nats(gap.nll)]),
      ...figures.map((f): Cell[] => [f.name, f.source, f.accuracy, f.macroF1, f.nll, f.accuracy === null ? '—' : signed(100 * (m.accuracy - f.accuracy), 1), f.macroF1 === null ? '—' : signed(100 * (m.macroF1 - f.macroF1), 1), f.nll === null ? '—' : signed(m.nll - f.nll, 3)]),
    ];
    const notes = [...evaluated.map(({ b }) => `${b.name}: ${b.note}.`), ...figures.filter((f) => f.note).map((f) => `${f.name}: ${f.note}.`), ...skipped.map((s) => `Not evaluated — ${s}.`)];
    // The verdict is the section's headline (and a verdict card): not repeated as a block.
    const blocks: Block[] = [
      {
        type: 'table',
        caption: `Model against baselines on ${final.split} (${labels.length.toLocaleString('en-US')} records)`,
        columns: [
          { label: 'baseline' },
          { label: 'source' },
          { label: 'accuracy', format: 'pct1' },
          { label: 'macro-F1', format: 'fixed3' },
          { label: 'NLL', format: 'fixed3' },
          { label: 'accuracy gap (points)', hint: 'model − baseline, with a 95 % paired bootstrap interval' },
          { label: 'macro-F1 gap (points)', hint: 'model − baseline, with a 95 % paired bootstrap interval' },
          { label: 'NLL gap (nats)', hint: 'model − baseline; negative = the model is better' },
        ],
        rows,
        note: `Intervals: ${gapMethod(labels.length, seed)}. Figures from the config or the experiment log were measured elsewhere and have no interval.`,
      },
      {
        type: 'chart',
        chart: { kind: 'bars', items: [{ label: 'model', value: m.accuracy }, ...evaluated.map(({ b, metrics }) => ({ label: b.name, value: metrics.accuracy })), ...figures.filter((f) => f.accuracy !== null).map((f) => ({ label: f.name.length > 40 ? `${f.name.slice(0, 39)}…` : f.name, value: f.accuracy! }))], xLabel: '', yLabel: 'accuracy', domain: [0, 1], horizontal: true },
        caption: `Accuracy on ${final.split}: the model and every baseline.`,
        alt: 'Horizontal bar chart of the accuracy of the model and each baseline.',
      },
      { type: 'list', items: notes },
    ];
    return {
      headline: verdictText,
      blocks,
      summary: {
        baselines: [
          ...evaluated.map(({ b, metrics }) => ({ name: b.name, kind: b.kind, source: 'evaluated', ...metrics })),
          ...figures.map((f) => ({ name: f.name, kind: 'figure', source: f.source, accuracy: f.accuracy, macroF1: f.macroF1, nll: f.nll })),
        ],
        baselineGap: {
          split: final.split,
          against: strongest.b.name,
          accuracy: ci(strongest.gap.accuracy),
          macroF1: ci(strongest.gap.macroF1),
          nll: ci(strongest.gap.nll),
          ratio: m.accuracy > 0 ? strongest.metrics.accuracy / m.accuracy : null,
          seed,
          resamples: strongest.gap.accuracy.resamples,
          verdict: verdictText,
        },
      },
    };
  },
};

/** Logistic regressions started by `start`, per audit, until `run` collects them. */
const pendingLogReg = new WeakMap<AnalysisContext, Promise<LogRegResult>>();

/**
 * Train the logistic regression (null when it does not apply): on a worker thread when scoring may
 * use more than one (model.workers > 1), so it overlaps the analyses that run before this one.
 */
function trainLogReg(ctx: AnalysisContext): Promise<LogRegResult> | null {
  const trainSplit = trainSplitOf(ctx);
  if (logRegSkip(ctx, trainSplit)) return null; // (no evaluated rows: notApplicable, never started)
  const { run, dataset, final } = ctx;
  const inp = { inputs: ctx.inputs!, rowSize: ctx.inputs!.rowSize, labels: dataset.labels, k: run.k, train: rowsOf(run, dataset, trainSplit), evaluate: final.rows, seed: ctx.seed + SEED_LOGREG };
  return threadsAllowed(ctx.config) ? logisticRegressionOnThread(inp) : logisticRegression(inp);
}

/** The split baselines are fitted on: "train" when it exists and is not the evaluated split. */
function trainSplitOf(ctx: AnalysisContext): string | null {
  return ctx.dataset.splitNames.includes('train') && ctx.final.split !== 'train' ? 'train' : null;
}

function logRegSkip(ctx: AnalysisContext, trainSplit: string | null): string | null {
  if (!ctx.inputs) return 'no model inputs';
  if (!trainSplit) return 'no "train" split to fit it on';
  if (ctx.inputs.rowSize > LOGREG.maxFeatures) return `${ctx.inputs.rowSize.toLocaleString('en-US')} input values per record (limit ${LOGREG.maxFeatures.toLocaleString('en-US')})`;
  if (rowsOf(ctx.run, ctx.dataset, trainSplit).length < 2 * ctx.run.k) return 'fewer than 2 labelled training records per class';
  return null;
}

/** One sentence on the strongest evaluated baseline, including the uncomfortable ratio. */
export function verdict(name: string, gap: BootstrapResult, modelAcc: number, baseAcc: number, split: string): string {
  const g = 100 * gap.estimate;
  const range = `95 % CI ${fix(100 * gap.lo, 1)} to ${fix(100 * gap.hi, 1)}`;
  const share = modelAcc > 0 ? `${name} gets ${pct(baseAcc / modelAcc, 0)} of the model's accuracy` : '';
  if (gap.lo > 0) return `On ${split} the model beats ${name} by ${fix(g, 1)} accuracy points (${range}); ${share}.`;
  if (gap.hi < 0) return `On ${split} ${name} beats the model by ${fix(-g, 1)} accuracy points (${range}): the model is not worth its complexity here.`;
  return `On ${split} the model does not clearly beat ${name}: the accuracy gap is ${fix(g, 1)} points (${range}); ${share}.`;
}

function figureSentence(figures: { name: string; accuracy: number | null }[], modelAcc: number): string {
  const above = figures.filter((f) => f.accuracy !== null && f.accuracy >= modelAcc);
  if (above.length === 0) return '';
  return ` ${above.map((f) => `"${f.name}" (${pct(f.accuracy!)})`).join(', ')} reach${above.length === 1 ? 'es' : ''} at least the model's ${pct(modelAcc)}.`;
}

const signed = (v: number, d: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(d)}` : 'n/a');
const points = (r: BootstrapResult) => `${signed(100 * r.estimate, 1)} (${fix(100 * r.lo, 1)} to ${fix(100 * r.hi, 1)})`;
const nats = (r: BootstrapResult) => `${signed(r.estimate, 3)} (${fix(r.lo, 3)} to ${fix(r.hi, 3)})`;
const ci = (r: BootstrapResult) => ({ gap: r.estimate, lo: r.lo, hi: r.hi });

