/**
 * Per-class precision, recall, F1 and support with macro and weighted averages, the confusion
 * matrix (counts and row-normalised), the most-confused pairs with example records, and per-class
 * accuracy across checkpoints — all on the headline split; the tables on the final checkpoint.
 */
import { confusionMatrix, macroF1, marginals, perClassMetrics, weightedF1, type ClassMetrics } from '../stats/classification.ts';
import { curveClasses, MAX_CLASS_ROWS, MAX_CURVE_CLASSES, MAX_MATRIX_CLASSES, mostConfusedClasses, subMatrix, tableClasses } from './class-selection.ts';
import { fix, int, pct } from './format.ts';
import type { Analysis, AnalysisContext, Block, Cell } from './types.ts';

/** How many confused pairs and examples per pair the report shows (bounded size). */
export const CONFUSED_PAIRS = 5;
export const PAIR_EXAMPLES = 3;
/** A class counts as forgotten when its final accuracy is this far below its earlier peak. */
export const FORGET_DROP = 0.05;
/** Checkpoints behind the median class before a class counts as learned late. */
export const LATE_BY = 2;
/** Forgotten / learned-late notes listed before the rest are only counted. */
export const MAX_PATTERN_NOTES = 20;

export interface Averages {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/**
 * Macro averages use the CONTRACT macro-F1 rule for all three columns: classes with neither support
 * nor predictions are left out. Weighted averages weight each class by its support (sklearn).
 */
export function averages(matrix: number[][], metrics: ClassMetrics[], sums = marginals(matrix)): { macro: Averages; weighted: Averages } {
  const { predicted } = sums;
  const counted = metrics.filter((m, c) => m.support > 0 || predicted[c] > 0);
  const total = metrics.reduce((s, m) => s + m.support, 0);
  const mean = (f: (m: ClassMetrics) => number) => (counted.length ? counted.reduce((s, m) => s + f(m), 0) / counted.length : NaN);
  const wmean = (f: (m: ClassMetrics) => number) => (total > 0 ? metrics.reduce((s, m) => s + f(m) * m.support, 0) / total : NaN);
  return {
    macro: { precision: mean((m) => m.precision), recall: mean((m) => m.recall), f1: macroF1(matrix, sums), support: total },
    weighted: { precision: wmean((m) => m.precision), recall: wmean((m) => m.recall), f1: weightedF1(matrix, sums), support: total },
  };
}

/** Classes up to which summary.json also holds the row-normalised confusion matrix (divide the counts' rows by their sums beyond). */
export const MAX_ROW_NORMALISED = 1000;

/** Each row divided by its sum (the row's recall profile; `support`: the row sums, when known); an empty row stays all 0. */
export function rowNormalise(matrix: number[][], support: ArrayLike<number> = marginals(matrix).support): number[][] {
  return matrix.map((row, t) => row.map((v) => (support[t] ? v / support[t] : 0)));
}

export interface ConfusedPair {
  given: number;
  predicted: number;
  count: number;
  /** count / support of the given class. */
  rate: number;
  /** Dataset indices of example records, most confident mistake first. */
  examples: number[];
}

/**
 * Off-diagonal cells by descending count (ties: given class, then predicted class, ascending);
 * examples are the pair's records by descending confidence, ties by dataset order.
 */
export function confusedPairs(ctx: AnalysisContext, matrix: number[][], limit = CONFUSED_PAIRS, examples = PAIR_EXAMPLES): ConfusedPair[] {
  const { run, dataset, final } = ctx;
  const s = run.scores[final.checkpoint];
  const cells: { given: number; predicted: number; count: number }[] = [];
  matrix.forEach((row, t) => row.forEach((count, p) => t !== p && count > 0 && cells.push({ given: t, predicted: p, count })));
  cells.sort((a, b) => b.count - a.count || a.given - b.given || a.predicted - b.predicted);
  const shown = cells.slice(0, limit);
  // One pass over the rows for every shown pair: a (given, predicted) → pair lookup table and a
  // short best-first list per pair, instead of filtering and sorting the rows once per pair.
  const k = run.k;
  const slot = new Int32Array(k * k).fill(-1);
  shown.forEach((c, p) => (slot[c.given * k + c.predicted] = p));
  const best: number[][] = shown.map(() => []);
  const { labels } = dataset;
  const { pred, conf } = s;
  for (let r = 0; r < final.rows.length; r++) {
    const i = final.rows[r];
    const y = labels[i];
    const p = pred[i];
    if (y < 0 || p < 0 || y >= k || p >= k) continue;
    const at = slot[y * k + p];
    if (at >= 0) keepMostConfident(best[at], i, conf, examples);
  }
  return shown.map((c, p) => {
    const support = matrix[c.given].reduce((a, b) => a + b, 0);
    return { ...c, rate: c.count / support, examples: best[p] };
  });
}

/**
 * Insert record i into `list` (most confident first, ties by dataset order) keeping at most `limit`.
 * Records arrive in dataset order, so a later one only passes an earlier one with strictly higher confidence.
 */
function keepMostConfident(list: number[], i: number, conf: Float32Array, limit: number): void {
  if (limit <= 0) return;
  const v = conf[i];
  if (list.length === limit && !(v > conf[list[limit - 1]])) return;
  let at = list.length === limit ? limit - 1 : list.length;
  while (at > 0 && v > conf[list[at - 1]]) at--;
  if (list.length === limit) list.pop();
  list.splice(at, 0, i);
}

/** Given labels and final predictions of the headline rows (only what the matrix needs; no probability copy). */
function labelsAndPreds(ctx: AnalysisContext): { labels: Int32Array; preds: Int32Array } {
  const { run, dataset, final } = ctx;
  const pred = run.scores[final.checkpoint].pred;
  const labels = new Int32Array(final.rows.length);
  const preds = new Int32Array(final.rows.length);
  for (let r = 0; r < final.rows.length; r++) {
    labels[r] = dataset.labels[final.rows[r]];
    preds[r] = pred[final.rows[r]];
  }
  return { labels, preds };
}

/** Accuracy within each class (recall) per checkpoint on `rows`; NaN for a class without records. */
export function classAccuracyByCheckpoint(ctx: AnalysisContext, rows: Int32Array): number[][] {
  const { run, dataset } = ctx;
  const labels = dataset.labels;
  return run.scores.map(({ pred }) => {
    const hit = new Int32Array(run.k);
    const n = new Int32Array(run.k);
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      const y = labels[i];
      n[y]++;
      if (pred[i] === y) hit[y]++;
    }
    return Array.from(hit, (h, c) => (n[c] ? h / n[c] : NaN));
  });
}

/**
 * Forgotten: final accuracy more than FORGET_DROP below the class's peak at an earlier checkpoint.
 * Learned late: the first checkpoint within FORGET_DROP of the class's peak accuracy comes at
 * least LATE_BY checkpoints after the (lower) median of that checkpoint over all classes with
 * records — one checkpoint behind is ordinary spread, two is a pattern.
 */
export function learningPattern(curves: number[][], k: number): { forgotten: { c: number; peak: number; final: number }[]; late: { c: number; at: number }[] } {
  const last = curves.length - 1;
  const forgotten: { c: number; peak: number; final: number }[] = [];
  const reach: { c: number; at: number }[] = [];
  for (let c = 0; c < k; c++) {
    const ys = curves.map((row) => row[c]);
    if (!Number.isFinite(ys[last])) continue;
    const earlier = Math.max(...ys.slice(0, last).filter(Number.isFinite));
    if (last > 0 && earlier - ys[last] > FORGET_DROP) forgotten.push({ c, peak: earlier, final: ys[last] });
    const peak = Math.max(earlier, ys[last]);
    reach.push({ c, at: ys.findIndex((y) => Number.isFinite(y) && y >= peak - FORGET_DROP) });
  }
  const sorted = reach.map((r) => r.at).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  return { forgotten, late: reach.filter((r) => r.at >= median + LATE_BY) };
}

export const perClass: Analysis = {
  id: 'per-class',
  summaryKeys: ['perClass', 'perClassAverages', 'confusion', 'confusedPairs'],
  title: 'Per-class performance',
  description:
    'Precision, recall, F1 and support per class with macro and weighted averages, the confusion matrix (rows: given label, columns: prediction) as counts and row-normalised, the most-confused pairs with examples, and per-class accuracy across checkpoints — on the headline split.',
  notApplicable: (ctx) => (ctx.final.rows.length === 0 ? `no scored, labelled records in split "${ctx.final.split}"` : null),
  run(ctx) {
    const { run, dataset, final } = ctx;
    const classes = run.classes;
    const { labels, preds } = labelsAndPreds(ctx);
    const matrix = confusionMatrix(labels, preds, run.k);
    // Row and column sums once: the metrics, averages, table and heatmap choice all read them.
    const sums = marginals(matrix);
    const metrics = perClassMetrics(matrix, sums);
    const avg = averages(matrix, metrics, sums);
    const pairs = confusedPairs(ctx, matrix);
    const ckpt = run.checkpoints[final.checkpoint].id;

    // Many classes (class-selection.ts): the table's worst classes, the heatmaps' most confused.
    const k = run.k;
    const rows: Cell[][] = tableClasses(metrics, sums.predicted).map((c) => [classes[c], metrics[c].precision, metrics[c].recall, metrics[c].f1, metrics[c].support]);
    rows.push([{ text: 'macro average', tone: 'muted' }, avg.macro.precision, avg.macro.recall, avg.macro.f1, avg.macro.support]);
    rows.push([{ text: 'weighted average', tone: 'muted' }, avg.weighted.precision, avg.weighted.recall, avg.weighted.f1, avg.weighted.support]);

    const worst = metrics
      .map((m, c) => ({ c, recall: m.recall, support: m.support }))
      .filter((m) => m.support > 0)
      .sort((a, b) => a.recall - b.recall || a.c - b.c)[0];
    const top = pairs[0];
    const headline = worst
      ? `Macro-F1 on ${final.split} is ${fix(avg.macro.f1)}; the weakest class is "${classes[worst.c]}" with recall ${pct(worst.recall)} over ${worst.support} records` +
        (top ? `, and the most common confusion is "${classes[top.given]}" → "${classes[top.predicted]}" (${top.count} records).` : '.')
      : `No labelled records in ${final.split}.`;

    const shown = mostConfusedClasses(matrix, sums);
    const names = shown.map((c) => classes[c]);
    // Shares of the whole row, also when only some of its columns are shown: rowNormalise's values
    // (its row total is marginals' support, the same sum) for the shown cells only.
    const shownNorm = shown.map((t) => shown.map((p) => (sums.support[t] ? matrix[t][p] / sums.support[t] : 0)));
    const someOf = k > MAX_MATRIX_CLASSES ? `: the ${MAX_MATRIX_CLASSES} classes of ${int(k)} with the most confused records (as given label or as prediction); the whole matrix is in summary.json (confusion.matrix)` : '';

    const blocks: Block[] = [
      {
        type: 'table',
        caption: `Per-class metrics on ${final.split} (checkpoint ${ckpt})` + (k > MAX_CLASS_ROWS ? `: the ${MAX_CLASS_ROWS} classes of ${int(k)} with the lowest F1, worst first (every class is in summary.json, perClass)` : ''),
        columns: [
          { label: 'class' },
          { label: 'precision', format: 'fixed3', hint: 'TP / predicted as the class; 0 when never predicted' },
          { label: 'recall', format: 'fixed3', hint: 'TP / support; 0 when the class has no records' },
          { label: 'F1', format: 'fixed3', hint: '2PR / (P + R); 0 when P + R = 0' },
          { label: 'support', format: 'int', hint: 'records whose given label is the class' },
        ],
        rows,
        note: 'Macro average: unweighted mean over classes, leaving out a class with neither records nor predictions. Weighted average: mean weighted by support.',
      },
      {
        type: 'grid',
        blocks: [
          {
            type: 'chart',
            chart: { kind: 'heatmap', x: names, y: names, values: shownNorm, labels: subMatrix(matrix, shown).map((row) => row.map(String)), xLabel: 'predicted', yLabel: 'given label' },
            caption: `Confusion matrix, counts (colour: share of the row)${someOf}.`,
            alt: 'Confusion matrix heatmap of given label against predicted class, with counts.',
          },
          {
            type: 'chart',
            chart: { kind: 'heatmap', x: names, y: names, values: shownNorm, labels: shownNorm.map((row) => row.map((v) => (v ? (100 * v).toFixed(0) : ''))), xLabel: 'predicted', yLabel: 'given label' },
            caption: `Confusion matrix, row-normalised (% of the given label; recall on the diagonal)${someOf}.`,
            alt: 'Row-normalised confusion matrix heatmap.',
          },
        ],
      },
    ];

    if (pairs.length) {
      blocks.push({
        type: 'table',
        caption: `Most-confused pairs on ${final.split}, with the most confident examples`,
        columns: [
          { label: 'given' },
          { label: 'predicted' },
          { label: 'records', format: 'int' },
          { label: 'of given', format: 'pct1', hint: 'records / support of the given class' },
          ...Array.from({ length: PAIR_EXAMPLES }, (_, e) => ({ label: `example ${e + 1}` })),
          { label: 'example ids' },
        ],
        rows: pairs.map((p) => [
          classes[p.given],
          classes[p.predicted],
          p.count,
          p.rate,
          ...Array.from({ length: PAIR_EXAMPLES }, (_, e): Cell => (p.examples[e] === undefined ? null : { preview: ctx.preview(p.examples[e]) })),
          p.examples.map((i) => dataset.ids[i]).join(', '),
        ]),
      });
    } else {
      blocks.push({ type: 'text', text: `No confusions on ${final.split}: every record is predicted as its given label.`, tone: 'good' });
    }

    // Per-class accuracy across checkpoints, on the same records (scorable and labelled).
    const curves = classAccuracyByCheckpoint(ctx, final.rows);
    if (run.checkpoints.length > 1) {
      const pattern = learningPattern(curves, run.k);
      const drawn = curveClasses(curves[curves.length - 1], [...pattern.forgotten.map((f) => f.c), ...pattern.late.map((l) => l.c)]);
      blocks.push({
        type: 'chart',
        chart: {
          kind: 'lines',
          series: drawn.map((c) => ({ name: classes[c], points: run.checkpoints.map((ch, ci) => ({ x: ch.step, y: curves[ci][c] })) })),
          xLabel: 'step',
          yLabel: `accuracy within class (${final.split})`,
          points: true,
        },
        caption:
          `Per-class accuracy (recall) at every checkpoint on ${final.split}: a class that rises late was learned late; one that falls was forgotten.` +
          (k > MAX_CURVE_CLASSES ? ` Drawn: ${MAX_CURVE_CLASSES} classes of ${int(k)} — the forgotten, then the late, then the least accurate at the last checkpoint.` : ''),
        alt: 'Line chart of per-class accuracy against training step.',
      });
      const notes: string[] = [];
      for (const f of pattern.forgotten) notes.push(`"${classes[f.c]}" was forgotten: accuracy peaked at ${pct(f.peak)} and ends at ${pct(f.final)}.`);
      for (const l of pattern.late) notes.push(`"${classes[l.c]}" was learned late: within ${pct(FORGET_DROP, 0)} of its best accuracy only from checkpoint ${run.checkpoints[l.at].id}.`);
      const listed = notes.length > MAX_PATTERN_NOTES ? [...notes.slice(0, MAX_PATTERN_NOTES), `… and ${int(notes.length - MAX_PATTERN_NOTES)} more (${int(pattern.forgotten.length)} forgotten and ${int(pattern.late.length)} late classes in all).`] : notes;
      blocks.push(notes.length ? { type: 'list', items: listed } : { type: 'text', text: 'No class was forgotten or learned notably later than the others.' });
    } else {
      blocks.push({ type: 'text', text: 'Only one checkpoint: per-class accuracy across checkpoints needs at least two.' });
    }

    return {
      headline,
      blocks,
      summary: {
        perClass: metrics.map((m, c) => ({ class: classes[c], ...m })),
        perClassAverages: avg,
        // The row-normalised copy doubles summary.json (25 M more numbers at 5 000 classes): up to MAX_ROW_NORMALISED classes.
        confusion: k <= MAX_ROW_NORMALISED ? { labels: classes, matrix, rowNormalized: rowNormalise(matrix, sums.support) } : { labels: classes, matrix },
        confusedPairs: pairs.map((p) => ({
          given: classes[p.given],
          predicted: classes[p.predicted],
          count: p.count,
          rate: p.rate,
          examples: p.examples.map((i) => dataset.ids[i]),
        })),
      },
    };
  },
};
