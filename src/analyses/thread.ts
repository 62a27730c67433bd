/**
 * Work an analysis can hand to a worker thread: a function of its arguments alone (no scores, no
 * other analysis), e.g. training the logistic-regression baseline. Started before the analyses run
 * (Analysis.start), it uses the core the main thread's analyses leave idle. (Scanning the inputs for
 * duplicates there too was measured and dropped: at 1M records the two threads contended, and the
 * analysis stage was no faster than with the baseline alone on a thread.)
 *
 * The thread imports the named export of a source module and calls it. Typed arrays over a
 * SharedArrayBuffer (.npy inputs: load/shared-file.ts) are shared, not copied; `transfer` hands
 * other buffers over without a copy. The result comes back the same way, so it is exactly what the
 * same call on the main thread returns (the callers' tests check bit for bit).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AnalysisContext } from './types.ts';

/**
 * The thread's first lines: register tsx (the sources are TypeScript, and hooks registered on the
 * main thread do not reach workers), then run thread-entry.ts.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => m.register()).then(() => import(workerData.entry));
`;

/** Whether analyses may use a thread: model.workers (default: the cores) above one. */
export function threadsAllowed(ctx: AnalysisContext): boolean {
  return (ctx.config.model.workers ?? availableParallelism()) > 1;
}

/** The calls wait for each other: one background thread at a time, so the main thread keeps a core to itself. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * `module[fn](...args)` on a new worker thread, after the calls queued before it; rejects if the
 * thread cannot start or the call throws.
 */
export function callOnThread<T>(module: string, fn: string, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> {
  const result = queue.then(() => spawn<T>(module, fn, args, transfer));
  queue = result.catch(() => {});
  return result;
}

function spawn<T>(module: string, fn: string, args: unknown[], transfer: ArrayBuffer[]): Promise<T> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./thread-entry.ts', import.meta.url).href;
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { tsx, entry, module, fn, args }, transferList: transfer });
    worker.once('message', (r: { value: T } | { error: string }) => {
      void worker.terminate();
      if ('error' in r) reject(new Error(`${fn} on a worker thread: ${r.error}`));
      else resolve(r.value);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${fn} on a worker thread: the thread exited with code ${code}`)));
  });
}

/** The unshared buffers of the typed arrays among `value`'s own fields (what a result can transfer). */
export function ownBuffers(value: unknown): ArrayBuffer[] {
  if (value === null || typeof value !== 'object') return [];
  const out = new Set<ArrayBuffer>();
  for (const v of Object.values(value)) if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  return [...out];
}
