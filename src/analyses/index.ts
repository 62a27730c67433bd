/**
 * THE list of analyses, in report order. A new analysis is one file and one line here.
 */
import { baselines } from './baselines.ts';
import { calibration } from './calibration.ts';
import { dynamics } from './dynamics.ts';
import { integrity } from './integrity.ts';
import { labelIssues } from './label-issues.ts';
import { lossDistribution } from './loss-distribution.ts';
import { outliers } from './outliers.ts';
import { perClass } from './per-class.ts';
import { recipeChecklist } from './recipe-checklist.ts';
import { slices } from './slices.ts';
import { timeline } from './timeline.ts';
import { trainingCurves } from './training-curves.ts';
import type { Analysis, AnalysisContext, AnalysisOutput, SectionResult } from './types.ts';

export const analyses: readonly Analysis[] = [integrity, lossDistribution, outliers, labelIssues, slices, perClass, calibration, baselines, trainingCurves, timeline, dynamics, recipeChecklist];

/**
 * Run every analysis; one that throws becomes an `error` section and the rest still render.
 * Analyses with background work (Analysis.start: a worker thread) start it first and run last,
 * so the others' time hides it; the sections keep the list's order (an analysis reads only the
 * context, never another's output, so the order of running does not change any result).
 */
export async function runAnalyses(
  ctx: AnalysisContext,
  list: readonly Analysis[] = analyses,
  /** Told of each section as soon as its analysis has run (pipeline.ts draws its charts ahead). */
  onSection?: (section: SectionResult) => void,
): Promise<{ sections: SectionResult[]; outputs: Map<string, AnalysisOutput> }> {
  const reasons = list.map((a) => a.notApplicable?.(ctx) ?? null);
  // Background work is queued (one thread, in order) and collected by its start rank, then list order.
  const rank = (i: number) => (list[i].start ? (list[i].startRank ?? 0) : -Infinity);
  const order = [...list.keys()].sort((i, j) => rank(i) - rank(j) || i - j);
  for (const i of order) {
    try {
      if (reasons[i] === null) list[i].start?.(ctx);
    } catch {
      // run() does the work itself and reports the failure in the section
    }
  }
  const results = new Array<{ section: SectionResult; output?: AnalysisOutput }>(list.length);
  for (const i of order) {
    const a = list[i];
    const meta = { id: a.id, title: a.title, description: a.description };
    const reason = reasons[i];
    if (reason !== null) {
      results[i] = { section: { ...meta, status: 'notApplicable', reason } };
    } else {
      try {
        const out = await a.run(ctx);
        results[i] = { section: { ...meta, status: 'ok', headline: out.headline, blocks: out.blocks, warnings: out.warnings ?? [] }, output: out };
      } catch (e) {
        results[i] = { section: { ...meta, status: 'error', reason: (e as Error).message } };
      }
    }
    onSection?.(results[i].section);
  }
  const outputs = new Map<string, AnalysisOutput>();
  results.forEach((r, i) => {
    if (r.output) outputs.set(list[i].id, r.output);
  });
  return { sections: results.map((r) => r.section), outputs };
}
