/**
 * Assembles the report model from the scored run and the analysis results, and derives
 * summary.json from it. Paths are stored relative to the config folder so the same run gives the
 * same bytes wherever the repository is checked out.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { checkpointMetrics, splitHeadline } from '../analyses/common.ts';
import type { AnalysisContext, AnalysisOutput, SectionResult } from '../analyses/types.ts';
import { SCHEMA_VERSION, type ReportModel } from './model.ts';
import { buildVerdicts } from './verdicts.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

/** Keys CONTRACT.md promises; an analysis that did not run leaves its empty value. */
const REQUIRED_EXTRA: Record<string, unknown> = { perClass: [], confusion: { labels: [], matrix: [] }, outliers: [], baselines: [] };

export interface BuildInput {
  ctx: AnalysisContext;
  sections: SectionResult[];
  outputs: Map<string, AnalysisOutput>;
  warnings: string[];
  wallTimeMs: number;
  now: Date;
  pinned: boolean;
}

export function buildModel({ ctx, sections, outputs, warnings, wallTimeMs, now, pinned }: BuildInput): ReportModel {
  const { run, dataset, config, final } = ctx;
  const rel = (p: string) => relative(config.dir, p).split('\\').join('/');
  const splits = Object.fromEntries(dataset.splitNames.map((s, i) => [s, countOf(dataset.split, i)]));
  const checkpoints = run.checkpoints.map((c, ci) => ({
    id: c.id,
    step: c.step,
    path: rel(c.path),
    splits: Object.fromEntries(
      dataset.splitNames.map((s) => {
        const h = checkpointMetrics(run, dataset, s)[ci];
        return [s, { n: h.n, accuracy: h.accuracy, meanLoss: h.nll, ece: h.ece }];
      }),
    ),
  }));
  // final.rows are rowsOf(final.split), so this is the headline of final.rows.
  const fh = splitHeadline(run, dataset, final.split, final.checkpoint);
  const extra: Record<string, unknown> = { ...REQUIRED_EXTRA };
  for (const out of outputs.values()) Object.assign(extra, out.summary ?? {});
  const finalView = { checkpoint: run.checkpoints[final.checkpoint].id, split: final.split, ...fh };
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: pkg.name, version: pkg.version },
    run: {
      name: config.name,
      description: config.description,
      backend: run.backend,
      seed: config.seed,
      generatedAt: now.toISOString(),
      wallTimeMs: pinned ? null : Math.round(wallTimeMs),
      configFile: 'losslens.config.json',
    },
    dataset: {
      file: rel(dataset.file),
      n: dataset.n,
      classes: dataset.classes,
      splits,
      unscorable: run.unscorable.length,
      unscorableRecords: run.unscorable,
    },
    checkpoints,
    final: finalView,
    warnings,
    verdicts: buildVerdicts({ final: finalView, dataset: { n: dataset.n, unscorable: run.unscorable.length }, extra, sections }),
    gates: [],
    sections,
    extra,
  };
}

/** summary.json: CONTRACT.md keys first, then what analyses contributed. */
export function buildSummary(model: ReportModel): Record<string, unknown> {
  return {
    schemaVersion: model.schemaVersion,
    tool: model.tool,
    run: { name: model.run.name, backend: model.run.backend, seed: model.run.seed, generatedAt: model.run.generatedAt },
    dataset: { n: model.dataset.n, classes: model.dataset.classes, splits: model.dataset.splits, unscorable: model.dataset.unscorable },
    checkpoints: model.checkpoints.map((c) => ({ id: c.id, step: c.step, splits: c.splits })),
    final: model.final,
    ...model.extra,
    warnings: model.warnings,
    verdicts: model.verdicts.map(({ id, value, tone, detail }) => ({ id, value, tone, detail })),
    gates: model.gates,
    sections: model.sections.map((s) => (s.status === 'ok' ? { id: s.id, status: s.status } : { id: s.id, status: s.status, reason: s.reason })),
  };
}


function countOf(arr: Int32Array, v: number): number {
  let c = 0;
  for (let i = 0; i < arr.length; i++) if (arr[i] === v) c++;
  return c;
}
