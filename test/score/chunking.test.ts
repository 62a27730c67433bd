import { describe, expect, it } from 'vitest';
import { ACTIVATION_PIECE_BYTES, CHUNK_VALUES, chunkRows, ORT_PIECE_BYTES, ortPieceRows, runInPieces } from '../../src/score/chunking.ts';

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
    const embedded = new Function(`const ORT_PIECE_BYTES = ${ORT_PIECE_BYTES}; const ACTIVATION_PIECE_BYTES = ${ACTIVATION_PIECE_BYTES}; ${ortPieceRows.toString()}; return ortPieceRows;`)() as typeof ortPieceRows;
    expect([embedded(1024, 784), embedded(576, 784), embedded(3, 1e6), embedded(1024, 0, 6272), embedded(1024, 784, 6272)]).toEqual([256, 288, 1, 79, 79]);
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

  it('also keeps the widest layer output within ACTIVATION_PIECE_BYTES when it is known', () => {
    // The benchmark's CNN: 8 maps of 28 × 28 (25 KB per record) → at most 83 records, 13 pieces of 79 (the last 76).
    expect(ortPieceRows(1024, 0, 8 * 28 * 28)).toBe(79);
    expect(ortPieceRows(1024, 784, 8 * 28 * 28)).toBe(79); // the tighter of the two bounds
    expect(ortPieceRows(1024, 784, 256)).toBe(256); // the MLP fed floats: its inputs bound it
    expect(ortPieceRows(1024, 0, 256)).toBe(1024); // the MLP fed codes: 1 MB of its widest layer, one piece
    expect(ortPieceRows(1024, 0)).toBe(1024); // codes, layers unknown: the whole call
    expect(ortPieceRows(5, 0, 1e7)).toBe(1); // a layer wider than a piece: one record per call
    for (const widest of [10, 256, 6272, 100_000]) {
      for (const rows of [1, 7, 100, 1024]) {
        const step = ortPieceRows(rows, 0, widest);
        const pieces = Math.ceil(rows / step);
        expect(step * widest * 4 <= ACTIVATION_PIECE_BYTES || step === 1).toBe(true);
        expect(pieces).toBe(Math.ceil(rows / Math.max(1, Math.floor(ACTIVATION_PIECE_BYTES / (widest * 4)))));
      }
    }
  });

  it('runInPieces runs each piece in order and joins the outputs', async () => {
    const calls: [number, number][] = [];
    const out = await runInPieces(1024, ortPieceRows(1024, 784), async (start, count) => {
      calls.push([start, count]);
      return Float32Array.from({ length: count }, (_, i) => start + i);
    });
    expect(calls).toEqual([[0, 256], [256, 256], [512, 256], [768, 256]]);
    expect(Array.from(out)).toEqual(Array.from({ length: 1024 }, (_, i) => i));
    calls.length = 0;
    const one = Float32Array.of(1, 2);
    expect(await runInPieces(2, ortPieceRows(2, 784), async (start, count) => (calls.push([start, count]), one))).toBe(one); // one piece: its output as it is
    expect(calls).toEqual([[0, 2]]);
  });
});
