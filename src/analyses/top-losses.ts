/**
 * The records with the highest loss under the final checkpoint, shown as the user would recognise
 * them. Ranked over every split, so corrupted training records surface as well.
 */
import { fix } from './format.ts';
import type { Analysis, Cell } from './types.ts';

export const topLosses: Analysis = {
  id: 'top-losses',
  title: 'Highest-loss records',
  description: 'The records the final checkpoint finds least plausible (highest −ln p of the given label), worst first. Wrong labels and corrupted inputs concentrate here.',
  run(ctx) {
    const { run, dataset, final, config } = ctx;
    const s = run.scores[final.checkpoint];
    const order = rankByLoss(s.loss);
    const top = order.slice(0, config.analysis.topK);
    const rows: Cell[][] = top.map((i, r) => [
      r + 1,
      { preview: ctx.preview(i) },
      dataset.ids[i],
      dataset.splitNames[dataset.split[i]],
      run.classes[dataset.labels[i]],
      run.classes[s.pred[i]],
      s.conf[i],
      s.loss[i],
    ]);
    const outliers = top.map((i) => ({
      id: dataset.ids[i],
      split: dataset.splitNames[dataset.split[i]],
      label: run.classes[dataset.labels[i]],
      predicted: run.classes[s.pred[i]],
      confidence: s.conf[i],
      loss: s.loss[i],
    }));
    const worst = top[0];
    const headline =
      worst === undefined
        ? 'No scored records.'
        : `The worst record, ${dataset.ids[worst]} (${dataset.splitNames[dataset.split[worst]]}), is labelled "${run.classes[dataset.labels[worst]]}" but the model says "${run.classes[s.pred[worst]]}" with confidence ${fix(s.conf[worst])} (loss ${fix(s.loss[worst], 2)}).`;
    return {
      headline,
      blocks: [
        {
          type: 'table',
          caption: `Top ${top.length} records by loss (checkpoint ${run.checkpoints[final.checkpoint].id}, all splits)`,
          columns: [
            { label: 'rank', format: 'int' },
            { label: 'record' },
            { label: 'id' },
            { label: 'split' },
            { label: 'label' },
            { label: 'predicted' },
            { label: 'confidence', format: 'fixed3' },
            { label: 'loss', format: 'fixed3' },
          ],
          rows,
        },
      ],
      summary: { outliers },
    };
  },
};

/** Indices of scored, labelled records by descending loss; ties by dataset order (deterministic). */
export function rankByLoss(loss: Float32Array): number[] {
  const idx: number[] = [];
  for (let i = 0; i < loss.length; i++) if (!Number.isNaN(loss[i])) idx.push(i);
  return idx.sort((a, b) => loss[b] - loss[a] || a - b);
}
