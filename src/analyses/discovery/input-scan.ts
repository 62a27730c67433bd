/**
 * The one pass over the model inputs — exact duplicates and input health (integrity-checks.ts
 * scanInputs) — shared by the integrity and outliers sections and the scores file.
 *
 * It reads every input byte (~800 MB at a million images, ~0.5 s) and needs no score, so when the
 * inputs are in shared memory (.npy files: load/shared-file.ts) and threads are allowed, the
 * analyses that use it start it on a worker thread (Analysis.start) and await it when they run;
 * runAnalyses runs them last, so the scan overlaps the analyses that need only the scores. The
 * thread runs the same scanInputs on the same bytes, so the result is the in-process one
 * (test/analyses/discovery/input-scan.test.ts). Otherwise, or if the thread fails, the scan runs
 * in-process the first time it is needed.
 */
import { isShared } from '../../load/shared-file.ts';
import type { ModelInputs } from '../../types.ts';
import { callOnThread, threadsAllowed } from '../../thread.ts';
import type { AnalysisContext } from '../types.ts';
import { scanInputs, type InputHealth } from './integrity-checks.ts';

export interface InputScan {
  /** Groups of bit-identical inputs (integrity-checks.ts scanInputs). */
  duplicates: number[][];
  /** Group number per record (index into duplicates), -1 when unique. */
  duplicateOf: Int32Array;
  /** Non-finite and constant input values. */
  health: InputHealth;
}

const running = new WeakMap<AnalysisContext, Promise<{ health: InputHealth; duplicates: number[][] } | null>>();
const finished = new WeakMap<AnalysisContext, InputScan>();

/**
 * Start the scan on a worker thread when it can run there (idempotent); else it runs in-process
 * when first needed. True when a thread scan is (already) under way.
 */
export function startInputScan(ctx: AnalysisContext): boolean {
  const inputs = ctx.inputs;
  if (running.has(ctx)) return true;
  if (!inputs || finished.has(ctx) || !threadsAllowed(ctx.config) || !isShared(inputs.data)) return false;
  const job = callOnThread<{ health: InputHealth; duplicates: number[][] }>(new URL('./integrity-checks.ts', import.meta.url).href, 'scanInputs', [inputs]);
  running.set(ctx, job.catch(() => null)); // a failed thread: scanned in-process instead
  return true;
}

/** Wait for a scan started on a thread (nothing to wait for otherwise); inputScan then answers at once. */
export async function inputScanReady(ctx: AnalysisContext): Promise<void> {
  const job = running.get(ctx);
  if (!job) return;
  const result = await job;
  running.delete(ctx);
  if (result && ctx.inputs && !finished.has(ctx)) finished.set(ctx, withGroups(result, ctx.inputs));
}

/**
 * The scan of ctx's inputs, null without inputs (precomputed scores). Computed here unless a
 * thread's result is in (await inputScanReady first to use it).
 */
export function inputScan(ctx: AnalysisContext): InputScan | null {
  if (!ctx.inputs) return null;
  let scan = finished.get(ctx);
  if (!scan) {
    scan = withGroups(scanInputs(ctx.inputs), ctx.inputs);
    finished.set(ctx, scan);
  }
  return scan;
}

function withGroups(r: { health: InputHealth; duplicates: number[][] }, inputs: ModelInputs): InputScan {
  const duplicateOf = new Int32Array(inputs.n).fill(-1);
  r.duplicates.forEach((g, gi) => g.forEach((i) => (duplicateOf[i] = gi)));
  return { duplicates: r.duplicates, duplicateOf, health: r.health };
}
