import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.ts';
import { discoverCheckpoints } from '../../src/load/checkpoints.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { checkpointPathOf, collapseParts, isPartFile } from '../../src/load/parts.ts';
import { readPredictions } from '../../src/score/precomputed.ts';
import { writeParquet } from '../helpers/parquet-writer.ts';

describe('part files', () => {
  it('recognises Spark and Dask part names, and names a checkpoint by its folder', () => {
    expect(isPartFile('p/epoch=3/part-00000-1b2c.snappy.parquet')).toBe(true);
    expect(isPartFile('p/epoch=3/part.0.parquet')).toBe(true);
    expect(isPartFile('p/epoch-3.parquet')).toBe(false);
    expect(checkpointPathOf('predictions/epoch=3/part-00001.parquet')).toBe('predictions/epoch=3');
    expect(collapseParts(['/a/epoch=2/part-00001.parquet', '/a/epoch=2/part-00000.parquet', '/a/x.parquet'])).toEqual(['/a/epoch=2/part-00000.parquet', '/a/x.parquet']);
  });

  it('reads a Spark-style layout: one folder per epoch, ids split across part files, ordered by epoch', async () => {
    // The tiny fixture's 40 records and 3 classes; logits written as id + one column per class.
    const dataset = await loadDataset({ file: 'test/fixtures/tiny/records.csv', id: 'id', label: 'label', split: 'split', classes: ['cat', 'dog', 'owl'], groupBy: [], onUnknownLabel: 'error' });
    const dir = mkdtempSync(join(tmpdir(), 'losslens-parts-'));
    const logit = (i: number, j: number, epoch: number) => ((i * 7 + j * 3) % 5) * 0.1 * epoch;
    for (const epoch of [1, 2, 10]) {
      mkdirSync(join(dir, 'predictions', `epoch=${epoch}`), { recursive: true });
      // Two parts holding interleaved ids, as a shuffled distributed job writes them.
      for (const part of [0, 1]) {
        const rows = dataset.ids.map((_, i) => i).filter((i) => i % 2 === part);
        const cols: Record<string, string[] | number[]> = { id: rows.map((i) => dataset.ids[i]) };
        for (let j = 0; j < 3; j++) cols[`logit_${j}`] = rows.map((i) => logit(i, j, epoch));
        writeFileSync(join(dir, 'predictions', `epoch=${epoch}`, `part-0000${part}-c000.snappy.parquet`), writeParquet(cols));
      }
    }
    const checkpoints = await discoverCheckpoints('predictions/*/part-*.parquet', dir);
    expect(checkpoints.map((c) => [c.id, c.step])).toEqual([['epoch=1', 1], ['epoch=2', 2], ['epoch=10', 10]]);
    const model: Config['model'] = { type: 'precomputed', checkpoints: '', output: 'logits', batchSize: 64, byPosition: false, predictions: { id: null, columns: null, ids: null } };
    const aligned = await readPredictions(checkpoints[2].path, model, dataset, 'id');
    expect(aligned.width).toBe(3);
    for (const i of [0, 1, 17, 39]) {
      expect(Array.from(aligned.values.subarray(i * 3, i * 3 + 3))).toEqual([0, 1, 2].map((j) => Math.fround(logit(i, j, 10))));
    }
  });

  it('reads part files compressed as Spark (snappy), Polars (zstd) and others write them, one codec per epoch', async () => {
    // test/fixtures/parquet: 40 rows (r0 … r39) of logits as a list column, written by another Parquet writer.
    const dir = mkdtempSync(join(tmpdir(), 'losslens-codecs-'));
    writeFileSync(join(dir, 'records.csv'), `id,label,split\n${Array.from({ length: 40 }, (_, i) => `r${i},${['cat', 'dog', 'bird'][i % 3]},val`).join('\n')}\n`);
    const codecs = ['snappy', 'zstd', 'gzip', 'brotli', 'lz4_raw'];
    codecs.forEach((codec, e) => {
      mkdirSync(join(dir, 'predictions', `epoch=${e + 1}`), { recursive: true });
      copyFileSync(`test/fixtures/parquet/logits-${codec}.parquet`, join(dir, 'predictions', `epoch=${e + 1}`, `part-00000-c000.${codec}.parquet`));
    });
    const dataset = await loadDataset({ file: join(dir, 'records.csv'), id: 'id', label: 'label', split: 'split', classes: ['cat', 'dog', 'bird'], groupBy: [], onUnknownLabel: 'error' });
    const checkpoints = await discoverCheckpoints('predictions/*/part-*.parquet', dir);
    expect(checkpoints.map((c) => c.id)).toEqual(codecs.map((_, e) => `epoch=${e + 1}`));
    const model: Config['model'] = { type: 'precomputed', checkpoints: '', output: 'logits', batchSize: 64, byPosition: false, predictions: { id: null, columns: null, ids: null } };
    const valueAt = (i: number, c: number) => ((i * 7 + c * 5) % 23) / 4 - 2;
    const want = Array.from({ length: 40 * 3 }, (_, x) => valueAt(Math.floor(x / 3), x % 3));
    for (const checkpoint of checkpoints) {
      const aligned = await readPredictions(checkpoint.path, model, dataset, 'id');
      expect(aligned.width).toBe(3);
      expect(Array.from(aligned.values)).toEqual(want);
    }
  });
});
