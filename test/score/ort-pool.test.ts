import { describe, expect, it } from 'vitest';
import { createOrtPool, modelFailure } from '../../src/score/ort-pool.ts';
import { ACTIVATION_PIECE_BYTES } from '../../src/score/chunking.ts';
import { encodeModel, type OnnxGraph } from '../../src/score/onnx-encode.ts';
import { sharedBytes } from '../../src/score/pool-worker.ts';
import { pieceSizeGraph } from '../helpers/piece-size-graph.ts';

/** y = x · w: 3 features → `k` outputs, w[i][j] = i + j; `batch`: a fixed batch size. */
const linear = (k: number, type?: 'uint8', batch?: number) => {
  const graph: OnnxGraph = {
    name: 'linear',
    nodes: type === 'uint8' ? [{ op: 'Cast', inputs: ['codes'], outputs: ['x'], attrs: { to: 1 } }, { op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }] : [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: [{ name: 'w', dims: [3, k], data: Float32Array.from({ length: 3 * k }, (_, i) => Math.floor(i / k) + (i % k)) }],
    inputs: [{ name: type === 'uint8' ? 'codes' : 'x', dims: [batch ?? 'batch', 3], ...(type ? { type } : {}) }],
    outputs: [{ name: 'y', dims: [batch ?? 'batch', k] }],
  };
  return encodeModel(graph);
};
/** What linear(k) gives for rows of x. */
const expected = (x: ArrayLike<number>, rows: number, k: number) =>
  Float32Array.from({ length: rows * k }, (_, o) => {
    const r = Math.floor(o / k);
    const j = o % k;
    return x[r * 3] * j + x[r * 3 + 1] * (1 + j) + x[r * 3 + 2] * (2 + j);
  });

describe('onnxruntime worker pool', () => {
  it('scores every chunk of a call, from plain or shared memory, values or codes', async () => {
    const pool = createOrtPool(2);
    try {
      const x = Float32Array.from({ length: 7 * 3 }, (_, i) => i - 4);
      const model = await pool.load(linear(2), { shape: [3], k: 2, chunkRows: 2 });
      expect(Array.from(await model.score(x, 7))).toEqual(Array.from(expected(x, 7, 2)));
      expect(await model.score(x, 0)).toHaveLength(0);
      // Codes, decoded with the table in the worker; here from shared memory (read in place).
      const table = Float32Array.from({ length: 256 }, (_, v) => v / 2);
      const codes = sharedBytes(5 * 3);
      codes.set(Array.from({ length: 15 }, (_, i) => i * 3));
      const decoding = await pool.load(linear(2), { shape: [3], k: 2, chunkRows: 2, table });
      expect(Array.from(await decoding.score(codes, 5))).toEqual(Array.from(expected(Array.from(codes, (c) => table[c]), 5, 2)));
      // A graph that takes the codes themselves.
      const codeFed = await pool.load(linear(2, 'uint8'), { shape: [3], k: 2, chunkRows: 3 });
      expect(Array.from(await codeFed.score(codes, 5))).toEqual(Array.from(expected(codes, 5, 2)));
      // Several models in one call.
      const other = await pool.load(linear(2), { shape: [3], k: 2, chunkRows: 2, table });
      const [a, b] = await pool.scoreAll([decoding, other], codes, 5);
      expect(a).toEqual(b);
      // Models cut differently in one call (a fixed batch size of 2 next to a free one): each runs its own pieces.
      const fixed = await pool.load(linear(2, undefined, 2), { shape: [3], k: 2, chunkRows: 4, table, fixedBatch: 2 });
      const free = await pool.load(linear(2), { shape: [3], k: 2, chunkRows: 4, table });
      const [f, g] = await pool.scoreAll([fixed, free], codes, 5);
      expect(Array.from(f)).toEqual(Array.from(expected(Array.from(codes, (c) => table[c]), 5, 2)));
      expect(Array.from(g)).toEqual(Array.from(f));
      fixed.dispose();
      free.dispose();
      await expect(pool.scoreAll([model, codeFed], x, 7)).rejects.toThrow(/different/);
      await expect(model.score(x, 8)).rejects.toThrow(/needs 24 values, got 21/);
      for (const m of [model, decoding, codeFed, other]) m.dispose();
    } finally {
      await pool.close();
    }
  });

  it('refuses a graph no worker can load, and names a model failing on its input as a model failure', async () => {
    const pool = createOrtPool(2);
    try {
      await expect(pool.load(Uint8Array.of(1, 2, 3), { shape: [3], k: 2, chunkRows: 2 })).rejects.toThrow(/onnxruntime worker/);
      // The pool still works after a refused graph: a wrong width fails in the model, per call.
      const model = await pool.load(linear(2), { shape: [3], k: 2, chunkRows: 2 });
      const wide = await pool.load(linear(2), { shape: [4], k: 2, chunkRows: 2 });
      const error = await wide.score(new Float32Array(8), 2).then(() => null, (e: unknown) => e);
      expect(modelFailure(error)).toMatchObject({ key: wide.key, kind: 'run', shape: [2, 4] });
      expect(modelFailure(new Error('x'))).toBeNull();
      expect(Array.from(await model.score(Float32Array.of(1, 1, 1), 1))).toEqual([3, 6]);
    } finally {
      await pool.close();
    }
    expect(() => createOrtPool(1)).toThrow(/≥ 2/);
  });
  it('cuts a chunk of codes into pieces only as its widest layer asks (ortPieceRows)', async () => {
    // y[r] = the record's first code + the number of records in the call that scored record r: the pieces show.
    const graph = pieceSizeGraph(3, 1, true);
    const codes = Uint8Array.from({ length: 13 * 3 }, (_, i) => (i % 3 === 0 ? i / 3 : 7));
    const pool = createOrtPool(2);
    try {
      // Chunks of 10 records (10, then 3). A layer of ACTIVATION_PIECE_BYTES/16 bytes of floats per record: at most 4 per call.
      const narrow = await pool.load(encodeModel(graph), { shape: [3], k: 1, chunkRows: 10, widestLayer: ACTIVATION_PIECE_BYTES / 16 });
      const pieces = [4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 3, 3, 3];
      expect(Array.from(await narrow.score(codes, 13))).toEqual(pieces.map((p, r) => r + p));
      // Layers unknown: a graph fed codes runs each chunk whole.
      const whole = await pool.load(encodeModel(graph), { shape: [3], k: 1, chunkRows: 10 });
      expect(Array.from(await whole.score(codes, 13))).toEqual(Array.from({ length: 13 }, (_, r) => r + (r < 10 ? 10 : 3)));
      narrow.dispose();
      whole.dispose();
    } finally {
      await pool.close();
    }
  });
});
