/** Per-class precision, recall, F1 and the confusion matrix of the final checkpoint on the final split. */
import { confusionMatrix, macroF1, perClassMetrics } from '../stats/classification.ts';
import { subset } from './common.ts';
import { fix, pct } from './format.ts';
import type { Analysis, Cell } from './types.ts';

export const perClass: Analysis = {
  id: 'per-class',
  title: 'Per-class performance',
  description: 'Precision, recall and F1 per class with the confusion matrix (rows: given label, columns: prediction) of the final checkpoint on the headline split.',
  notApplicable: (ctx) => (ctx.final.rows.length === 0 ? `no scored, labelled records in split "${ctx.final.split}"` : null),
  run(ctx) {
    const { run, dataset, final } = ctx;
    const sub = subset(run, dataset, final.checkpoint, final.rows);
    const matrix = confusionMatrix(sub.labels, sub.preds, run.k);
    const metrics = perClassMetrics(matrix);
    const rows: Cell[][] = metrics.map((m, c) => [run.classes[c], m.precision, m.recall, m.f1, m.support]);
    const worst = metrics
      .map((m, c) => ({ c, recall: m.recall, support: m.support }))
      .filter((m) => m.support > 0)
      .sort((a, b) => a.recall - b.recall || a.c - b.c)[0];
    const rowNorm = matrix.map((row) => {
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (total ? v / total : 0));
    });
    const headline = worst
      ? `Macro-F1 on ${final.split} is ${fix(macroF1(matrix))}; the weakest class is "${run.classes[worst.c]}" with recall ${pct(worst.recall)} over ${worst.support} records.`
      : `No labelled records in ${final.split}.`;
    return {
      headline,
      blocks: [
        {
          type: 'table',
          caption: `Per-class metrics on ${final.split}`,
          columns: [
            { label: 'class' },
            { label: 'precision', format: 'fixed3' },
            { label: 'recall', format: 'fixed3' },
            { label: 'F1', format: 'fixed3' },
            { label: 'support', format: 'int' },
          ],
          rows,
        },
        {
          type: 'chart',
          chart: {
            kind: 'heatmap',
            x: run.classes,
            y: run.classes,
            values: rowNorm,
            labels: matrix.map((row) => row.map(String)),
            xLabel: 'predicted',
            yLabel: 'given label',
          },
          caption: 'Confusion matrix: cell text is the count, colour the share of the row (recall on the diagonal).',
          alt: 'Confusion matrix heatmap of given label against predicted class.',
        },
      ],
      summary: {
        perClass: metrics.map((m, c) => ({ class: run.classes[c], ...m })),
        confusion: { labels: run.classes, matrix },
      },
    };
  },
};
