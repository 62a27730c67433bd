/**
 * Atomic output: every file is written to a temporary sibling and renamed into place, so a crash or
 * a bad input never leaves a half-written report, and an existing report survives a failed run.
 */
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';

function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${Date.now()}`;
}

export async function writeAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Stream chunks (text, or bytes as the scores CSV comes) into `path` atomically. */
export async function writeAtomicStream(path: string, chunks: Iterable<string | Uint8Array>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  // Opened before the first chunk is read: a stream that opens its file by itself does so in the
  // background, and a failure before that open completed let the file appear after the clean-up
  // below (a stray temporary file, seen under load in the test suite).
  const out = (await open(tmp, 'w')).createWriteStream();
  try {
    for (const c of chunks) if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
    out.end();
    await finished(out);
    await rename(tmp, path);
  } catch (e) {
    const closed = out.closed ? Promise.resolve() : new Promise<void>((resolve) => out.once('close', () => resolve()));
    out.destroy();
    await closed;
    await rm(tmp, { force: true });
    throw e;
  }
}
