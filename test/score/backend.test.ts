/** One tfjs backend per process: the first call decides it, a different explicit request is refused. */
import { describe, expect, it } from 'vitest';
import { loadTf } from '../../src/score/backend.ts';

describe('loadTf', () => {
  it('keeps the first backend and refuses to silently hand it to a caller that asked for another', async () => {
    const first = await loadTf('tfjs-wasm');
    expect(first.backend).toBe('tfjs-wasm');
    expect(await loadTf('tfjs-wasm')).toBe(first);
    expect(await loadTf('auto')).toBe(first);
    await expect(loadTf('tfjs-cpu')).rejects.toThrow(/already runs on tfjs-wasm in this process and cannot switch to tfjs-cpu/);
  });
});
