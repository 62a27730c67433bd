import { describe, expect, it } from 'vitest';
import { CHUNK_VALUES, chunkRows } from '../../src/score/chunking.ts';

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
