/** `losslens audit <dir-or-config>`: run the pipeline and write the report, summary and scores. */
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { InputError } from '../messages.ts';
import { writeAtomic, writeAtomicStream } from '../output.ts';
import { runAudit } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { stableJson } from '../report/build.ts';
import { describeFailures } from '../report/gates.ts';
import { auditMarkdown } from '../report/markdown.ts';
import { scoresCsv } from '../report/scores.ts';
import { parseOrFail } from './parse.ts';
import { runShard } from './shard.ts';
import type { Command } from './types.ts';

const usage = `losslens audit <dir-or-config> [--out <report.html>] [--json <summary.json>] [--scores <scores.csv>]
                               [--md <summary.md>] [--fail-on <expr>]... [--seed <n>] [--static] [--no-cache] [--quiet]
                               [--shard <i/n> [--partial <file>]]   (score one shard; combine with losslens merge)`;

export const auditCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseOrFail(usage, () =>
      parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          out: { type: 'string' },
          json: { type: 'string' },
          scores: { type: 'string' },
          md: { type: 'string' },
          'fail-on': { type: 'string', multiple: true },
          seed: { type: 'string' },
          quiet: { type: 'boolean', default: false },
          static: { type: 'boolean', default: false },
          'no-cache': { type: 'boolean', default: false },
          shard: { type: 'string' },
          partial: { type: 'string' },
        },
      }),
    );
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
    const out = resolve(values.out ?? `reports/${config.name}.html`);
    const json = resolve(values.json ?? `reports/${config.name}.json`);
    const written = [out, json];
    if (values.scores) {
      await writeAtomicStream(resolve(values.scores), scoresCsv(result.ctx));
      written.push(resolve(values.scores));
    }
    if (values.md) {
      const md = resolve(values.md);
      await writeAtomic(md, auditMarkdown(result.model, { reportLink: relative(dirname(md), out).split('\\').join('/') }));
      written.push(md);
    }
    await writeAtomic(json, stableJson(result.summary));
    await writeAtomic(out, result.html);
    progress.stage(`wrote ${written.join(', ')}`);
    // Gates run after everything is written: a failed gate still leaves the report to look at.
    if (result.model.gates.some((g) => g.failed)) {
      process.stderr.write(`losslens: ${describeFailures(result.model.gates)}`);
      return 1;
    }
    return 0;
  },
};
