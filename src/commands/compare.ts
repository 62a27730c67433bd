/**
 * `losslens compare <old-summary.json> <new-summary.json> [--out diff.html] [--md diff.md]`:
 * what changed between two audits. With neither --out nor --md, the Markdown goes to stdout.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readFailure } from '../load/read-whole.ts';
import { InputError } from '../messages.ts';
import { writeAllAtomic } from '../output.ts';
import { compareMarkdown, compareSummaries } from '../report/compare.ts';
import { renderCompareHtml } from '../render/compare.ts';
import { checkOutputs, type NamedPath } from './outputs.ts';
import { parseCommandArgs, quietOption } from './parse.ts';
import type { Command } from './types.ts';

const usage = 'losslens compare <old-summary.json> <new-summary.json> [--out <diff.html>] [--md <diff.md>] [--static] [--quiet]';

export const compareCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs(usage, args, { out: { type: 'string' }, md: { type: 'string' }, static: { type: 'boolean', default: false }, ...quietOption });
    if (positionals.length !== 2) throw new InputError('losslens compare', 'two summary.json files (old, new)', `${positionals.length} argument(s) (usage: ${usage})`);
    const outputs: NamedPath[] = [];
    if (values.out) outputs.push({ what: '--out', path: resolve(values.out) });
    if (values.md) outputs.push({ what: '--md', path: resolve(values.md) });
    await checkOutputs(outputs, [
      { what: 'the old summary (first argument)', path: resolve(positionals[0]) },
      { what: 'the new summary (second argument)', path: resolve(positionals[1]) },
    ]);
    const model = compareSummaries(readSummary(positionals[0]), readSummary(positionals[1]));
    const md = compareMarkdown(model);
    if (!outputs.length) {
      process.stdout.write(md);
      return 0;
    }
    await writeAllAtomic(outputs.map((o) => ({ ...o, content: o.what === '--out' ? renderCompareHtml(model, { static: values.static }) : md })));
    const written = outputs.map((o) => o.path);
    if (!values.quiet) process.stderr.write(`losslens: wrote ${written.join(', ')}\n`);
    return 0;
  },
};

/** Read a summary.json written by `losslens audit`; anything else is a user error naming the file. */
export function readSummary(file: string): Record<string, unknown> {
  const path = resolve(file);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(path, 'a summary.json written by losslens audit', 'no such file');
    throw readFailure('summary.json', path, e);
  }
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new InputError(path, 'valid JSON', `a parse error (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !('schemaVersion' in v) || typeof (v as { final?: unknown }).final !== 'object') {
    throw new InputError(path, 'a losslens summary.json (with schemaVersion and final)', 'other JSON');
  }
  return v as Record<string, unknown>;
}
