/**
 * Worker-thread side of thread.ts: run each call (the named export with the given arguments) in
 * the order the calls arrive, one at a time, and post each result or error with the call's id.
 */
import { parentPort } from 'node:worker_threads';
import { ownBuffers, type ThreadCall } from './thread.ts';

let last: Promise<void> = Promise.resolve();

parentPort!.on('message', (call: ThreadCall) => {
  last = last.then(() => run(call));
});

async function run({ id, module, fn, args }: ThreadCall): Promise<void> {
  try {
    const f = ((await import(module)) as Record<string, (...a: unknown[]) => unknown>)[fn];
    if (typeof f !== 'function') throw new Error(`${module} has no function ${fn}`);
    const value = await f(...args);
    parentPort!.postMessage({ id, value }, ownBuffers(value));
  } catch (e) {
    parentPort!.postMessage({ id, error: (e as Error).message });
  }
}
