/**
 * What `audit` and `merge` share after a run: the output options, writing the report, summary and
 * optional scores CSV / Markdown, and the exit code the --fail-on gates give.
 */
import { dirname, relative, resolve } from 'node:path';
import type { Config } from '../config.ts';
import { InputError } from '../messages.ts';
import { writeAtomic, writeAtomicStream } from '../output.ts';
import type { AuditResult } from '../pipeline.ts';
import type { Progress } from '../progress.ts';
import { jsonPieces } from '../report/json-text.ts';
import { describeFailures } from '../report/gates.ts';
import { auditMarkdown } from '../report/markdown.ts';
import { scoresCsv } from '../report/scores.ts';
import { quietOption } from './parse.ts';

/** The parseArgs options of the commands that run the analyses and write a report (audit, merge). */
export const reportOptions = {
  out: { type: 'string' },
  json: { type: 'string' },
  scores: { type: 'string' },
  md: { type: 'string' },
  'fail-on': { type: 'string', multiple: true },
  static: { type: 'boolean', default: false },
  seed: { type: 'string' },
  ...quietOption,
} as const;

/** `--seed <n>` (the analyses' seed) over the config's, when given. */
export function applySeed(config: Config, seed: string | undefined): void {
  if (seed === undefined) return;
  if (!/^\d+$/.test(seed)) throw new InputError('--seed', 'a non-negative integer', `"${seed}"`);
  config.seed = Number(seed);
}

export interface OutputPaths {
  out?: string;
  json?: string;
  scores?: string;
  md?: string;
}

/**
 * Write the outputs of `result` (report and summary default to reports/<name>.html/.json), say what
 * was written (after `what`, e.g. "merged 3 partial(s); "), and return the exit code: 1 when a
 * --fail-on gate failed, else 0.
 */
export async function writeAuditOutputs(result: AuditResult, name: string, paths: OutputPaths, progress: Progress, what = ''): Promise<number> {
  const out = resolve(paths.out ?? `reports/${name}.html`);
  const json = resolve(paths.json ?? `reports/${name}.json`);
  const written = [out, json];
  if (paths.scores) {
    await writeAtomicStream(resolve(paths.scores), scoresCsv(result.ctx));
    written.push(resolve(paths.scores));
  }
  if (paths.md) {
    const md = resolve(paths.md);
    await writeAtomic(md, auditMarkdown(result.model, { reportLink: relative(dirname(md), out).split('\\').join('/') }));
    written.push(md);
  }
  // In pieces: at thousands of classes the summary is longer than one string can be.
  await writeAtomicStream(json, jsonPieces(result.summary));
  await writeAtomic(out, result.html);
  progress.stage(`${what}wrote ${written.join(', ')}`);
  // Gates run after everything is written: a failed gate still leaves the report to look at.
  if (result.model.gates.some((g) => g.failed)) {
    process.stderr.write(`losslens: ${describeFailures(result.model.gates)}`);
    return 1;
  }
  return 0;
}
