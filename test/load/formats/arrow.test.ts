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

  it('rejects truncated bytes with an InputError naming the file', async () => {
    const bytes = aq.toArrowIPC(table, { format: 'file' });
    const p = write(bytes.subarray(0, bytes.length - 30));
    await expect(readArrow(p)).rejects.toThrow(new RegExp(`${p}: expected an Arrow IPC file or stream, found bytes that do not parse`));
  });
});
