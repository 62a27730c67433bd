/**
 * Why a record was flagged, in words: every detector that fired on it, so the reader of the
 * outlier table sees "wrong label?" and "blank input" side by side.
 */
import { rowValues } from '../../load/input-values.ts';
import type { ModelInputs } from '../../types.ts';
import { fix } from '../format.ts';
import type { AnalysisContext } from '../types.ts';
import { discover } from './detect.ts';
import { inputScan } from './input-scan.ts';

export function reasonsFor(ctx: AnalysisContext, i: number): string[] {
  const { run, dataset, final } = ctx;
  const d = discover(ctx);
  const s = run.scores[final.checkpoint];
  const y = dataset.labels[i];
  const out: string[] = [];
  const z = d.outliers.z[i];
  if (d.outliers.flagged[i]) {
    out.push(`loss ${fix(s.loss[i], 2)}: ${Number.isFinite(z) ? fix(z, 1) : '∞'} robust SD above class "${run.classes[y]}" in ${dataset.splitNames[dataset.split[i]]}`);
  }
  if (s.pred[i] >= 0 && s.pred[i] !== y) out.push(`model says "${run.classes[s.pred[i]]}" (${fix(s.conf[i], 3)})`);
  const issue = d.labelIssues.flagged[i] ? d.labelIssues.issues.find((is) => is.index === i) : undefined;
  if (issue) out.push(`label issue: suggests "${run.classes[issue.suggested]}"`);
  const scan = inputScan(ctx);
  const g = scan ? scan.duplicateOf[i] : -1;
  if (scan && g >= 0) {
    const group = scan.duplicates[g];
    const conflicting = group.some((j) => dataset.labels[j] !== y);
    out.push(`same input as ${group.length - 1} other record(s)${conflicting ? ', with other labels' : ''}`);
  }
  if (ctx.inputs && constantRow(ctx.inputs, i)) out.push('blank input (one repeated value)');
  return out;
}

function constantRow(inputs: ModelInputs, i: number): boolean {
  const size = inputs.rowSize;
  if (size < 2) return false;
  const row = rowValues(inputs, i, new Float32Array(size));
  for (let j = 1; j < size; j++) if (!Object.is(row[j], row[0])) return false;
  return true;
}
