/** The input scan on a worker thread gives the in-process scan; it only goes there for shared inputs with threads allowed. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { inputScan, inputScanReady, scanNpyEarly, startInputScan } from '../../../src/analyses/discovery/input-scan.ts';
import { scanInputs } from '../../../src/analyses/discovery/integrity-checks.ts';
import type { AnalysisContext } from '../../../src/analyses/types.ts';
import type { ModelInputs } from '../../../src/types.ts';
import { encodeNpy } from '../../../src/load/formats/npy.ts';
import { loadInputs, prefetchInputs } from '../../../src/load/inputs.ts';
import * as thread from '../../../src/thread.ts';
import { makeContext } from '../../helpers/context.ts';

// The calls made to the worker thread, by function name (the thread itself runs as usual).
const threadCalls: string[] = [];
vi.mock('../../../src/thread.ts', async (original) => {
  const real = await original<typeof thread>();
  return { ...real, callOnThread: (module: string, fn: string, args: unknown[], transfer?: ArrayBuffer[]) => (threadCalls.push(fn), real.callOnThread(module, fn, args, transfer)) };
});

/** 40 uint8 records of 8 codes: 0–4, 10 and 11 repeat one input; 20 and 30 are blank (one value). */
function codes(shared: boolean): Uint8Array {
  const out = new Uint8Array(shared ? new SharedArrayBuffer(40 * 8) : new ArrayBuffer(40 * 8));
  for (let i = 0; i < 40; i++) for (let j = 0; j < 8; j++) out[i * 8 + j] = (i * 31 + j * 7) % 251;
  for (const i of [1, 2, 3, 4]) out.copyWithin(i * 8, 0, 8);
  out.copyWithin(11 * 8, 10 * 8, 11 * 8);
  out.fill(0, 20 * 8, 21 * 8);
  out.fill(0, 30 * 8, 31 * 8);
  return out;
}

function context(opts: { shared: boolean; workers: number }, inputs: ModelInputs = { file: '/fake/inputs.npy', n: 40, shape: [8], rowSize: 8, data: codes(opts.shared), scale: 1 / 255 }): AnalysisContext {
  const ctx = makeContext({ probs: Array.from({ length: 40 }, () => [0.6, 0.4]), labels: Array.from({ length: 40 }, (_, i) => i % 2) });
  return { ...ctx, inputs, config: { ...ctx.config, model: { ...ctx.config.model, workers: opts.workers } } };
}

/** The fixture's codes as an .npy file, loaded as the pipeline loads it: read on the worker thread, scanned there by scanNpyEarly with `scanAs`. */
async function loadedEarly(scanAs: { scale: number; offset: number }, dtype: 'uint8' | 'float32' = 'uint8'): Promise<AnalysisContext> {
  const file = join(mkdtempSync(join(tmpdir(), 'scan-')), 'x.npy');
  writeFileSync(file, encodeNpy({ dtype, shape: [40, 8], data: dtype === 'uint8' ? codes(false) : Float32Array.from(codes(false)) }));
  const cfg = { source: 'npy' as const, file, scale: 1 / 255, offset: 0, channels: 3 as const, layout: 'hwc' as const };
  const inputs = await loadInputs(cfg, 40, () => {}, prefetchInputs(cfg, (filling) => scanNpyEarly(filling, { file, ...scanAs })));
  return context({ shared: true, workers: 2 }, inputs);
}

describe('input scan', () => {
  it('runs on a worker thread for shared inputs and gives exactly the in-process scan', async () => {
    const ctx = context({ shared: true, workers: 2 });
    expect(startInputScan(ctx)).toBe(true);
    expect(startInputScan(ctx)).toBe(true); // idempotent: the same scan
    await inputScanReady(ctx);
    const scan = inputScan(ctx)!;
    const here = scanInputs(ctx.inputs!);
    expect(scan.duplicates).toEqual(here.duplicates);
    expect(scan.health).toEqual(here.health);
    // The fixture's duplicates and blanks were found at all.
    expect(scan.duplicates).toEqual([[0, 1, 2, 3, 4], [10, 11], [20, 30]]);
    expect(scan.health.constantRecords).toEqual([20, 30]);
    expect(Array.from(scan.duplicateOf.subarray(0, 12))).toEqual([0, 0, 0, 0, 0, -1, -1, -1, -1, -1, 1, 1]);
    expect(inputScan(ctx)).toBe(scan); // memoised
  });

  it('scans in-process when the thread call fails (here: inputs that cannot be posted)', async () => {
    const ctx = context({ shared: true, workers: 2 });
    const inputs = Object.assign({}, ctx.inputs!, { unpostable: () => 0 }); // a function cannot be cloned to a thread
    const failing = { ...ctx, inputs };
    expect(startInputScan(failing)).toBe(true);
    await inputScanReady(failing);
    expect(inputScan(failing)!.duplicates).toEqual([[0, 1, 2, 3, 4], [10, 11], [20, 30]]);
  });

  it('stays in-process for unshared inputs, with one thread, and without inputs', async () => {
    for (const ctx of [context({ shared: false, workers: 2 }), context({ shared: true, workers: 1 })]) {
      expect(startInputScan(ctx)).toBe(false);
      await inputScanReady(ctx); // nothing to wait for
      expect(inputScan(ctx)!.duplicates).toEqual([[0, 1, 2, 3, 4], [10, 11], [20, 30]]);
    }
    const none = makeContext({ probs: [[0.6, 0.4]], labels: [0] });
    expect(startInputScan(none)).toBe(false);
    expect(inputScan(none)).toBeNull();
  });

  it('adopts the scan queued behind the read of the inputs on the worker thread instead of scanning again', async () => {
    threadCalls.length = 0;
    const ctx = await loadedEarly({ scale: 1 / 255, offset: 0 });
    expect(startInputScan(ctx)).toBe(true);
    await inputScanReady(ctx);
    expect(threadCalls).toEqual(['readFileInto', 'scanNpyBytes']); // no scanInputs call during the analyses
    const scan = inputScan(ctx)!;
    const here = scanInputs(ctx.inputs!);
    expect(scan.duplicates).toEqual(here.duplicates);
    expect(scan.health).toEqual(here.health);
    expect(scan.duplicates).toEqual([[0, 1, 2, 3, 4], [10, 11], [20, 30]]);
  });

  it('scans again when the early scan read other inputs (another scale) or none (not uint8 codes)', async () => {
    for (const ctx of [await loadedEarly({ scale: 1, offset: 0 }), await loadedEarly({ scale: 1 / 255, offset: 0 }, 'float32')]) {
      threadCalls.length = 0;
      expect(startInputScan(ctx)).toBe(true);
      await inputScanReady(ctx);
      expect(threadCalls).toEqual(['scanInputs']);
      expect(inputScan(ctx)!.duplicates).toEqual([[0, 1, 2, 3, 4], [10, 11], [20, 30]]);
    }
  });
});
