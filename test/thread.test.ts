/** Calls on a worker thread: results and failures come back; typed-array results are transferred. */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { callOnThread, holdThread, ownBuffers, stopThread } from '../src/thread.ts';

const rng = new URL('../src/stats/rng.ts', import.meta.url).href;

describe('callOnThread', () => {
  it('returns what the named export returns on the main thread, awaiting async ones', async () => {
    const { fmix32 } = await import('../src/stats/rng.ts');
    expect(await callOnThread<number>(rng, 'fmix32', [12345])).toBe(fmix32(12345));
    const file = new URL('../package.json', import.meta.url).pathname;
    const text = await callOnThread<string>('node:fs/promises', 'readFile', [file, 'utf8']);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('rejects with the function name when the export is missing or throws', async () => {
    await expect(callOnThread(rng, 'noSuchFunction', [])).rejects.toThrow(/noSuchFunction on a worker thread: .*has no function noSuchFunction/);
    await expect(callOnThread('node:fs/promises', 'readFile', ['/no/such/file'])).rejects.toThrow(/readFile on a worker thread: .*ENOENT/);
  });

  it('runs calls made together on one thread, in order, the next starting without the busy main thread', async () => {
    const calls = new URL('./fixtures/thread-calls.ts', import.meta.url).href;
    const slept = callOnThread<number>(calls, 'sleep', [150]);
    const first = callOnThread<{ threadId: number; at: number }>(calls, 'where', []);
    const second = callOnThread<{ threadId: number; at: number }>(calls, 'where', []);
    // Keep the main thread busy (no event loop) well past the sleep and the thread's start-up.
    const busyUntil = Date.now() + 2000;
    while (Date.now() < busyUntil);
    const [a, b] = await Promise.all([first, second, slept]);
    expect(a.threadId).toBe(b.threadId);
    expect(a.threadId).not.toBe(0); // not the main thread
    expect(a.at).toBeLessThan(busyUntil); // the calls after sleep ran while the main thread was busy
    expect(b.at).toBeGreaterThanOrEqual(a.at);
    // That worker ended with its last call: the next call gets a thread of its own.
    const c = await callOnThread<{ threadId: number }>(calls, 'where', []);
    expect(c.threadId).not.toBe(a.threadId);
  });

  it('stopThread ends the worker at once: its waiting calls fail, and a later call gets a new thread', async () => {
    const calls = new URL('./fixtures/thread-calls.ts', import.meta.url).href;
    const long = callOnThread(calls, 'sleep', [5000]);
    const queued = callOnThread(calls, 'where', []);
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    stopThread();
    await expect(long).rejects.toThrow(/sleep on a worker thread/);
    await expect(queued).rejects.toThrow(/where on a worker thread/);
    expect(Date.now() - t).toBeLessThan(2000);
    expect((await callOnThread<{ threadId: number }>(calls, 'where', [])).threadId).toBeGreaterThan(0);
  });

  it('holdThread keeps the worker while it has no call, until released; then it ends', async () => {
    const calls = new URL('./fixtures/thread-calls.ts', import.meta.url).href;
    const release = holdThread();
    const a = await callOnThread<{ threadId: number }>(calls, 'where', []);
    await new Promise((r) => setTimeout(r, 100)); // idle: without the hold the worker would have ended
    const b = await callOnThread<{ threadId: number }>(calls, 'where', []);
    expect(b.threadId).toBe(a.threadId);
    release();
    release(); // a second release changes nothing
    const c = await callOnThread<{ threadId: number }>(calls, 'where', []);
    expect(c.threadId).not.toBe(a.threadId);
  });

  it('holdThread gives a release that does nothing when no worker can start, so the audit goes on without one', async () => {
    vi.resetModules();
    vi.doMock('node:worker_threads', async (importOriginal) => ({
      ...(await importOriginal<typeof import('node:worker_threads')>()),
      Worker: class {
        constructor() {
          throw new Error('no threads here');
        }
      },
    }));
    try {
      const isolated = await import('../src/thread.ts');
      const release = isolated.holdThread();
      expect(release).not.toThrow();
    } finally {
      vi.doUnmock('node:worker_threads');
      vi.resetModules();
    }
  });

  it('rejects a call whose arguments cannot be posted, and the next call still runs', async () => {
    await expect(callOnThread(rng, 'fmix32', [() => 1])).rejects.toThrow(/could not be cloned/);
    const { fmix32 } = await import('../src/stats/rng.ts');
    expect(await callOnThread<number>(rng, 'fmix32', [7])).toBe(fmix32(7));
  });

  it('ownBuffers lists the transferable (unshared) buffers of typed-array fields once', () => {
    const a = new Float32Array(4);
    const shared = new Uint8Array(new SharedArrayBuffer(8));
    expect(ownBuffers({ a, b: a.subarray(1), shared, n: 3, s: 'x' })).toEqual([a.buffer]);
    expect(ownBuffers(null)).toEqual([]);
    expect(ownBuffers(7)).toEqual([]);
  });
});
