/**
 * Files read whole: beyond readFile's 2 GiB, and errors that say what went wrong (missing, a
 * folder, text beyond the longest string) instead of "no such file" for all of them.
 * The large files are sparse (ftruncate): no disk space, only the memory of the read.
 */
import { mkdtempSync, openSync, closeSync, ftruncateSync, writeSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTable } from '../../src/load/dataset.ts';
import { readFailure, readWholeFile, readWholeText } from '../../src/load/read-whole.ts';
import { InputError } from '../../src/messages.ts';

const dir = mkdtempSync(join(tmpdir(), 'losslens-read-whole-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sparse file of `size` bytes with `marker` written at `at`. */
function sparse(name: string, size: number, marker = '', at = 0): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  if (marker) writeSync(fd, Buffer.from(marker), 0, marker.length, at);
  closeSync(fd);
  return path;
}

describe('readWholeFile', () => {
  it('reads a file beyond 2 GiB, which readFile refuses', async () => {
    const size = 2 ** 31 + 4096;
    const path = sparse('big.bin', size, 'END', size - 3);
    const bytes = await readWholeFile(path, 'model.checkpoints');
    expect(bytes.length).toBe(size);
    expect(Buffer.from(bytes.subarray(size - 3)).toString()).toBe('END');
  }, 60_000);

  it('names a missing file and a folder as such', async () => {
    await expect(readWholeFile(join(dir, 'nope.npy'), 'model.checkpoints')).rejects.toThrow(`model.checkpoints (${join(dir, 'nope.npy')}): expected an existing file, found no such file`);
    mkdirSync(join(dir, 'folder.npy'));
    await expect(readWholeFile(join(dir, 'folder.npy'), 'model.checkpoints')).rejects.toThrow(`model.checkpoints (${join(dir, 'folder.npy')}): expected a file, found a folder`);
  });
});

describe('readWholeText', () => {
  it('says a text file is beyond the longest string, with its size and what to use instead', async () => {
    const path = sparse('huge.csv', 560_000_000);
    const err = await readWholeText(path, 'dataset.file', 'JSON Lines').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`dataset.file (${path}): expected text of at most 537 MB (the longest string Node holds); for more, use JSON Lines, found a file of 560 MB`);
  }, 60_000);

  it('through the dataset reader: a CSV too long for one string is not reported as a parse error', async () => {
    const path = sparse('records.csv', 560_000_000, 'id,label\n');
    await expect(readTable(path)).rejects.toThrow(/^dataset\.file \(.*records\.csv\): expected text of at most 537 MB \(the longest string Node holds\); for more, use JSON Lines, Parquet or Arrow, which are read without holding the text, found a file of 560 MB$/);
  }, 60_000);
});

describe('readFailure', () => {
  const path = sparse('small.txt', 10);
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });

  it('maps the causes a read fails for to what the user can act on', () => {
    expect(readFailure('k', path, err('ENOENT')).message).toBe(`k (${path}): expected an existing file, found no such file`);
    expect(readFailure('k', path, err('EISDIR')).message).toBe(`k (${path}): expected a file, found a folder`);
    expect(readFailure('k', path, err('EACCES')).message).toBe(`k (${path}): expected a readable file, found permission denied`);
    expect(readFailure('k', path, err('ERR_FS_FILE_TOO_LARGE')).message).toBe(`k (${path}): expected a file of at most 2 GiB (read whole), found a file of 0 MB`);
    expect(readFailure('k', path, new RangeError('Invalid string length'), 'Parquet').message).toBe(`k (${path}): expected text of at most 537 MB (the longest string Node holds); for more, use Parquet, found a file of 0 MB`);
    expect(readFailure('k', path, err('EIO', 'i/o error')).message).toBe(`k (${path}): expected a readable file, found a read error (i/o error)`);
  });
});
