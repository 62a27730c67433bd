/**
 * The per-sample scores file (CONTRACT.md): one row per record in dataset order with the final
 * checkpoint's prediction, then p:<class>, then loss@<checkpoint>. Unscorable records have empty
 * score cells. Probabilities are written with 9 significant digits, enough to round-trip float32.
 * Then the discovery flags (analyses/discovery/columns.ts): outlier, loss_z, label_issue,
 * suggested_label, duplicate_group.
 */
import { discoveryColumns } from '../analyses/discovery/columns.ts';
import type { AnalysisContext } from '../analyses/types.ts';
import { fullProbs } from '../score/compact.ts';

export function* scoresCsv(ctx: AnalysisContext, moreColumns: { name: string; values: (i: number) => string }[] = []): Generator<string> {
  const { run, dataset, final } = ctx;
  // Per-record flags of the discovery detectors (outlier, label_issue, …) always follow the CONTRACT columns.
  const extraColumns = [...discoveryColumns(ctx), ...moreColumns];
  const fs = run.scores[final.checkpoint];
  const probs = fullProbs(fs, 'scores file');
  const header = ['id', 'split', 'label', 'predicted', 'confidence', 'loss', ...run.classes.map((c) => `p:${c}`), ...run.checkpoints.map((c) => `loss@${c.id}`), ...extraColumns.map((c) => c.name)];
  yield `${header.map(csvField).join(',')}\n`;
  const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(9))) : '');
  const unknown = new Map(dataset.unknownLabels.map((u) => [u.index, u.label]));
  let buf = '';
  for (let i = 0; i < run.n; i++) {
    const scored = run.scorable[i] === 1;
    const cells = [
      csvField(dataset.ids[i]),
      csvField(dataset.splitNames[dataset.split[i]]),
      csvField(dataset.labels[i] >= 0 ? run.classes[dataset.labels[i]] : unknown.get(i) ?? ''),
      scored ? csvField(run.classes[fs.pred[i]]) : '',
      scored ? num(fs.conf[i]) : '',
      scored ? num(fs.loss[i]) : '',
    ];
    for (let j = 0; j < run.k; j++) cells.push(scored ? num(probs[i * run.k + j]) : '');
    for (const s of run.scores) cells.push(scored ? num(s.loss[i]) : '');
    for (const c of extraColumns) cells.push(csvField(c.values(i)));
    buf += `${cells.join(',')}\n`;
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
