/**
 * `losslens merge <partials…> --config <dir-or-config>`: combine the partial results of
 * `losslens audit --shard i/n` runs into the report, summary and scores file the unsharded audit
 * would have written (byte for byte). The partials hold the scores; analyses and rendering run here.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { InputError } from '../messages.ts';
import { runAudit } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { readPartialHeader, type PartialFile } from '../score/partial-file.ts';
import { checkPartialSet, mergePartials } from '../score/shard.ts';
import { applySeed, auditOutputs, checkOutputs, configInputs, reportOptions, writeAuditOutputs } from './outputs.ts';
import { parseCommandArgs } from './parse.ts';
import type { Command } from './types.ts';

const usage = `losslens merge <partial>... --config <dir-or-config> [--out <report.html>] [--json <summary.json>] [--scores <scores.csv>]
                               [--md <summary.md> [--report-url <url>]] [--fail-on <expr>]... [--seed <n>] [--static] [--quiet]`;

export const mergeCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs(usage, args, { config: { type: 'string' }, ...reportOptions });
    if (!values.config) throw new InputError('losslens merge', '--config <dir-or-config> (the config the shards were scored with)', 'no --config');
    if (positionals.length === 0) throw new InputError('losslens merge', 'one or more partial result files (from losslens audit --shard i/n)', `none (usage: ${usage})`);
    const config = loadConfig(values.config);
    applySeed(config, values.seed);
    const partials = positionals.map((file) => ({ what: 'a partial result given to merge', path: resolve(file) }));
    await checkOutputs(auditOutputs(values, config.name), [...partials, ...(await configInputs(config))]);
    // Check every partial (header, size, checksum) and that they make one complete set before the
    // expensive load; their arrays are read later, straight into the merged run.
    const parts: PartialFile[] = [];
    for (const file of positionals) parts.push(await readPartialHeader(resolve(file)));
    await checkPartialSet(parts, config);
    const progress = createProgress({ quiet: values.quiet });
    const result = await runAudit(config, {
      progress,
      static: values.static,
      failOn: values['fail-on'] ?? [],
      scores: (dataset, checkpoints) => mergePartials(parts, config, dataset, checkpoints),
    });
    return writeAuditOutputs(result, config.name, values, progress, `merged ${parts.length} partial(s); `);
  },
};
