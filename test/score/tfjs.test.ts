import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadTf } from '../../src/score/backend.ts';
import { loadLayersModel } from '../../src/score/tfjs-files.ts';
import { createTfjsRuntime } from '../../src/score/tfjs.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('createTfjsRuntime', () => {
  it('on WebAssembly predicts in cache-sized chunks with exactly the outputs of one whole-batch call', async () => {
    const { tf, backend } = await loadTf('tfjs-wasm');
    expect(backend).toBe('tfjs-wasm');
    const path = join('examples/mnist/checkpoints/epoch-05/model.json');
    const rt = await createTfjsRuntime();
    const model = await rt.load({ id: 'epoch-05', step: 5, path });
    const rows = 150; // 64-record chunks: 64 + 64 + 22
    const rng = mulberry32(3);
    const batch = Float32Array.from({ length: rows * 784 }, () => rng());
    const chunked = await model.predict(batch, rows);
    const whole = await loadLayersModel(tf, path);
    const expected = tf.tidy(() => (whole.predict(tf.tensor(batch, [rows, 784])) as TF.Tensor).dataSync() as Float32Array);
    expect(chunked.length).toBe(rows * 10);
    expect(bits(chunked)).toEqual(bits(expected));
    expect(bits(await model.predict(batch.subarray(0, 784), 1))).toEqual(bits(expected.subarray(0, 10)));
    // A batch that is not `rows` whole records is refused (it never made a tensor of that shape).
    await expect(model.predict(batch.subarray(0, 785), 1)).rejects.toThrow(/a batch of 1 records needs 784 values, got 785/);
    whole.dispose();
    model.dispose();
  });
});
