/**
 * `npm run eval:discovery`: precision and recall of each corrupted-record detector on the MNIST
 * example's injected defects (examples/mnist/defects.csv, written by its prepare script), at the
 * report's default settings — the config is used as committed, nothing is tuned to these ids.
 * Prints markdown tables (quoted in the README). Rebuilds inputs.npy first when it is missing.
 *
 *   npx tsx scripts/eval-discovery.ts [example-dir]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { confidentLearning } from '../src/analyses/discovery/confident-learning.ts';
import { discover } from '../src/analyses/discovery/detect.ts';
import { fullProbs } from '../src/score/compact.ts';
import { duplicateFindings } from '../src/analyses/discovery/integrity-checks.ts';
import { inputScan } from '../src/analyses/discovery/input-scan.ts';
import { rowsOf } from '../src/analyses/common.ts';
import { loadConfig } from '../src/config.ts';
import { runAudit } from '../src/pipeline.ts';

const KINDS = ['label-flip', 'blank', 'noise', 'inverted', 'shifted'] as const;

export interface DetectorEval {
  name: string;
  scope: string;
  examined: number;
  flagged: number;
  truePositives: number;
  precision: number;
  /** Per defect kind: defects in scope, of which flagged. */
  perKind: Record<string, { inScope: number; found: number }>;
  recall: number;
}

/** Precision (any defect) and recall per defect kind of one detector over the records it examined. */
export function evaluate(name: string, scope: string, examined: ArrayLike<number>, flagged: ArrayLike<number>, kindOf: (string | undefined)[]): DetectorEval {
  const perKind: DetectorEval['perKind'] = Object.fromEntries(KINDS.map((k) => [k, { inScope: 0, found: 0 }]));
  let nExamined = 0;
  let nFlagged = 0;
  let tp = 0;
  let defects = 0;
  for (let i = 0; i < kindOf.length; i++) {
    if (!examined[i]) continue;
    nExamined++;
    const kind = kindOf[i];
    if (kind) {
      defects++;
      perKind[kind] ??= { inScope: 0, found: 0 };
      perKind[kind].inScope++;
    }
    if (flagged[i]) {
      nFlagged++;
      if (kind) {
        tp++;
        perKind[kind].found++;
      }
    }
  }
  return { name, scope, examined: nExamined, flagged: nFlagged, truePositives: tp, precision: nFlagged ? tp / nFlagged : NaN, perKind, recall: defects ? tp / defects : NaN };
}

function markdown(rows: DetectorEval[]): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
  const r = (k: { inScope: number; found: number }) => (k.inScope ? `${f(k.found / k.inScope)} (${k.found}/${k.inScope})` : '–');
  const head = `| detector | scope | flagged | precision | ${KINDS.map((k) => `recall ${k}`).join(' | ')} | recall, all defects |`;
  const sep = `|${' --- |'.repeat(5 + KINDS.length)}`;
  const body = rows.map((e) => `| ${e.name} | ${e.scope} | ${e.flagged} | ${f(e.precision)} | ${KINDS.map((k) => r(e.perKind[k])).join(' | ')} | ${f(e.recall)} |`);
  return [head, sep, ...body].join('\n');
}

async function main(dir: string): Promise<void> {
  if (!existsSync(join(dir, 'inputs.npy')) && existsSync(join(dir, 'prepare.ts'))) {
    const prep = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'prepare.ts')], { stdio: 'inherit' });
    if (prep.status !== 0) process.exit(prep.status ?? 3);
  }
  const config = loadConfig(dir);
  const { ctx } = await runAudit(config, { analyses: [] });
  const { dataset, run } = ctx;
  const defects = new Map<string, string>();
  const lines = readFileSync(join(dir, 'defects.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    defects.set(cells[header.indexOf('id')], cells[header.indexOf('kind')]);
  }
  const kindOf = dataset.ids.map((id) => defects.get(id));
  const all = new Uint8Array(dataset.n).fill(1);
  const d = discover(ctx);
  const scan = inputScan(ctx);
  const scored = Uint8Array.from(d.outliers.z, (z) => (Number.isNaN(z) ? 0 : 1));
  const rows: DetectorEval[] = [];
  rows.push(evaluate('loss outliers (k = ' + config.analysis.outlierK + ')', 'all splits', scored, d.outliers.flagged, kindOf));
  rows.push(evaluate('label issues (default)', d.labelIssues.splits.join(', '), d.labelIssues.examined, d.labelIssues.flagged, kindOf));
  if (scan && ctx.inputs) {
    const inDup = Uint8Array.from(scan.duplicateOf, (g) => (g >= 0 ? 1 : 0));
    rows.push(evaluate('integrity: duplicate inputs', 'all splits', all, inDup, kindOf));
    const conflicting = new Uint8Array(dataset.n);
    for (const g of duplicateFindings(scan.duplicates, dataset.labels, dataset.split, dataset.splitNames).conflictingGroups) for (const i of g) conflicting[i] = 1;
    rows.push(evaluate('integrity: conflicting-label duplicates', 'all splits', all, conflicting, kindOf));
    const constant = new Uint8Array(dataset.n);
    for (const i of scan.health.constantRecords) constant[i] = 1;
    rows.push(evaluate('integrity: constant inputs', 'all splits', all, constant, kindOf));
  }
  const union = Uint8Array.from(all, (_, i) => (d.outliers.flagged[i] || d.labelIssues.flagged[i] || (scan !== null && scan.duplicateOf[i] >= 0) ? 1 : 0));
  rows.push(evaluate('any of the above', 'all splits', all, union, kindOf));
  // Not a default: the same detector on trained-on records, to show why the default is held-out.
  const insample = dataset.splitNames.filter((s) => !d.labelIssues.splits.includes(s));
  for (const split of insample) {
    const pool = rowsOf(run, dataset, split);
    const res = confidentLearning(fullProbs(run.scores[ctx.final.checkpoint], 'eval-discovery'), dataset.labels, run.k, pool);
    const examined = new Uint8Array(dataset.n);
    pool.forEach((i) => (examined[i] = 1));
    const flagged = new Uint8Array(dataset.n);
    for (const is of res.issues) flagged[is.index] = 1;
    rows.push(evaluate(`label issues on "${split}" (in-sample, not a default)`, split, examined, flagged, kindOf));
  }
  const n = defects.size;
  console.log(`Discovery on ${config.name}: ${dataset.n} records, ${n} injected defects; checkpoint ${run.checkpoints[ctx.final.checkpoint].id}; default settings (analysis.outlierK = ${config.analysis.outlierK}, label issues on ${d.labelIssues.splits.join(', ')}).\n`);
  console.log(markdown(rows));
  console.log('\nprecision = flagged records that are any injected defect / flagged; recall per kind = flagged / defects of that kind among the records the detector examined.');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main(process.argv[2] ?? 'examples/mnist');
}
