/**
 * The run scored against the training recipe: fixed seeds recorded, loss at init ≈ ln K, an
 * overfit-a-tiny-batch check, a baseline, warmup + decay, curves without anomalies, and the test
 * split used once. Each item is pass / warn / unknown with the evidence that decided it; unknown
 * means the artifacts do not say (it is not a pass).
 */
import { ANOMALY_IDS } from './curves/index.ts';
import type { Finding } from './curves/types.ts';
import { rowsOf } from './common.ts';
import { fix } from './format.ts';
import { isTestSplit } from './split-hash.ts';
import { testDiscipline } from './timeline.ts';
import { logCurves } from './training-curves.ts';
import { INIT_TOLERANCE } from './curves/initial-loss.ts';
import type { Analysis, AnalysisContext, Cell } from './types.ts';

export type ItemStatus = 'pass' | 'warn' | 'unknown';
export interface ChecklistItem {
  id: string;
  item: string;
  status: ItemStatus;
  evidence: string;
}

const TONE = { pass: 'good', warn: 'bad', unknown: 'muted' } as const;

export const recipeChecklist: Analysis = {
  id: 'recipe-checklist',
  summaryKeys: ['recipeChecklist'],
  title: 'Recipe checklist',
  description:
    'The run against the recipe: fixed seeds recorded, loss at init ≈ ln K, evidence of an overfit-a-tiny-batch check, a baseline, a warmup + decay schedule, curves without anomalies, and the test split used once. Unknown means the logs do not say.',
  run(ctx) {
    const items = checklist(ctx);
    const count = (s: ItemStatus) => items.filter((i) => i.status === s).length;
    const warned = items.filter((i) => i.status === 'warn');
    return {
      headline: `${count('pass')} of ${items.length} recipe items pass, ${count('warn')} warn${warned.length ? ` (${warned.map((i) => i.item).join('; ')})` : ''} and ${count('unknown')} cannot be decided from the artifacts.`,
      blocks: [
        {
          type: 'table',
          caption: 'Recipe checklist',
          columns: [{ label: 'item' }, { label: 'result' }, { label: 'evidence' }],
          rows: items.map((i): Cell[] => [i.item, { text: i.status, tone: TONE[i.status] }, i.evidence]),
        },
      ],
      summary: { recipeChecklist: items },
    };
  },
};

export function checklist(ctx: AnalysisContext): ChecklistItem[] {
  const exps = ctx.logs.experiments ?? [];
  const findings: Finding[] = ctx.logs.metrics?.length ? logCurves(ctx).findings : [];
  const f = (id: string) => findings.find((x) => x.id === id);
  return [seeds(ctx), initLoss(ctx, f('initial-loss')), overfit(exps), baseline(ctx), schedule(f('warmup'), f('decay')), anomalies(findings), testOnce(ctx)];
}

function seeds(ctx: AnalysisContext): ChecklistItem {
  const base = { id: 'seeds', item: 'fixed seeds recorded' };
  const inExps = (ctx.logs.experiments ?? []).filter((r) => r.seed !== undefined && r.seed !== null);
  const inMetrics = (ctx.logs.metrics ?? []).some((r) => typeof r.seed === 'number');
  if (inExps.length) return { ...base, status: 'pass', evidence: `${inExps.length} experiment-log row(s) carry a seed (e.g. ${inExps[0].id}: ${String(inExps[0].seed)})` };
  if (inMetrics) return { ...base, status: 'pass', evidence: 'the metrics log carries a "seed" value' };
  return { ...base, status: 'unknown', evidence: 'no "seed" field in the experiment log or the metrics log; record the training seeds there' };
}

function initLoss(ctx: AnalysisContext, fromCurves: Finding | undefined): ChecklistItem {
  const base = { id: 'init-loss', item: 'loss at init ≈ ln K' };
  if (fromCurves && fromCurves.status !== 'unknown') return { ...base, status: fromCurves.status, evidence: `metrics log: ${fromCurves.evidence}` };
  // Without a log, a step-0 checkpoint answers the question directly.
  const c0 = ctx.run.checkpoints[0];
  if (c0 && c0.step === 0 && ctx.final.rows.length) {
    // The loss column only: checkpoint 0 is compact (score/compact.ts) when it is not the final one.
    const loss = ctx.run.scores[0].loss;
    const rows = ctx.final.rows;
    let sum = 0;
    for (let r = 0; r < rows.length; r++) sum += loss[rows[r]];
    const mean = sum / rows.length;
    const lnK = Math.log(ctx.run.k);
    const ok = Math.abs(mean - lnK) / lnK <= INIT_TOLERANCE;
    return { ...base, status: ok ? 'pass' : 'warn', evidence: `checkpoint ${c0.id} (step 0) has mean loss ${fix(mean, 3)} on ${ctx.final.split}; ln K = ${fix(lnK, 3)}` };
  }
  return { ...base, status: 'unknown', evidence: 'no loss at step 0 in the metrics log and no step-0 checkpoint' };
}

function overfit(exps: AnalysisContext['logs']['experiments'] & object): ChecklistItem {
  const base = { id: 'overfit-check', item: 'overfit-a-tiny-batch check' };
  const rows = exps.filter((r) => (r.tags ?? []).some((t) => t.toLowerCase() === 'overfit') || /overfit|tiny batch/i.test(r.change));
  if (rows.length === 0) return { ...base, status: 'unknown', evidence: 'no experiment-log row tagged "overfit"; run `losslens overfit <dir> --log`' };
  const last = rows[rows.length - 1];
  const failed = (last.tags ?? []).some((t) => t.toLowerCase() === 'fail');
  return { ...base, status: failed ? 'warn' : 'pass', evidence: `${last.id}${last.date ? ` (${last.date})` : ''}: ${last.change}${Number.isFinite(last.value) ? ` — ${last.metric} ${fix(last.value, 4)}` : ''}${failed ? ' — did not reach near-zero loss' : ''}` };
}

function baseline(ctx: AnalysisContext): ChecklistItem {
  const base = { id: 'baseline', item: 'a baseline was run' };
  const rows = (ctx.logs.experiments ?? []).filter((r) => (r.tags ?? []).some((t) => t.toLowerCase() === 'baseline'));
  const cfg = ctx.config.baselines ?? [];
  if (rows.length || cfg.length) return { ...base, status: 'pass', evidence: [...rows.map((r) => `${r.id}: ${r.metric} ${fix(r.value, 4)}`), ...cfg.map((b) => `${b.name} (config)`)].join('; ') };
  return { ...base, status: 'warn', evidence: 'no experiment-log row tagged "baseline" and no "baselines" in the config (the Baseline gap section evaluates built-in ones)' };
}

function schedule(warm: Finding | undefined, decay: Finding | undefined): ChecklistItem {
  const base = { id: 'schedule', item: 'warmup + decay schedule' };
  if (!warm || !decay || warm.status === 'unknown' || decay.status === 'unknown') return { ...base, status: 'unknown', evidence: warm?.evidence ?? 'no metrics log' };
  const ok = warm.status === 'pass' && decay.status === 'pass';
  return { ...base, status: ok ? 'pass' : 'warn', evidence: `${warm.evidence}; ${decay.evidence}` };
}

function anomalies(findings: Finding[]): ChecklistItem {
  const base = { id: 'curves', item: 'curves without anomalies' };
  const relevant = findings.filter((x) => ANOMALY_IDS.includes(x.id));
  if (relevant.length === 0) return { ...base, status: 'unknown', evidence: 'no metrics log' };
  const bad = relevant.filter((x) => x.status === 'warn');
  const decided = relevant.filter((x) => x.status === 'pass');
  if (bad.length) return { ...base, status: 'warn', evidence: bad.map((x) => `${x.check.replace(/^no /, '')}: ${x.evidence}`).join('; ') };
  if (decided.length === 0) return { ...base, status: 'unknown', evidence: 'the metrics log is too short for any curve check' };
  return { ...base, status: 'pass', evidence: `${decided.length} of ${relevant.length} curve checks pass (see Training curves)${decided.length < relevant.length ? `; ${relevant.length - decided.length} undecided` : ''}` };
}

function testOnce(ctx: AnalysisContext): ChecklistItem {
  const base = { id: 'test-once', item: 'test split used once' };
  const exps = ctx.logs.experiments ?? [];
  if (isTestSplit(ctx.final.split)) {
    const d = testDiscipline(ctx, exps);
    return { ...base, status: d.count === 0 ? 'pass' : 'warn', evidence: d.warning ?? `this is the first recorded evaluation of test split "${ctx.final.split}"` };
  }
  const byHash = new Map<string, number>();
  for (const r of exps) if (typeof r.splitHash === 'string' && isTestSplit(String(r.split ?? ''))) byHash.set(r.splitHash, (byHash.get(r.splitHash) ?? 0) + 1);
  const max = Math.max(0, ...byHash.values());
  if (max > 1) return { ...base, status: 'warn', evidence: `the experiment log records the same test data evaluated ${max} times` };
  if (max === 1) return { ...base, status: 'pass', evidence: 'the experiment log records one evaluation of the test data' };
  const hasTest = ctx.dataset.splitNames.some(isTestSplit) && rowsOf(ctx.run, ctx.dataset, ctx.dataset.splitNames.find(isTestSplit)!).length > 0;
  return { ...base, status: 'unknown', evidence: hasTest ? `this audit reports on "${ctx.final.split}", and the log records no test evaluation yet` : `no test split in the dataset (splits: ${ctx.dataset.splitNames.join(', ')}), and the log records no test evaluation` };
}
