/**
 * Headline metrics (accuracy, mean loss, ECE — CONTRACT definitions) per checkpoint and split, and
 * where each split's best checkpoint lies, so a late-epoch regression is visible.
 */
import { checkpointMetrics } from '../common.ts';
import type { Dataset, ScoredRun } from '../../types.ts';

export const CURVE_METRICS = [
  { key: 'accuracy', label: 'accuracy', higherIsBetter: true },
  { key: 'meanLoss', label: 'mean loss', higherIsBetter: false },
  { key: 'ece', label: 'ECE', higherIsBetter: false },
] as const;
export type CurveMetric = (typeof CURVE_METRICS)[number]['key'];

/** values[split][metric][checkpoint]; NaN where a split has no scored, labelled records. */
export function metricsPerCheckpoint(run: ScoredRun, dataset: Dataset): Record<string, Record<CurveMetric, number[]>> {
  const out: Record<string, Record<CurveMetric, number[]>> = {};
  for (const split of dataset.splitNames) {
    const headlines = checkpointMetrics(run, dataset, split);
    const m: Record<CurveMetric, number[]> = { accuracy: [], meanLoss: [], ece: [] };
    for (let c = 0; c < run.checkpoints.length; c++) {
      const h = headlines[c];
      m.accuracy.push(h.accuracy);
      m.meanLoss.push(h.nll);
      m.ece.push(h.ece);
    }
    out[split] = m;
  }
  return out;
}

/** Index of the best finite value (first on ties), or -1. */
export function bestIndex(values: number[], higherIsBetter: boolean): number {
  let best = -1;
  for (let c = 0; c < values.length; c++) {
    const v = values[c];
    if (!Number.isFinite(v)) continue;
    if (best < 0 || (higherIsBetter ? v > values[best] : v < values[best])) best = c;
  }
  return best;
}
