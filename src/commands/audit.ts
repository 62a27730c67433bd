/** `losslens audit <dir-or-config>`: run the pipeline and write the report, summary and scores. */
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { InputError } from '../messages.ts';
import { runAudit } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { applySeed, auditOutputs, checkOutputs, configInputs, reportOptions, writeAuditOutputs } from './outputs.ts';
import { parseCommandArgs } from './parse.ts';
import { runShard } from './shard.ts';
import type { Command } from './types.ts';

const usage = `losslens audit <dir-or-config> [--out <report.html>] [--json <summary.json>] [--scores <scores.csv>]
                               [--md <summary.md> [--report-url <url>]] [--fail-on <expr>]... [--seed <n>] [--static] [--no-cache] [--quiet]
                               [--shard <i/n> [--partial <file>]]   (score one shard; combine with losslens merge)`;

export const auditCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs(usage, args, {
      ...reportOptions,
      'no-cache': { type: 'boolean', default: false },
      shard: { type: 'string' },
      partial: { type: 'string' },
    });
    if (positionals.length !== 1) throw new InputError('losslens audit', 'exactly one <dir-or-config> argument', `${positionals.length} (usage: ${usage})`);
    const config = loadConfig(positionals[0]);
    if (values.shard !== undefined) {
      // A shard only scores: the analyses, the report and its gates happen in merge, so options for them would be silently lost here.
      const forMerge = (Object.keys(reportOptions) as (keyof typeof reportOptions)[]).filter((o) => o !== 'quiet' && values[o] !== undefined && values[o] !== false);
      if (forMerge.length) throw new InputError(`--${forMerge[0]}`, 'to be given to losslens merge (a shard writes only its partial; merge runs the analyses and writes the report)', `--${forMerge.join(', --')} with --shard`);
      if (values.partial !== undefined) await checkOutputs([{ what: '--partial', path: resolve(values.partial) }], await configInputs(config));
      return runShard(config, values.shard, values.partial, createProgress({ quiet: values.quiet }));
    }
    applySeed(config, values.seed);
    if (values['no-cache']) config.cache.enabled = false;
    const progress = createProgress({ quiet: values.quiet });
    if (values.partial !== undefined) throw new InputError('--partial', 'to be used with --shard i/n', 'no --shard');
    await checkOutputs(auditOutputs(values, config.name), await configInputs(config));
    const result = await runAudit(config, { progress, static: values.static, failOn: values['fail-on'] ?? [] });
    return writeAuditOutputs(result, config.name, values, progress);
  },
};
