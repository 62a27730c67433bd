import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, readJsonlObjects } from '../../../src/load/formats/jsonl.ts';

const write = (text: string) => {
  const p = join(mkdtempSync(join(tmpdir(), 'jsonl-')), 't.jsonl');
  writeFileSync(p, text);
  return p;
};

describe('jsonl', () => {
  it('streams objects line by line, skipping blank lines and CRLF endings', async () => {
    const lines: number[] = [];
    await readJsonl(write('{"id":"a"}\r\n\r\n{"id":"b","p":[0.5,0.5]}\n'), (_, line) => lines.push(line));
    expect(lines).toEqual([1, 3]);
    expect(await readJsonlObjects(write('{"id":"a"}\n{"id":"b","p":[0.5,0.5]}'))).toEqual([{ id: 'a' }, { id: 'b', p: [0.5, 0.5] }]);
  });

  it('names the line of a malformed or non-object row', async () => {
    await expect(readJsonlObjects(write('{"id":"a"}\n{"id":\n'))).rejects.toThrow(/t\.jsonl line 2: expected one JSON object per line/);
    await expect(readJsonlObjects(write('{"id":"a"}\n[1,2]\n'))).rejects.toThrow(/line 2: expected a JSON object, found \[1,2\]/);
  });

  it('skips a leading byte-order mark, and names a file it cannot read by its key', async () => {
    expect(await readJsonlObjects(write('\ufeff{"id":"a"}\n'))).toEqual([{ id: 'a' }]);
    await expect(readJsonlObjects(join(tmpdir(), 'no-such-losslens.jsonl'), 'dataset.file')).rejects.toThrow(/dataset\.file .*no-such-losslens\.jsonl/);
    await expect(readJsonlObjects(tmpdir(), 'dataset.file')).rejects.toThrow(/expected a file, found a folder/);
  });
});
