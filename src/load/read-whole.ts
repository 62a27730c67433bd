/**
 * Files read whole, with errors that say what went wrong. A bare `catch` reporting "no such file"
 * turned a 2.4 GB predictions file, a 569 MB CSV and a 603 MB summary.json into "expected an
 * existing file, found no such file": readFile refuses files beyond 2 GiB, and no string holds
 * more than ~512 M characters.
 */
import { statSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:buffer';
import { InputError, messages } from '../messages.ts';
import { readFileRange } from './shared-file.ts';

/** The largest file read whole into one array: what a typed array holds here (Node 20: 4 GiB). */
export const MAX_WHOLE_BYTES = constants.MAX_LENGTH;

/** The whole file's bytes, beyond readFile's 2 GiB too (read in pieces up to MAX_WHOLE_BYTES). */
export function readWholeFile(file: string, key: string): Promise<Uint8Array> {
  return withFile(file, key, (fh, bytes) => {
    if (bytes > MAX_WHOLE_BYTES) throw new InputError(`${key} (${file})`, `a file of at most ${size(MAX_WHOLE_BYTES)} (the most one array holds)`, `a file of ${size(bytes)}`);
    return readFileRange(fh, 0, bytes, file, false);
  });
}

/**
 * `read(fh, size)` on the regular file `file` open for reading, closed afterwards; a failure to
 * open or read it becomes readFailure's user error (InputErrors `read` throws pass as they are).
 */
export async function withFile<T>(file: string, key: string, read: (fh: FileHandle, size: number) => Promise<T>): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw readFailure(key, file, e);
  }
  try {
    const info = await fh.stat();
    if (!info.isFile()) throw new InputError(`${key} (${file})`, 'a file', info.isDirectory() ? 'a folder' : 'another kind of file');
    return await read(fh, info.size);
  } catch (e) {
    throw e instanceof InputError ? e : readFailure(key, file, e);
  } finally {
    await fh.close();
  }
}

/**
 * The whole file as UTF-8 text, without a byte-order mark. `instead` says what to use for text
 * beyond the longest string (e.g. "JSON Lines or Parquet, read without holding the text").
 */
export async function readWholeText(file: string, key: string, instead = ''): Promise<string> {
  try {
    return withoutBom(await readFile(file, 'utf8'));
  } catch (e) {
    throw readFailure(key, file, e, instead);
  }
}

/**
 * Text without a UTF-8 byte-order mark (Excel's "CSV UTF-8", pandas' utf-8-sig, Notepad), which
 * would otherwise begin the first column's name or fail a JSON parse.
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The user error for a file `key` names that could not be read whole. */
export function readFailure(key: string, file: string, e: unknown, instead = ''): InputError {
  const where = `${key} (${file})`;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return messages.missingFile(key, file);
  if (code === 'EISDIR') return new InputError(where, 'a file', 'a folder');
  if (code === 'EACCES' || code === 'EPERM') return new InputError(where, 'a readable file', 'permission denied');
  if (code === 'ERR_STRING_TOO_LONG' || (e instanceof RangeError && /string length/i.test(e.message))) {
    return new InputError(where, `text of at most ${size(constants.MAX_STRING_LENGTH)} (the longest string Node holds)${instead ? `; for more, use ${instead}` : ''}`, `${sizeOf(file)}`);
  }
  if (code === 'ERR_FS_FILE_TOO_LARGE') return new InputError(where, `a file of at most 2 GiB (read whole)${instead ? `; for more, use ${instead}` : ''}`, sizeOf(file));
  return new InputError(where, 'a readable file', `a read error (${(e as Error)?.message ?? String(e)})`);
}

function sizeOf(file: string): string {
  try {
    return `a file of ${size(statSync(file).size)}`;
  } catch {
    return 'a file too large to read whole';
  }
}

/** "569 MB", "2.4 GB" (decimal units, as `ls -h --si` and file managers print them). */
function size(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}
