/** The detectors on the worker thread give exactly the in-process result; with no thread, or a failed one, they run here. */
import { describe, expect, it, vi } from 'vitest';
import { discover, discoveryJob, discoveryOf, discoveryReady, startDiscovery } from '../../../src/analyses/discovery/detect.ts';
import { packDiscovery } from '../../../src/analyses/discovery/packed-discovery.ts';
import type { AnalysisContext } from '../../../src/analyses/types.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';
import * as thread from '../../../src/thread.ts';
import { makeContext } from '../../helpers/context.ts';

// The calls made to the worker thread, by function name; `failNext` makes the next one reject, `replyNext` answers it instead of the thread.
const calls: string[] = [];
let failNext = false;
let replyNext: unknown = undefined;
vi.mock('../../../src/thread.ts', async (original) => {
  const real = await original<typeof thread>();
  return {
    ...real,
    callOnThread: (module: string, fn: string, args: unknown[], transfer?: ArrayBuffer[]) => {
      calls.push(fn);
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error(`${fn} on a worker thread: the thread exited`));
      }
      if (replyNext !== undefined) {
        const reply = replyNext;
        replyNext = undefined;
        return Promise.resolve(reply);
      }
      return real.callOnThread(module, fn, args, transfer);
    },
  };
});

/** 600 records, 4 classes, three splits; some unscorable, some unlabelled, a few confidently mislabelled. */
function context(workers: number): AnalysisContext {
  const rng = mulberry32(7);
  const n = 600;
  const labels = Array.from({ length: n }, (_, i) => (i % 97 === 5 ? -1 : i % 4));
  const probs = labels.map((y, i) => {
    if (i % 89 === 3) return null;
    const p = Array.from({ length: 4 }, () => 0.05 + rng());
    p[(i % 31 === 0 ? y + 1 : Math.max(y, 0)) % 4] += 2 + 4 * rng(); // every 31st record: the model says another class
    const sum = p.reduce((a, b) => a + b, 0);
    return p.map((v) => v / sum);
  });
  const splits = labels.map((_, i) => ['train', 'val', 'test'][i % 3]);
  const ctx = makeContext({ probs, labels, splits });
  return { ...ctx, config: { ...ctx.config, model: { ...ctx.config.model, workers } } };
}

describe('discover', () => {
  it('runs the detectors on the worker thread, with exactly the in-process result', async () => {
    const ctx = context(2);
    calls.length = 0;
    startDiscovery(ctx);
    startDiscovery(ctx); // idempotent: one job
    await discoveryReady(ctx);
    expect(calls).toEqual(['packedDiscoveryOf']);
    const onThread = discover(ctx);
    const here = discoveryOf(discoveryJob(ctx));
    expect(onThread).toEqual(here);
    expect(discover(ctx)).toBe(onThread); // memoised
    // The fixture has something to find.
    expect(here.outliers.order.length).toBeGreaterThan(0);
    expect(here.labelIssues.issues.length).toBeGreaterThan(0);
    expect(here.labelIssues.splits).toEqual(['val', 'test']);
  });

  it('computes in-process with one worker, or when the thread fails', async () => {
    const one = context(1);
    calls.length = 0;
    startDiscovery(one);
    await discoveryReady(one); // nothing to wait for
    expect(calls).toEqual([]);
    const failed = context(2);
    failNext = true;
    startDiscovery(failed);
    await discoveryReady(failed);
    expect(calls).toEqual(['packedDiscoveryOf']);
    const expected = discoveryOf(discoveryJob(context(2)));
    expect(discover(one)).toEqual(expected);
    expect(discover(failed)).toEqual(expected);
  });

  it('answers with what the thread computed once it is collected, not a second computation', async () => {
    const ctx = context(2);
    const fromThread = packDiscovery(discoveryOf(discoveryJob(context(2))));
    fromThread.outliers.k = 99; // not what a computation here would give
    replyNext = fromThread;
    startDiscovery(ctx);
    await discoveryReady(ctx);
    expect(discover(ctx).outliers.k).toBe(99);
  });
});
