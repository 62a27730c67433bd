/** `losslens audit <dir> --shard i/n [--partial <file>]`: score one shard of the records and write its partial result. */
import { resolve } from 'node:path';
import type { Config } from '../config.ts';
import { writeAtomic } from '../output.ts';
import { fileNameOf } from './outputs.ts';
import type { Progress } from '../progress.ts';
import { encodePartial } from '../score/partial-file.ts';
import { parseShard, recordsText, scoreShard } from '../score/shard.ts';

export async function runShard(config: Config, shard: string, partial: string | undefined, progress: Progress): Promise<number> {
  const spec = parseShard(shard);
  const result = await scoreShard(config, spec, progress);
  const out = resolve(partial ?? `reports/${fileNameOf(config.name)}.shard-${spec.index}-of-${spec.count}.partial`);
  await writeAtomic(out, encodePartial(result));
  progress.stage(`wrote ${out} (${recordsText(result.header.start, result.header.end)}; merge all ${spec.count} with losslens merge)`);
  return 0;
}
