/** Worker-thread side of thread.ts: call the named export with the given arguments and post the one result. */
import { parentPort, workerData } from 'node:worker_threads';
import { ownBuffers } from './thread.ts';

const { module, fn, args } = workerData as { module: string; fn: string; args: unknown[] };
try {
  const f = ((await import(module)) as Record<string, (...a: unknown[]) => unknown>)[fn];
  if (typeof f !== 'function') throw new Error(`${module} has no function ${fn}`);
  const value = await f(...args);
  parentPort!.postMessage({ value }, ownBuffers(value));
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message });
}
