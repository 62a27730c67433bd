import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readParquet } from '../../../src/load/formats/parquet.ts';
import { InputError } from '../../../src/messages.ts';
import { writeParquet } from '../../helpers/parquet-writer.ts';

const write = (bytes: Uint8Array) => {
  const p = join(mkdtempSync(join(tmpdir(), 'pq-')), 't.parquet');
  writeFileSync(p, bytes);
  return p;
};

describe('parquet', () => {
  it('reads every row group, in order, with strings and doubles', async () => {
    const id = Array.from({ length: 23 }, (_, i) => `r${i}`);
    const x = id.map((_, i) => i / 4 - 2);
    const t = await readParquet(write(writeParquet({ id, x }, 5))); // 5 row groups
    expect(t.numRows()).toBe(23);
    expect(t.columnNames()).toEqual(['id', 'x']);
    expect(t.array('id')).toEqual(id);
    expect(Array.from(t.array('x') as number[])).toEqual(x);
  });

  it('rejects a truncated file, a file that is not Parquet and a missing file', async () => {
    const good = writeParquet({ id: ['a', 'b'], x: [1, 2] });
    for (const bytes of [good.subarray(0, good.length - 12), Buffer.from('id,x\na,1\n')]) {
      const err = await readParquet(write(bytes)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).expected).toBe('a readable Parquet file');
    }
    await expect(readParquet('/nonexistent/x.parquet')).rejects.toThrow(/expected a readable Parquet file/);
  });
});
