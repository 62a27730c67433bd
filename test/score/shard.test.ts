/** Shard ranges, their names, and the merge's checks that need no partial's arrays. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { discoverCheckpoints } from '../../src/load/checkpoints.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { InputError } from '../../src/messages.ts';
import type { PartialHeader } from '../../src/score/partial-file.ts';
import { configFingerprint, mergePartials, parseShard, recordsText, shardRange } from '../../src/score/shard.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('shards', () => {
  it('names the first ten missing shards of a large run, and how many are missing', async () => {
    const config = loadConfig(join(ROOT, 'test/fixtures/tiny'));
    const dataset = await loadDataset(config.dataset, () => {});
    const checkpoints = await discoverCheckpoints(config.model.checkpoints, config.dir);
    const header = { config: await configFingerprint(config), shard: { index: 1, count: 500 }, n: dataset.n, classes: dataset.classes, checkpoints: checkpoints.map((c) => ({ id: c.id, step: c.step })), backend: 'b' } as PartialHeader;
    const err = await mergePartials([{ file: 'p1.partial', header, arraysAt: 0 }], config, dataset, checkpoints).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).found).toBe('no partial for shard 2/500, 3/500, 4/500, 5/500, 6/500, 7/500, 8/500, 9/500, 10/500, 11/500, … (499 of 500 missing)');
  });

  it('parses i/n, tiles the records into contiguous ranges and names them', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    for (const bad of ['0/3', '4/3', 'x', '1/0', '1-3']) expect(() => parseShard(bad)).toThrow(InputError);
    const ranges = [1, 2, 3].map((index) => shardRange(10, { index, count: 3 }));
    expect(ranges).toEqual([{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 10 }]);
    // Progress and errors name a range as rows, or say it is empty (not "records 0–-1").
    expect(recordsText(1000, 2000)).toBe('records 1,000–1,999');
    expect(recordsText(0, 0)).toBe('no records (more shards than records)');
  });
});
