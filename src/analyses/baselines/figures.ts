/**
 * Named baseline figures: `baselines` in the config, and experiment-log rows tagged `baseline`
 * (their `metric` decides the column: …f1… → macro-F1, …nll…/…loss… → NLL, …acc… → accuracy).
 * They were measured elsewhere, so they are shown as logged, without an interval.
 */
import type { UserBaseline } from '../../config.ts';
import type { ExperimentRow } from '../../types.ts';
import type { FigureBaseline } from './types.ts';

export function figureBaselines(config: UserBaseline[], experiments: ExperimentRow[] | null): FigureBaseline[] {
  const out: FigureBaseline[] = config.map((b) => ({ name: b.name, source: 'config', accuracy: b.accuracy, macroF1: b.macroF1, nll: b.nll, note: b.note }));
  for (const r of experiments ?? []) {
    if (!(r.tags ?? []).some((t) => t.toLowerCase() === 'baseline') || !Number.isFinite(r.value)) continue;
    const col = metricColumn(r.metric);
    if (!col) continue;
    const change = r.change.length > 70 ? `${r.change.slice(0, 69)}…` : r.change;
    out.push({ name: `${r.id}: ${change}`, source: 'experiment log', accuracy: null, macroF1: null, nll: null, [col]: r.value, note: `${r.metric} = ${r.value}${r.date ? ` on ${r.date}` : ''}, as logged` });
  }
  return out;
}

export function metricColumn(metric: string): 'accuracy' | 'macroF1' | 'nll' | null {
  const m = metric.toLowerCase();
  if (m.includes('f1')) return 'macroF1';
  if (m.includes('nll') || m.includes('loss')) return 'nll';
  if (m.includes('acc')) return 'accuracy';
  return null;
}
