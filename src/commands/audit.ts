/** `losslens audit <dir-or-config>`: run the pipeline and write the report, summary and scores. */
import { loadConfig } from '../config.ts';
import { InputError } from '../messages.ts';
import { runAudit } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { reportOptions, writeAuditOutputs } from './outputs.ts';
import { parseCommandArgs } from './parse.ts';
import { runShard } from './shard.ts';
import type { Command } from './types.ts';

const usage = `losslens audit <dir-or-config> [--out <report.html>] [--json <summary.json>] [--scores <scores.csv>]
                               [--md <summary.md>] [--fail-on <expr>]... [--seed <n>] [--static] [--no-cache] [--quiet]
                               [--shard <i/n> [--partial <file>]]   (score one shard; combine with losslens merge)`;

export const auditCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs(usage, args, {
      ...reportOptions,
      md: { type: 'string' },
      seed: { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      shard: { type: 'string' },
      partial: { type: 'string' },
    });
    if (positionals.length !== 1) throw new InputError('losslens audit', 'exactly one <dir-or-config> argument', `${positionals.length} (usage: ${usage})`);
    const config = loadConfig(positionals[0]);
    if (values.seed !== undefined) {
      if (!/^\d+$/.test(values.seed)) throw new InputError('--seed', 'a non-negative integer', `"${values.seed}"`);
      config.seed = Number(values.seed);
    }
    if (values['no-cache']) config.cache.enabled = false;
    const progress = createProgress({ quiet: values.quiet });
    if (values.shard !== undefined) return runShard(config, values.shard, values.partial, progress);
    if (values.partial !== undefined) throw new InputError('--partial', 'to be used with --shard i/n', 'no --shard');
    const result = await runAudit(config, { progress, static: values.static, failOn: values['fail-on'] ?? [] });
    return writeAuditOutputs(result, config.name, values, progress);
  },
};
