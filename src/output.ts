/**
 * Atomic output: every file is written to a temporary sibling and renamed into place, so a crash, a
 * full disk or a bad input never leaves a half-written report, and an existing report survives a
 * failed run. Files that belong together are staged first and committed together, so a run that
 * stops before the renames leaves the previous set whole (not a new summary beside an old report).
 */
import { constants, renameSync, rmSync } from 'node:fs';
import { access, mkdir, open, stat, writeFile } from 'node:fs/promises';
import { constants as os } from 'node:os';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { messages } from './messages.ts';

export type Content = string | Uint8Array | Iterable<string | Uint8Array>;

/** A file written to its temporary sibling, not yet in place; `what` names it in errors (e.g. "--scores"). */
export interface Staged {
  path: string;
  tmp: string;
  what?: string;
}

function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${Date.now()}`;
}

/**
 * Write `content` (text, bytes, or chunks as the scores CSV and summary come) to a temporary sibling
 * of `path`. Fails with an InputError naming `what` and the path when the file system refuses.
 */
export async function stage(path: string, content: Content, what?: string): Promise<Staged> {
  const tmp = tmpName(path);
  track(tmp);
  try {
    await makeFolders(dirname(path));
    if (typeof content === 'string' || content instanceof Uint8Array) await writeFile(tmp, content);
    else await streamTo(tmp, content);
  } catch (e) {
    remove(tmp);
    throw writeFailure(e, path, what);
  }
  return { path, tmp, what };
}

/**
 * Rename staged files into place in the given order. Synchronous, so a SIGINT/SIGTERM arriving
 * meanwhile is handled after the last rename, never between two.
 */
export function commit(staged: Staged[]): void {
  let i = 0;
  try {
    for (; i < staged.length; i++) {
      renameSync(staged[i].tmp, staged[i].path);
      untrack(staged[i].tmp);
    }
  } catch (e) {
    discard(staged.slice(i));
    throw writeFailure(e, staged[i].path, staged[i].what);
  }
}

/** Remove staged files that will not be committed. */
export function discard(staged: Staged[]): void {
  for (const s of staged) remove(s.tmp);
}

/** Stage every file, then rename them all in order: a failure before the renames leaves every old file. */
export async function writeAllAtomic(files: { path: string; content: Content; what?: string }[]): Promise<void> {
  const staged: Staged[] = [];
  try {
    for (const f of files) staged.push(await stage(f.path, f.content, f.what));
  } catch (e) {
    discard(staged);
    throw e;
  }
  commit(staged);
}

/** One file atomically: text, bytes, or chunks streamed (the scores CSV, summary.json). */
export async function writeAtomic(path: string, content: Content, what?: string): Promise<void> {
  commit([await stage(path, content, what)]);
}


async function streamTo(tmp: string, chunks: Iterable<string | Uint8Array>): Promise<void> {
  // Opened before the first chunk is read: a stream that opens its file by itself does so in the
  // background, and a failure before that open completed let the file appear after the clean-up
  // (a stray temporary file, seen under load in the test suite).
  const out = (await open(tmp, 'w')).createWriteStream();
  // Listening from the start: a write error (a full disk) emitted while no one listened was an
  // unhandled 'error' event that killed the process before the clean-up ran.
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  try {
    for (const c of chunks) if (!out.write(c)) await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), failed]);
    out.end();
    await finished(out);
  } catch (e) {
    const closed = out.closed ? Promise.resolve() : new Promise<void>((resolve) => out.once('close', () => resolve()));
    out.destroy();
    await closed;
    throw e;
  }
}

/** `mkdir -p`, failing with the real cause. */
async function makeFolders(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    // Node's recursive mkdir says ENOENT where a folder could not be made (EROFS, EACCES):
    // one level at a time, the failing mkdir gives the cause.
    const parent = dirname(dir);
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw e;
    await makeFolders(parent);
    await mkdir(dir);
  }
}

/**
 * Before any work: check a file can be put at `path` (not a directory; its deepest existing folder
 * writable, with no file in place of a folder), so an unwritable output is reported in a second
 * rather than after the whole audit. Creates nothing: a run refused later leaves no empty folder.
 */
export async function checkWritable(path: string, what?: string): Promise<void> {
  const refuse = (code: string) => writeFailure(Object.assign(new Error(code), { code, syscall: 'open' }), path, what);
  if ((await stat(path).catch(() => null))?.isDirectory()) throw refuse('EISDIR');
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const st = await stat(dir).catch(() => null);
    if (st && !st.isDirectory()) throw refuse('ENOTDIR');
    if (st || dirname(dir) === dir) {
      await access(dir, constants.W_OK).catch((e) => Promise.reject(writeFailure(e, path, what)));
      return;
    }
  }
}

/** What the user sees for each refusal, after "found". */
const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'the disk quota exceeded',
  EFBIG: 'the file size limit (ulimit -f) reached',
  EROFS: 'a read-only file system',
  EACCES: 'no permission to write there',
  EPERM: 'no permission to write there',
  EISDIR: 'a directory',
  ENOTDIR: 'a file in place of one of its folders',
  EEXIST: 'a file in place of one of its folders', // mkdir of a folder that is a file
  ENAMETOOLONG: 'a name too long for the file system',
  ENOENT: 'a folder that could not be made', // a folder of it removed while the run wrote
};

/** A file system error as an InputError (exit 2: the place is the user's to fix); anything else as is. */
function writeFailure(e: unknown, path: string, what?: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code !== 'string' || typeof err.syscall !== 'string') return e;
  return messages.unwritable(what, path, REASONS[err.code] ?? `${err.code} (${err.message})`);
}

/*
 * Temporary files that exist now. SIGINT/SIGTERM while there are any removes them and exits
 * 130/143 as the default action would. Listening only while they exist: a listener defers the
 * signal to the event loop, and Ctrl-C during a long synchronous analysis must still stop at once.
 */
const live = new Set<string>();

function track(tmp: string): void {
  live.add(tmp);
  if (live.size === 1) for (const s of SIGNALS) process.on(s, onSignal);
}

function untrack(tmp: string): void {
  live.delete(tmp);
  if (live.size === 0) for (const s of SIGNALS) process.off(s, onSignal);
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Remove a temporary file that may not exist (or could not: its folder is a file) and forget it. */
function remove(tmp: string): void {
  try {
    rmSync(tmp, { force: true });
  } catch {
    // ENOTDIR: there is no such file to remove.
  }
  untrack(tmp);
}

function onSignal(signal: NodeJS.Signals): void {
  removeLiveTemps();
  process.exit(128 + os.signals[signal]);
}

/** Remove every temporary file still being written (synchronous: it runs from a signal handler). */
export function removeLiveTemps(): void {
  for (const tmp of [...live]) remove(tmp);
}

/** The temporary files that exist now (for tests). */
export function liveTemps(): string[] {
  return [...live];
}
