/**
 * Runs the score-based record-level detectors (loss outliers, label issues) once per audit and
 * shares the result between the outliers, label-issues, slices and dynamics sections and the scores
 * file (memoised on the context, so every consumer sees the same flags). The detectors on the model
 * inputs (duplicates, input health) are input-scan.ts, which may run on a worker thread.
 */
import { InputError, messages } from '../../messages.ts';
import { rowsOf } from '../common.ts';
import type { AnalysisContext } from '../types.ts';
import { confidentLearning, type LabelIssue, type LabelIssueResult } from './confident-learning.ts';
import { lossOutliers, type LossOutliers } from './loss-outliers.ts';
import { heldOutSplits, isTrainingSplit } from './splits.ts';
import { fullProbs } from '../../score/compact.ts';

export interface LabelIssueScope {
  /** Split names the detector ran on. */
  splits: string[];
  /** Per split: its thresholds and candidates. */
  perSplit: { split: string; rows: number; result: LabelIssueResult }[];
  /** Every candidate over the scope, worst first. */
  issues: LabelIssue[];
  /** 1 when the record was examined (in scope, scorable, labelled). */
  examined: Uint8Array;
  /** 1 when the record is a candidate. */
  flagged: Uint8Array;
  warnings: string[];
}

export interface Discovery {
  outliers: LossOutliers;
  labelIssues: LabelIssueScope;
}

const cache = new WeakMap<AnalysisContext, Discovery>();

export function discover(ctx: AnalysisContext): Discovery {
  let d = cache.get(ctx);
  if (!d) {
    d = compute(ctx);
    cache.set(ctx, d);
  }
  return d;
}

function compute(ctx: AnalysisContext): Discovery {
  const { run, dataset, final, config } = ctx;
  const s = run.scores[final.checkpoint];
  const outliers = lossOutliers(s.loss, dataset.labels, dataset.split, config.analysis.outlierK);
  return { outliers, labelIssues: labelIssues(ctx) };
}

/** The splits the label-issue detector should use: configured, else held-out, else all (with a warning). */
export function labelIssueSplits(ctx: AnalysisContext): { splits: string[]; warnings: string[] } {
  const { dataset, config } = ctx;
  const configured = config.analysis.labelIssueSplits;
  if (configured) {
    const unknown = configured.filter((s) => !dataset.splitNames.includes(s));
    if (unknown.length) {
      throw new InputError(`${config.path}: analysis.labelIssueSplits`, `splits of the dataset (${dataset.splitNames.join(', ')})`, `"${unknown.join('", "')}"`);
    }
    return { splits: configured, warnings: configured.filter(isTrainingSplit).map((sp) => messages.trainingOnlyLabelIssues(sp)) };
  }
  const held = heldOutSplits(dataset);
  if (held.length) return { splits: held, warnings: [] };
  return { splits: dataset.splitNames, warnings: dataset.splitNames.map((sp) => messages.trainingOnlyLabelIssues(sp)) };
}

function labelIssues(ctx: AnalysisContext): LabelIssueScope {
  const { run, dataset, final } = ctx;
  const probs = fullProbs(run.scores[final.checkpoint], 'label issues');
  const { splits, warnings } = labelIssueSplits(ctx);
  if (dataset.splitNames.length === 1 && !isTrainingSplit(dataset.splitNames[0]) && !ctx.config.dataset.split) {
    warnings.push('the dataset has no split column, so the label-issue detector cannot tell held-out records from trained-on ones; if the model was trained on these records, expect misses');
  }
  const examined = new Uint8Array(dataset.n);
  const flagged = new Uint8Array(dataset.n);
  const perSplit = splits.map((split) => {
    const rows = rowsOf(run, dataset, split);
    rows.forEach((i) => (examined[i] = 1));
    const result = confidentLearning(probs, dataset.labels, run.k, rows);
    for (const is of result.issues) flagged[is.index] = 1;
    return { split, rows: rows.length, result };
  });
  const issues = perSplit.flatMap((p) => p.result.issues).sort((a, b) => a.selfConfidence - b.selfConfidence || a.margin - b.margin || a.index - b.index);
  return { splits, perSplit, issues, examined, flagged, warnings };
}
