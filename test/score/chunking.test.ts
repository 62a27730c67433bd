import { describe, expect, it } from 'vitest';
import { CHUNK_VALUES, chunkRows, ORT_PIECE_BYTES, ortPieceRows, runInPieces } from '../../src/score/chunking.ts';

describe('chunkRows', () => {
  it('gives about CHUNK_VALUES input values per chunk, at least one record', () => {
    expect(chunkRows(784)).toBe(64);
    expect(chunkRows(4)).toBe(CHUNK_VALUES / 4);
    expect(chunkRows(1000)).toBe(50); // 50.176 rounded
    expect(chunkRows(1)).toBe(CHUNK_VALUES);
    expect(chunkRows(0)).toBe(CHUNK_VALUES);
    expect(chunkRows(10 * CHUNK_VALUES)).toBe(1);
  });
});

describe('ortPieceRows', () => {
  it('cuts a call into the fewest pieces of at most ORT_PIECE_BYTES of floats, of one size but the last', () => {
    expect(ortPieceRows(1024, 784)).toBe(256); // 3.2 MB: 4 pieces of 256 records (784 KB each)
    expect(ortPieceRows(576, 784)).toBe(288); // a last batch of 576: 2 pieces
    expect(ortPieceRows(334, 784)).toBe(334); // 1,047,424 bytes: one piece
    expect(ortPieceRows(3, 1e6)).toBe(1); // a record larger than a piece: one record per call
    expect(ortPieceRows(0, 784)).toBe(1);
    // The onnxruntime workers embed its source after a constant of the same name: the same answers.
    const embedded = new Function(`const ORT_PIECE_BYTES = ${ORT_PIECE_BYTES}; ${ortPieceRows.toString()}; return ortPieceRows;`)() as typeof ortPieceRows;
    expect([embedded(1024, 784), embedded(576, 784), embedded(3, 1e6)]).toEqual([256, 288, 1]);
    for (const rowSize of [1, 3, 784, 3072, 150528]) {
      for (const rows of [1, 2, 7, 100, 1000, 1024, 4096]) {
        const step = ortPieceRows(rows, rowSize);
        const pieces = Math.ceil(rows / step);
        expect(step * rowSize * 4 <= ORT_PIECE_BYTES || step === 1).toBe(true);
        expect(pieces).toBe(Math.ceil(rows / Math.max(1, Math.floor(ORT_PIECE_BYTES / (rowSize * 4))))); // no more pieces than needed
        expect(rows - (pieces - 1) * step).toBeGreaterThan(0); // the last piece is not empty
      }
    }
  });

  it('runInPieces runs each piece in order and joins the outputs', async () => {
    const calls: [number, number][] = [];
    const out = await runInPieces(1024, 784, async (start, count) => {
      calls.push([start, count]);
      return Float32Array.from({ length: count }, (_, i) => start + i);
    });
    expect(calls).toEqual([[0, 256], [256, 256], [512, 256], [768, 256]]);
    expect(Array.from(out)).toEqual(Array.from({ length: 1024 }, (_, i) => i));
    calls.length = 0;
    const one = Float32Array.of(1, 2);
    expect(await runInPieces(2, 784, async (start, count) => (calls.push([start, count]), one))).toBe(one); // one piece: its output as it is
    expect(calls).toEqual([[0, 2]]);
  });
});
