/**
 * argv → config → pipeline → files. The only module that touches process.exit and decides exit
 * codes: 0 ok, 1 a --fail-on gate failed, 2 user error (one line on stderr), 3 internal error.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { InputError } from './messages.ts';
import { writeAtomic, writeAtomicStream } from './output.ts';
import { runAudit } from './pipeline.ts';
import { createProgress } from './progress.ts';
import { stableJson } from './report/build.ts';
import { scoresCsv } from './report/scores.ts';

const USAGE = `usage:
  losslens audit <dir-or-config> [--out <report.html>] [--json <summary.json>] [--scores <scores.csv>]
                                 [--md <summary.md>] [--fail-on <expr>]... [--seed <n>] [--quiet]
  losslens --help | --version`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case 'audit':
      return auditCommand(rest);
    default:
      throw new InputError('command', `one of: audit`, `"${command}"\n${USAGE}`);
  }
}

async function auditCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(() => parseArgs({ args, allowPositionals: true, strict: true, options: {
    out: { type: 'string' },
    json: { type: 'string' },
    scores: { type: 'string' },
    md: { type: 'string' },
    'fail-on': { type: 'string', multiple: true },
    seed: { type: 'string' },
    quiet: { type: 'boolean', default: false },
    static: { type: 'boolean', default: false },
  } }));
  if (positionals.length !== 1) throw new InputError('losslens audit', 'exactly one <dir-or-config> argument', `${positionals.length}\n${USAGE}`);
  const config = loadConfig(positionals[0]);
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed)) throw new InputError('--seed', 'a non-negative integer', `"${values.seed}"`);
    config.seed = Number(values.seed);
  }
  const progress = createProgress({ quiet: values.quiet });
  const result = await runAudit(config, { progress, static: values.static });
  const out = resolve(values.out ?? `reports/${config.name}.html`);
  const json = resolve(values.json ?? `reports/${config.name}.json`);
  if (values.scores) await writeAtomicStream(resolve(values.scores), scoresCsv(result.ctx));
  await writeAtomic(json, stableJson(result.summary));
  await writeAtomic(out, result.html);
  progress.stage(`wrote ${out} and ${json}${values.scores ? ` and ${resolve(values.scores)}` : ''}`);
  return 0;
}

/** parseArgs with its errors turned into a usage message. */
function parse<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new InputError('arguments', `valid options\n${USAGE}\n`, (e as Error).message);
  }
}

/** Run `main` and map errors to exit codes. */
export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`losslens: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`losslens: internal error: ${(e as Error)?.stack ?? e}\nPlease report this with the command you ran.\n`);
      process.exitCode = 3;
    }
  }
}
