/**
 * Atomic output: every file is written to a temporary sibling and renamed into place, so a crash or
 * a bad input never leaves a half-written report, and an existing report survives a failed run.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
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

/** Stream chunks (e.g. a large CSV) into `path` atomically. */
export async function writeAtomicStream(path: string, chunks: Iterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  const out = createWriteStream(tmp);
  try {
    for (const c of chunks) if (!out.write(c)) await new Promise<void>((r) => out.once('drain', () => r()));
    out.end();
    await finished(out);
    await rename(tmp, path);
  } catch (e) {
    out.destroy();
    await rm(tmp, { force: true });
    throw e;
  }
}
