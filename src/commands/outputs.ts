/**
 * What `audit` and `merge` share around a run: the output options, checking the output paths before
 * the work, writing the report, summary and optional scores CSV / Markdown, and the exit code the
 * --fail-on gates give.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { globby } from 'globby';
import type { Config } from '../config.ts';
import { InputError, messages } from '../messages.ts';
import { checkWritable, writeAllAtomic, type Content } from '../output.ts';
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
  'report-url': { type: 'string' },
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
  /** Where the report will be seen (e.g. the CI run's page): the Markdown links there instead of to the report's path. */
  'report-url'?: string;
}

/** An output or input file with the option or config key that names it (e.g. "--json", "dataset.file"). */
export interface NamedPath {
  what: string;
  path: string;
}

/** The files `writeAuditOutputs` writes, resolved (report and summary default to reports/<name>.html/.json). */
export function auditOutputs(paths: OutputPaths, name: string): NamedPath[] {
  // Checked here, before the work, with the paths: a PR comment's relative link points nowhere.
  const url = paths['report-url'];
  if (url !== undefined && !/^https?:\/\/[^\s()<>]+$/i.test(url)) throw new InputError('--report-url', 'an http(s) URL without spaces or brackets', JSON.stringify(url));
  const out: NamedPath[] = [
    { what: '--out', path: resolve(paths.out ?? `reports/${fileNameOf(name)}.html`) },
    { what: '--json', path: resolve(paths.json ?? `reports/${fileNameOf(name)}.json`) },
  ];
  if (paths.scores) out.push({ what: '--scores', path: resolve(paths.scores) });
  if (paths.md) out.push({ what: '--md', path: resolve(paths.md) });
  return out;
}

/**
 * The run's name as a file name for the default outputs: path separators, characters Windows
 * refuses and control characters become "-", and leading dots go — a name "../../x <b>" wrote its
 * report two folders above reports/.
 */
export function fileNameOf(name: string): string {
  const safe = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '-').replace(/^[.\s]+/, '').trim();
  return safe === '' ? 'report' : safe;
}

/** The files a run reads, as the config names them: no output may replace one. */
export async function configInputs(config: Config): Promise<NamedPath[]> {
  const of = `of ${config.path}`;
  const named: [string, string | null | undefined][] = [
    ['the config file', config.path],
    [`dataset.file ${of}`, config.dataset.file],
    [`inputs ${of}`, config.inputs?.file],
    [`logs.metrics ${of}`, config.logs.metrics],
    [`logs.experiments ${of}`, config.logs.experiments],
    [`logs.tensorboard ${of}`, config.logs.tensorboard],
    [`model.predictions.ids ${of}`, config.model.predictions.ids],
  ];
  // One glob, as the loader will do: the files the checkpoint pattern matches now.
  const checkpoints = await globby(config.model.checkpoints, { cwd: config.dir, absolute: true, onlyFiles: true });
  named.push(...checkpoints.map((c): [string, string] => [`a checkpoint (model.checkpoints "${config.model.checkpoints}" ${of})`, c]));
  return named.filter((n): n is [string, string] => !!n[1]).map(([what, path]) => ({ what, path }));
}

/**
 * Before any loading or scoring: every output has a file of its own, replaces no input, and can
 * be written (its folders created). Each problem is one InputError naming the option and path.
 */
export async function checkOutputs(outputs: NamedPath[], inputs: NamedPath[]): Promise<void> {
  const inputByKey = new Map<string, NamedPath>();
  // The first name wins: an image folder is both dataset.file and inputs, and is named as the former.
  for (const i of inputs) if (!inputByKey.has(fileKey(i.path))) inputByKey.set(fileKey(i.path), i);
  const seen = new Map<string, NamedPath>();
  for (const o of outputs) {
    const key = fileKey(o.path);
    const input = inputByKey.get(key);
    if (input) throw messages.outputIsInput(o.what, o.path, input.what);
    const other = seen.get(key);
    if (other) throw messages.sameOutput(o.what, o.path, other.what);
    seen.set(key, o);
  }
  for (const o of outputs) await checkWritable(o.path, o.what);
}

/**
 * A path with symbolic links resolved (through its deepest existing folder, as outputs need not
 * exist yet), so `reports/r.html` and `./link-to-reports/r.html` compare equal.
 */
function fileKey(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(fileKey(parent), basename(abs));
  }
}

/**
 * Write the outputs of `result` (`auditOutputs`), say what was written (after `what`, e.g. "merged
 * 3 partial(s); "), and return the exit code: 1 when a --fail-on gate failed, else 0. Every file is
 * written before any is renamed into place, the Markdown (which links the report) last.
 */
export async function writeAuditOutputs(result: AuditResult, name: string, paths: OutputPaths, progress: Progress, what = ''): Promise<number> {
  const outputs = auditOutputs(paths, name);
  const out = outputs[0].path;
  const content = (o: NamedPath): Content => {
    switch (o.what) {
      case '--out':
        return result.html;
      case '--json':
        // In pieces: at thousands of classes the summary is longer than one string can be.
        return jsonPieces(result.summary);
      case '--scores':
        return scoresCsv(result.ctx);
      default:
        return auditMarkdown(result.model, { reportLink: paths['report-url'] ?? relative(dirname(o.path), out).split('\\').join('/') });
    }
  };
  await writeAllAtomic(outputs.map((o) => ({ ...o, content: content(o) })));
  progress.stage(`${what}wrote ${outputs.map((o) => o.path).join(', ')}`);
  // Gates run after everything is written: a failed gate still leaves the report to look at.
  if (result.model.gates.some((g) => g.failed)) {
    process.stderr.write(`losslens: ${describeFailures(result.model.gates)}`);
    return 1;
  }
  return 0;
}
