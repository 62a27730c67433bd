/**
 * The per-sample scores file (CONTRACT.md): one row per record in dataset order with the final
 * checkpoint's prediction, then p:<class>, then loss@<checkpoint>. Unscorable records have empty
 * score cells. Probabilities are written with 9 significant digits, enough to round-trip float32
 * (decimal.ts: the digits toPrecision gives, without its cost at tens of millions of numbers).
 * Then the discovery flags (analyses/discovery/columns.ts): outlier, loss_z, label_issue,
 * suggested_label, duplicate_group.
 */
import { discoveryColumns } from '../analyses/discovery/columns.ts';
import type { AnalysisContext } from '../analyses/types.ts';
import { fullProbs } from '../score/compact.ts';
import { roundedDecimal } from './decimal.ts';

export function* scoresCsv(ctx: AnalysisContext, moreColumns: { name: string; values: (i: number) => string }[] = []): Generator<string> {
  const { run, dataset, final } = ctx;
  // Per-record flags of the discovery detectors (outlier, label_issue, …) always follow the CONTRACT columns.
  const extraColumns = [...discoveryColumns(ctx), ...moreColumns];
  const fs = run.scores[final.checkpoint];
  const probs = fullProbs(fs, 'scores file');
  const header = ['id', 'split', 'label', 'predicted', 'confidence', 'loss', ...run.classes.map((c) => `p:${c}`), ...run.checkpoints.map((c) => `loss@${c.id}`), ...extraColumns.map((c) => c.name)];
  yield `${header.map(csvField).join(',')}\n`;
  const num = (v: number) => (Number.isFinite(v) ? roundedDecimal(v, 9) : '');
  const unknown = new Map(dataset.unknownLabels.map((u) => [u.index, u.label]));
  // Split and class names repeat on every row: their CSV cells are made once.
  const splitCells = dataset.splitNames.map(csvField);
  const classCells = run.classes.map(csvField);
  let buf = '';
  for (let i = 0; i < run.n; i++) {
    const scored = run.scorable[i] === 1;
    // One string per row, cells appended in place (no per-row array to collect).
    let row = `${csvField(dataset.ids[i])},${splitCells[dataset.split[i]]},${dataset.labels[i] >= 0 ? classCells[dataset.labels[i]] : csvField(unknown.get(i) ?? '')}`;
    if (scored) {
      row += `,${classCells[fs.pred[i]]},${num(fs.conf[i])},${num(fs.loss[i])}`;
      for (let j = 0; j < run.k; j++) row += `,${num(probs[i * run.k + j])}`;
      for (const s of run.scores) row += `,${num(s.loss[i])}`;
    } else row += ','.repeat(3 + run.k + run.scores.length);
    for (const c of extraColumns) row += `,${csvField(c.values(i))}`;
    buf += `${row}\n`;
    if (buf.length > 1 << 16) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

function csvField(s: string): string {
  // Quote when needed; neutralise spreadsheet formula injection from data-derived strings.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
