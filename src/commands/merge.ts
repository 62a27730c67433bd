/**
 * `losslens merge <partials…> --config <dir-or-config>`: combine the partial results of
 * `losslens audit --shard i/n` runs into the report, summary and scores file the unsharded audit
 * would have written (byte for byte). The partials hold the scores; analyses and rendering run here.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { InputError } from '../messages.ts';
import { writeAtomic, writeAtomicStream } from '../output.ts';
import { runAudit } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import { stableJson } from '../report/build.ts';
import { describeFailures } from '../report/gates.ts';
import { scoresCsv } from '../report/scores.ts';
import { mergePartials, readPartial } from '../score/shard.ts';
import { parseOrFail } from './parse.ts';
import type { Command } from './types.ts';

const usage = `losslens merge <partial>... --config <dir-or-config> [--out <report.html>] [--json <summary.json>] [--scores <scores.csv>]
                               [--fail-on <expr>]... [--static] [--quiet]`;

export const mergeCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseOrFail(usage, () =>
      parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          config: { type: 'string' },
          out: { type: 'string' },
          json: { type: 'string' },
          scores: { type: 'string' },
          'fail-on': { type: 'string', multiple: true },
          quiet: { type: 'boolean', default: false },
          static: { type: 'boolean', default: false },
        },
      }),
    );
    if (!values.config) throw new InputError('losslens merge', '--config <dir-or-config> (the config the shards were scored with)', 'no --config');
    if (positionals.length === 0) throw new InputError('losslens merge', 'one or more partial result files (from losslens audit --shard i/n)', `none (usage: ${usage})`);
    const config = loadConfig(values.config);
    // Read (and checksum) every partial before the expensive load.
    const parts = await Promise.all(positionals.map(async (file) => ({ file: resolve(file), partial: await readPartial(resolve(file)) })));
    const progress = createProgress({ quiet: values.quiet });
    const result = await runAudit(config, {
      progress,
      static: values.static,
      failOn: values['fail-on'] ?? [],
      scores: (dataset, checkpoints) => mergePartials(parts, config, dataset, checkpoints),
    });
    const out = resolve(values.out ?? `reports/${config.name}.html`);
    const json = resolve(values.json ?? `reports/${config.name}.json`);
    const written = [out, json];
    if (values.scores) {
      await writeAtomicStream(resolve(values.scores), scoresCsv(result.ctx));
      written.push(resolve(values.scores));
    }
    await writeAtomic(json, stableJson(result.summary));
    await writeAtomic(out, result.html);
    progress.stage(`merged ${parts.length} partial(s); wrote ${written.join(', ')}`);
    if (result.model.gates.some((g) => g.failed)) {
      process.stderr.write(`losslens: ${describeFailures(result.model.gates)}`);
      return 1;
    }
    return 0;
  },
};
