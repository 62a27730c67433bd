import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aq from 'arquero';
import { describe, expect, it } from 'vitest';
import { readArrow } from '../../../src/load/formats/arrow.ts';

const write = (bytes: Uint8Array) => {
  const p = join(mkdtempSync(join(tmpdir(), 'arrow-')), 't.arrow');
  writeFileSync(p, bytes);
  return p;
};

describe('arrow', () => {
  const table = aq.table({ id: ['a', 'b', 'c'], label: ['x', 'y', 'x'], bill: [39.1, null, 40.3] });

  it('reads the IPC file and stream formats, nulls included', async () => {
    for (const format of ['file', 'stream'] as const) {
      const t = await readArrow(write(aq.toArrowIPC(table, { format })));
      expect(t.objects()).toEqual(table.objects());
    }
  });

  it('reads 64-bit integers as numbers when they fit a double, as exact text when one does not (ids beyond 2^53)', async () => {
    const { tableFromArrays, tableToIPC } = await import('@uwdata/flechette');
    const ids = [1234567890123456789n, 1234567890123456788n, 12n];
    const ipc = tableToIPC(tableFromArrays({ id: BigInt64Array.from(ids), count: BigInt64Array.from([1n, 2n, 9007199254740991n]), x: Float64Array.from([1.5, 2, -3]) }), { format: 'file' })!;
    const t = await readArrow(write(ipc));
    expect(t.array('id')).toEqual(ids.map(String));
    expect(Array.from(t.array('count') as ArrayLike<unknown>)).toEqual([1, 2, 9007199254740991]);
    expect(Array.from(t.array('x') as ArrayLike<unknown>)).toEqual([1.5, 2, -3]);
  });

  it('rejects truncated bytes with an InputError naming the file', async () => {
    const bytes = aq.toArrowIPC(table, { format: 'file' });
    const p = write(bytes.subarray(0, bytes.length - 30));
    await expect(readArrow(p)).rejects.toThrow(new RegExp(`${p}: expected an Arrow IPC file or stream, found bytes that do not parse`));
  });
});
