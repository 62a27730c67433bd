/**
 * Per-record flags for the scores file (appended after the CONTRACT columns): outlier (0/1),
 * loss_z (robust z of the outlier rule), label_issue (0/1; empty when the record was outside the
 * detector's splits), suggested_label, duplicate_group (number of the exact-duplicate group).
 */
import { roundedDecimal } from '../../report/decimal.ts';
import type { AnalysisContext } from '../types.ts';
import { discover } from './detect.ts';
import { inputScan } from './input-scan.ts';

/** A column appended to the scores file. */
export interface ScoresColumn {
  name: string;
  values: (i: number) => string;
  /**
   * Numbers and flags the tool formats itself, written as they are: the spreadsheet-formula guard
   * for data-derived text would turn a negative number into text ("'-0.98").
   */
  numeric?: boolean;
}

export function discoveryColumns(ctx: AnalysisContext): ScoresColumn[] {
  const d = discover(ctx);
  const scan = inputScan(ctx);
  const suggested = new Map(d.labelIssues.issues.map((is) => [is.index, ctx.run.classes[is.suggested]]));
  const num = (v: number) => (Number.isNaN(v) ? '' : Number.isFinite(v) ? roundedDecimal(v, 6) : v > 0 ? 'inf' : '-inf');
  return [
    { name: 'outlier', values: (i) => (Number.isNaN(d.outliers.z[i]) ? '' : String(d.outliers.flagged[i])), numeric: true },
    { name: 'loss_z', values: (i) => num(d.outliers.z[i]), numeric: true },
    { name: 'label_issue', values: (i) => (d.labelIssues.examined[i] ? String(d.labelIssues.flagged[i]) : ''), numeric: true },
    { name: 'suggested_label', values: (i) => suggested.get(i) ?? '' },
    { name: 'duplicate_group', values: (i) => (scan && scan.duplicateOf[i] >= 0 ? String(scan.duplicateOf[i]) : ''), numeric: true },
  ];
}
