/**
 * The whole audit in one place:
 *
 *   config ─► 1 load ─► 2 score ─► 3 analyses ─► 4 report model ─► 5 render
 *
 * 1. load: dataset table, model inputs, checkpoints (ordered by step), logs
 * 2. score: every record × every checkpoint → typed arrays (ScoredRun)
 * 3. analyses: pure functions over the scored run → sections (ok / notApplicable / error)
 * 4. report model: typed JSON, the only input of the renderer, and summary.json
 * 5. render: HTML with inline SVG charts
 */
import { analyses as defaultAnalyses, runAnalyses } from './analyses/index.ts';
import { headlineSplit, rowsOf } from './analyses/common.ts';
import { checkLabelIssueSplits } from './analyses/discovery/detect.ts';
import { scanNpyEarly } from './analyses/discovery/input-scan.ts';
import type { Analysis, AnalysisContext, SectionResult } from './analyses/types.ts';
import type { Config } from './config.ts';
import { discoverCheckpoints } from './load/checkpoints.ts';
import { loadDataset } from './load/dataset.ts';
import { configuredInputs, prefetchInputs } from './load/inputs.ts';
import { loadLogs } from './load/logs.ts';
import { InputError, messages } from './messages.ts';
import { silentProgress, type Progress } from './progress.ts';
import { buildModel, buildSummary } from './report/build.ts';
import { checkGatePaths, evaluateGates, parseGates } from './report/gates.ts';
import type { ReportModel } from './report/model.ts';
import { createPreviewer } from './report/preview.ts';
import { ChartQueue } from './render/chart-queue.ts';
import { drawChart, renderHtml } from './render/html.ts';
import { createScoreCache } from './score/cache.ts';
import { predictProbs } from './score/predict.ts';
import { scoreRun } from './score/score.ts';
import { createScoringPlan } from './score/runtimes.ts';
import { holdThread, stopThread, threadsAllowed } from './thread.ts';
import type { Checkpoint, Dataset, ScoredRun } from './types.ts';

export interface AuditOptions {
  progress?: Progress;
  /** Report time; defaults to SOURCE_DATE_EPOCH when set (then wall time is omitted), else now. */
  now?: Date;
  analyses?: readonly Analysis[];
  static?: boolean;
  /** `--fail-on` expressions (src/report/gates.ts); their outcome goes into model.gates and summary.gates. */
  failOn?: readonly string[];
  /** Replaces scoring with ready scores, e.g. the merged partials of a sharded audit (src/score/shard.ts). */
  scores?: (dataset: Dataset, checkpoints: Checkpoint[]) => Promise<ScoredRun>;
}

export interface AuditResult {
  model: ReportModel;
  html: string;
  summary: Record<string, unknown>;
  ctx: AnalysisContext;
}

export async function runAudit(config: Config, opts: AuditOptions = {}): Promise<AuditResult> {
  // The worker thread starts while the inputs load, so the analyses' background work need not wait for it.
  const releaseThread = threadsAllowed(config) ? holdThread() : () => {};
  try {
    return await audit(config, opts, releaseThread);
  } catch (e) {
    stopThread(); // its queued work (e.g. the early input scan) is not wanted: do not wait for it before exiting
    throw e;
  } finally {
    releaseThread();
  }
}

/** runAudit's steps; `releaseThread` once the analyses, the held thread's last users, are done. */
async function audit(config: Config, opts: AuditOptions, releaseThread: () => void): Promise<AuditResult> {
  const started = performance.now();
  const progress = opts.progress ?? silentProgress;
  const list = opts.analyses ?? defaultAnalyses;
  const gates = parseGates(opts.failOn ?? []); // a malformed gate, or one no summary can have, fails before the expensive work
  checkGatePaths(gates, list.flatMap((a) => a.summaryKeys ?? []));
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
    progress.warn(w);
  };

  // 1. load
  progress.stage(`loading ${config.dataset.file}`);
  // An .npy inputs file is read while the dataset is parsed (load/inputs.ts prefetchInputs) — on the
  // worker thread when there is one, which then scans the inputs (discovery/input-scan.ts scanNpyEarly).
  const inputsConfig = config.inputs;
  const prefetched = inputsConfig ? prefetchInputs(inputsConfig, threadsAllowed(config) ? (filling) => scanNpyEarly(filling, inputsConfig) : undefined) : null;
  const dataset = await loadDataset(config.dataset, warn);
  // Precomputed predictions need no inputs; when given, they still feed previews and input checks.
  const inputs = await configuredInputs(config, dataset, warn, progress, prefetched);
  const checkpoints = await discoverCheckpoints(config.model.checkpoints, config.dir);
  const logs = await loadLogs(config.logs);
  // What the config names of the dataset, checked before scoring: inside the analyses a missing
  // labelIssueSplits entry failed four sections and exited 0.
  const finalSplit = headlineSplit(config, dataset);
  checkLabelIssueSplits(config, dataset);
  checkDisplayColumns(config, dataset.table.columnNames());

  // 2. score
  const plan = await createScoringPlan(config, dataset, inputs);
  const runtime = plan.runtime;
  const size = `${dataset.n.toLocaleString('en-US')} records × ${checkpoints.length} checkpoints`;
  // Ready scores (a merge of shard partials) are read, not scored: say so, so a merge does not look like a re-run.
  progress.stage(opts.scores ? `reading the ready scores of ${size}` : `scoring ${size} on ${runtime.name}`);
  // Precomputed predictions are not cached: reading them is cheap and their alignment depends on the dataset's ids.
  // Its problems (an entry re-scored, a folder not writable) are the machine's business, like backend
  // fallbacks: on stderr, not in the report, which is the same with or without a healthy cache.
  const cache = config.cache.enabled && config.model.type !== 'precomputed' ? createScoreCache(config.cache.dir, (w) => progress.warn(w)) : undefined;
  const run = opts.scores ? await opts.scores(dataset, checkpoints) : await scoreRun(runtime, checkpoints, dataset, plan.inputs, { batchSize: config.model.batchSize, output: config.model.output, progress, cache });
  if (cache) progress.stage(`score cache ${cache.dir}: ${cache.stats.hits} of ${checkpoints.length} checkpoint(s) reused, ${cache.stats.misses} scored`);
  // Backend fallbacks are the machine's business (stderr only); data warnings belong in the report.
  for (const w of runtime.warnings) config.model.type === 'precomputed' ? warn(w) : progress.warn(w);
  if (run.unscorable.length) warn(messages.unscorable(run.unscorable.length));

  // 3. analyses
  progress.stage('analysing');
  const finalCheckpoint = checkpoints.length - 1;
  const ctx: AnalysisContext = {
    config,
    dataset,
    inputs,
    run,
    logs,
    final: { checkpoint: finalCheckpoint, split: finalSplit, rows: rowsOf(run, dataset, finalSplit) },
    seed: config.seed,
    preview: createPreviewer(config.display, dataset, inputs),
    predict: plan.inputs === inputs ? (ci, batch, rows) => predictProbs(runtime, checkpoints[ci], batch, rows, run.outputKind[ci]) : undefined,
  };
  // Each finished section's charts are drawn while the analyses left wait on the worker thread.
  const charts = new ChartQueue(drawChart);
  let analysed: Awaited<ReturnType<typeof runAnalyses>>;
  try {
    analysed = await runAnalyses(ctx, list, (s) => {
      if (s.status === 'ok') charts.drawWhenIdle(s.blocks);
    });
  } finally {
    charts.stop();
  }
  const { sections, outputs } = analysed;
  releaseThread();
  // Warnings an analysis raises for the whole report (e.g. test-set reuse) go first, at the top.
  for (const out of outputs.values()) for (const w of out.reportWarnings ?? []) warnings.unshift(w);

  // 4. report model
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const pinned = opts.now !== undefined || (epoch !== undefined && epoch !== '');
  const now = opts.now ?? (pinned ? new Date(Number(epoch) * 1000) : new Date());
  const model = buildModel({ ctx, sections, outputs, warnings, wallTimeMs: performance.now() - started, now, pinned });
  model.gates = evaluateGates(gates, buildSummary(model), keysNotWritten(list, sections));

  // 5. render
  progress.stage('rendering report');
  const html = await renderHtml(model, { static: opts.static }, charts);
  return { model, html, summary: buildSummary(model), ctx };
}

/** The summary keys of sections that did not run, with why: a gate on them fails with that reason. */
function keysNotWritten(list: readonly Analysis[], sections: readonly SectionResult[]): Map<string, string> {
  const notRun = new Map<string, string>();
  for (const s of sections) {
    if (s.status === 'ok') continue;
    const why = `section ${s.id} ${s.status === 'notApplicable' ? 'not applicable' : 'failed'}: ${s.reason}`;
    for (const key of list.find((a) => a.id === s.id)?.summaryKeys ?? []) notRun.set(key, why);
  }
  return notRun;
}

/** The columns `display` shows must be the dataset's: a misspelt one gave every preview blank, with exit 0. */
function checkDisplayColumns(config: Config, names: readonly string[]): void {
  const d = config.display;
  const shown = d.type === 'text' ? [d.column] : d.type === 'fields' ? (d.columns ?? []) : [];
  const absent = shown.filter((c) => !names.includes(c));
  if (absent.length) {
    throw new InputError(`${config.path}: display.${d.type === 'text' ? 'column' : 'columns'}`, `columns of ${config.dataset.file} (${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''})`, `"${absent.join('", "')}"`);
  }
}
