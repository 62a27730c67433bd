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

/** Run every analysis; one that throws becomes an `error` section and the rest still render. */
export async function runAnalyses(ctx: AnalysisContext, list: readonly Analysis[] = analyses): Promise<{ sections: SectionResult[]; outputs: Map<string, AnalysisOutput> }> {
  const sections: SectionResult[] = [];
  const outputs = new Map<string, AnalysisOutput>();
  const reasons = list.map((a) => a.notApplicable?.(ctx) ?? null);
  list.forEach((a, i) => {
    try {
      if (reasons[i] === null) a.start?.(ctx);
    } catch {
      // run() does the work itself and reports the failure in the section
    }
  });
  for (const [i, a] of list.entries()) {
    const meta = { id: a.id, title: a.title, description: a.description };
    const reason = reasons[i];
    if (reason !== null) {
      sections.push({ ...meta, status: 'notApplicable', reason });
      continue;
    }
    try {
      const out = await a.run(ctx);
      outputs.set(a.id, out);
      sections.push({ ...meta, status: 'ok', headline: out.headline, blocks: out.blocks, warnings: out.warnings ?? [] });
    } catch (e) {
      sections.push({ ...meta, status: 'error', reason: (e as Error).message });
    }
  }
  return { sections, outputs };
}
