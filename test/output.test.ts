import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAtomic, writeAtomicStream } from '../src/output.ts';

describe('atomic output', () => {
  it('creates folders, replaces the file whole and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const path = join(dir, 'a/b/report.html');
    await writeAtomic(path, 'one');
    await writeAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'a/b'))).toEqual(['report.html']);
  });

  it('keeps the previous file when the stream of chunks fails midway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const path = join(dir, 'scores.csv');
    writeFileSync(path, 'previous');
    let before: string[] = [];
    function* chunks() {
      before = readdirSync(dir);
      yield 'id,loss\n';
      throw new Error('disk on fire');
    }
    await expect(writeAtomicStream(path, chunks())).rejects.toThrow('disk on fire');
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['scores.csv']);
    // The temporary file was open before the first chunk was read, so the clean-up cannot run
    // ahead of its creation (it did, under load, when the stream opened the file in the background).
    expect(before).toHaveLength(2);
    expect(before.some((f) => f.startsWith('scores.csv.tmp-'))).toBe(true);
  });

  it('streams many chunks in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const path = join(dir, 'big.csv');
    const parts = Array.from({ length: 2000 }, (_, i) => `${i},${'x'.repeat(100)}\n`);
    await writeAtomicStream(path, parts);
    expect(readFileSync(path, 'utf8')).toBe(parts.join(''));
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });
});
