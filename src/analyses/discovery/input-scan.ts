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
 *
 * Earlier still: a uint8 .npy file read on the worker thread while the dataset loads is scanned
 * there right after its read (scanNpyEarly), when the thread would otherwise wait for the scoring
 * — and startInputScan adopts that scan instead of starting one during the analyses.
 */
import { codedNpyInputs, type LegacyInputs } from '../../load/inputs.ts';
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

type ScanResult = { health: InputHealth; duplicates: number[][] };

const running = new WeakMap<AnalysisContext, Promise<ScanResult | null>>();
const finished = new WeakMap<AnalysisContext, InputScan>();

/** What an early scan read: a view of the shared bytes, as codedNpyInputs made it. */
type ScannedInputs = Pick<ModelInputs, 'n' | 'rowSize' | 'scale' | 'offset'> & { byteOffset: number; length: number };
type EarlyScan = ScanResult & { of: ScannedInputs };

/** Scans queued behind a file's read on the worker thread (scanNpyEarly), by the shared memory read into. */
const early = new WeakMap<ArrayBufferLike, Promise<EarlyScan | null>>();

/**
 * Queue the scan of an .npy file's bytes on the worker thread, behind their read there
 * (load/inputs.ts prefetchInputs gives `filling` before it is filled; the thread runs calls in
 * order). Only uint8 codes are scanned (scanNpyBytes); startInputScan adopts the result for inputs
 * that are that view of the same memory.
 */
export function scanNpyEarly(filling: Uint8Array, cfg: LegacyInputs): void {
  const job = callOnThread<EarlyScan | null>(import.meta.url, 'scanNpyBytes', [filling, { file: cfg.file, scale: cfg.scale, offset: cfg.offset }]);
  early.set(filling.buffer, job.catch(() => null));
}

/**
 * On the worker thread: scanInputs of the uint8 inputs loadInputs will make of these .npy bytes,
 * and which view it read; null for other dtypes (the main thread converts their values after the read).
 */
export function scanNpyBytes(bytes: Uint8Array, cfg: LegacyInputs): EarlyScan | null {
  const inputs = codedNpyInputs(cfg, bytes);
  if (!inputs) return null;
  return { ...scanInputs(inputs), of: scanned(inputs) };
}

function scanned(inputs: ModelInputs): ScannedInputs {
  return { n: inputs.n, rowSize: inputs.rowSize, scale: inputs.scale, offset: inputs.offset, byteOffset: inputs.data.byteOffset, length: inputs.data.length };
}

function sameInputs(a: ScannedInputs, b: ScannedInputs): boolean {
  return a.n === b.n && a.rowSize === b.rowSize && Object.is(a.scale, b.scale) && Object.is(a.offset, b.offset) && a.byteOffset === b.byteOffset && a.length === b.length;
}

/**
 * Start the scan on a worker thread when it can run there (idempotent) — or adopt the early scan
 * of these inputs' bytes; else it runs in-process when first needed. True when a thread scan is
 * (already) under way.
 */
export function startInputScan(ctx: AnalysisContext): boolean {
  const inputs = ctx.inputs;
  if (running.has(ctx)) return true;
  if (!inputs || finished.has(ctx) || !threadsAllowed(ctx.config) || !isShared(inputs.data)) return false;
  const onThread = () => callOnThread<ScanResult>(new URL('./integrity-checks.ts', import.meta.url).href, 'scanInputs', [inputs]);
  const adopted = early.get(inputs.data.buffer);
  // An early scan of other bytes (or none: another dtype, a failed read) is replaced by a scan now.
  const job = adopted ? adopted.then((r) => (r && sameInputs(r.of, scanned(inputs)) ? r : onThread())) : onThread();
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

function withGroups(r: ScanResult, inputs: ModelInputs): InputScan {
  const duplicateOf = new Int32Array(inputs.n).fill(-1);
  r.duplicates.forEach((g, gi) => g.forEach((i) => (duplicateOf[i] = gi)));
  return { duplicates: r.duplicates, duplicateOf, health: r.health };
}
