/**
 * Chooses the tfjs backend: tfjs-node when its native binding loads, otherwise WebAssembly
 * (≈20× faster than the pure-JS cpu backend), otherwise cpu. `LOSSLENS_BACKEND` pins one,
 * which keeps committed reports reproducible on machines where tfjs-node happens to load.
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';

export type TfBackendName = 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu';
export interface TfHandle {
  tf: typeof TF;
  backend: TfBackendName;
  warnings: string[];
}

const require = createRequire(import.meta.url);
let cached: Promise<TfHandle> | undefined;

/**
 * tfjs has one backend per process, so the first call decides it; a later call that names another
 * backend is refused rather than silently given the first one.
 */
export async function loadTf(prefer: TfBackendName | 'auto' = envBackend()): Promise<TfHandle> {
  const first = cached === undefined;
  cached ??= init(prefer);
  const handle = await cached;
  if (prefer !== 'auto' && handle.backend !== prefer) {
    throw new Error(
      first
        ? `the ${prefer} backend did not initialise (${handle.warnings.join('; ')}); tfjs fell back to ${handle.backend}`
        : `tfjs already runs on ${handle.backend} in this process and cannot switch to ${prefer} (one backend per process: set LOSSLENS_BACKEND before the first use)`,
    );
  }
  return handle;
}

function envBackend(): TfBackendName | 'auto' {
  const v = process.env.LOSSLENS_BACKEND;
  if (v === 'tfjs-node' || v === 'tfjs-wasm' || v === 'tfjs-cpu') return v;
  return 'auto';
}

async function init(prefer: TfBackendName | 'auto'): Promise<TfHandle> {
  const warnings: string[] = [];
  if (prefer === 'auto' || prefer === 'tfjs-node') {
    try {
      // tfjs-node re-exports tfjs with its native backend registered.
      const tf = require('@tensorflow/tfjs-node') as typeof TF;
      await tf.setBackend('tensorflow');
      return { tf, backend: 'tfjs-node', warnings };
    } catch (e) {
      if (prefer === 'tfjs-node') throw e;
      warnings.push(`@tensorflow/tfjs-node is not available (${firstLine(e)}); using WebAssembly`);
    }
  }
  const tf = (await import('@tensorflow/tfjs')) as typeof TF;
  if (prefer !== 'tfjs-cpu') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: 'tfjs-wasm', warnings };
      }
      warnings.push('the WebAssembly backend did not initialise; using the pure-JS cpu backend');
    } catch (e) {
      if (prefer === 'tfjs-wasm') throw e;
      warnings.push(`the WebAssembly backend failed (${firstLine(e)}); using the pure-JS cpu backend`);
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'tfjs-cpu', warnings };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
