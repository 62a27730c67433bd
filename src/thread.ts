/**
 * Work handed to a worker thread: a function of its arguments alone, e.g. an analysis's input scan
 * or logistic-regression baseline (started before the analyses run, Analysis.start, it uses the
 * core the main thread's analyses leave idle), or half of a large image folder's decoding while
 * the dataset loads (load/inputs.ts).
 *
 * One background thread at a time, so the main thread keeps a core to itself: the calls go to one
 * worker, which runs them in the order they were made. They are all posted at once, so the worker
 * goes from one to the next by itself — while the main thread is busy with analyses and cannot
 * handle a message (a queue on the main thread would start the next call only then). The worker
 * ends when no call is left; a later call starts a new one.
 *
 * The worker imports the named export of a source module and calls it. Typed arrays over a
 * SharedArrayBuffer (.npy inputs: load/shared-file.ts) are shared, not copied; `transfer` hands
 * other buffers over without a copy. The result comes back the same way, so it is exactly what the
 * same call on the main thread returns (the callers' tests check bit for bit).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Config } from './config.ts';

/**
 * The thread's first lines: register tsx (the sources are TypeScript, and hooks registered on the
 * main thread do not reach workers), then run thread-entry.ts.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => m.register()).then(() => import(workerData.entry));
`;

/**
 * Most bytes an analysis copies for the thread (the logistic-regression baseline's rows, the
 * calibration's probabilities). Beyond it the copy would cost more memory than the thread saves
 * time, and the work stays on the main thread.
 */
export const THREAD_COPY_BYTES = 512 * 2 ** 20;

/** Whether a run may use the thread: model.workers (default: the cores) above one. */
export function threadsAllowed(config: Pick<Config, 'model'>): boolean {
  return (config.model.workers ?? availableParallelism()) > 1;
}

/** A call as the worker receives it. */
export interface ThreadCall {
  id: number;
  module: string;
  fn: string;
  args: unknown[];
}

/** The worker's answer to call `id`. */
export type ThreadReply = { id: number; value: unknown } | { id: number; error: string };

interface Pending {
  fn: string;
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
}

/** A worker, the calls it has yet to answer, and the holds that keep it while it has none (holdThread). */
interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  holds: number;
}

let current: Thread | null = null;
let nextId = 0;

/**
 * `module[fn](...args)` on the worker thread, after the calls made before it; rejects if the
 * thread cannot start or the call throws.
 */
export function callOnThread<T>(module: string, fn: string, args: unknown[], transfer: ArrayBuffer[] = []): Promise<T> {
  const t = current ?? (current = startWorker());
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    t.pending.set(id, { fn, resolve: resolve as (v: unknown) => void, reject });
    try {
      t.worker.postMessage({ id, module, fn, args } satisfies ThreadCall, transfer);
    } catch (e) {
      // Arguments that cannot be posted (e.g. a function): this call fails, the worker goes on.
      t.pending.delete(id);
      reject(e as Error);
      endIfIdle(t);
    }
  });
}

/**
 * End the worker now; the calls still waiting on it fail. For a caller that no longer wants their
 * results (load/inputs.ts after an error), so the process does not wait for them before it exits.
 */
export function stopThread(): void {
  const t = current;
  if (!t) return;
  current = null;
  void t.worker.terminate();
}

/**
 * Start the worker now and keep it, even with no call to run, until the returned release is
 * called: its start-up (a new isolate, tsx, the entry module: ~0.4 s here) then overlaps the
 * caller's own work instead of delaying the first call. The pipeline holds it from loading to the
 * end of the analyses, whose background work (Analysis.start) would otherwise wait for it.
 */
export function holdThread(): () => void {
  let t: Thread;
  try {
    t = current ?? (current = startWorker());
  } catch {
    return () => {}; // no thread here (e.g. tsx not resolvable): each call falls back as before
  }
  t.holds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    t.holds--;
    endIfIdle(t);
  };
}

/** A worker with no call left and no hold ends (it would otherwise keep the process alive). */
function endIfIdle(t: Thread): void {
  if (t.pending.size > 0 || t.holds > 0) return;
  if (current === t) current = null;
  void t.worker.terminate();
}

function startWorker(): Thread {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./thread-entry.ts', import.meta.url).href;
  const t: Thread = { worker: new Worker(BOOTSTRAP, { eval: true, workerData: { tsx, entry } }), pending: new Map<number, Pending>(), holds: 0 };
  t.worker.on('message', (r: ThreadReply) => {
    const p = t.pending.get(r.id);
    if (!p) return;
    t.pending.delete(r.id);
    if ('error' in r) p.reject(new Error(`${p.fn} on a worker thread: ${r.error}`));
    else p.resolve(r.value);
    endIfIdle(t);
  });
  // A thread that dies (it could not start, or ran out of memory) fails every call still waiting on it.
  const fail = (why: string) => {
    if (current === t) current = null;
    for (const [id, p] of t.pending) {
      t.pending.delete(id);
      p.reject(new Error(`${p.fn} on a worker thread: ${why}`));
    }
  };
  t.worker.on('error', (e) => fail(e.message));
  t.worker.on('exit', (code) => fail(`the thread exited with code ${code}`));
  return t;
}

/** The unshared buffers of the typed arrays among `value`'s own fields (what a result can transfer). */
export function ownBuffers(value: unknown): ArrayBuffer[] {
  if (value === null || typeof value !== 'object') return [];
  const out = new Set<ArrayBuffer>();
  for (const v of Object.values(value)) if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  return [...out];
}
