import { describe, expect, it } from 'vitest';
import { sharedBytes, sharedFloats, sharedInput, takeChunks } from '../../src/score/pool-worker.ts';

describe('takeChunks', () => {
  it('hands each chunk of a request to exactly one of the takers sharing the counter', () => {
    const next = new Int32Array(new SharedArrayBuffer(4));
    // Two takers interleaved, as two workers would be: together they see every chunk once.
    const a = takeChunks(next, 10, 3);
    const b = takeChunks(next, 10, 3);
    const seen = [a.next().value, b.next().value, b.next().value, a.next().value];
    expect(seen).toEqual([[0, 3], [3, 3], [6, 3], [9, 1]]);
    expect(a.next().done && b.next().done).toBe(true);
    // No records, no chunk; and the same from its source text alone (as the worker pools embed it).
    expect([...takeChunks(new Int32Array(new SharedArrayBuffer(4)), 0, 3)]).toEqual([]);
    const embedded = new Function(`${takeChunks.toString()}; return takeChunks;`)() as typeof takeChunks;
    expect([...embedded(new Int32Array(new SharedArrayBuffer(4)), 5, 2)]).toEqual([[0, 2], [2, 2], [4, 1]]);
  });
});

describe('sharedInput', () => {
  it('hands shared inputs over as they are and copies others into the slot, growing it', () => {
    const slot = { floats: sharedFloats(2), codes: sharedBytes(0) };
    const inShared = sharedBytes(10).subarray(3, 8);
    expect(sharedInput(inShared, slot)).toBe(inShared); // read in place, at its offset
    const floats = Float32Array.of(1.5, -2, 3);
    const copied = sharedInput(floats, slot);
    expect(copied.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(copied)).toEqual([1.5, -2, 3]);
    expect(slot.floats.length).toBeGreaterThanOrEqual(3); // grown from 2
    const codes = sharedInput(Uint8Array.of(7, 8), slot);
    expect(codes).toBeInstanceOf(Uint8Array);
    expect(Array.from(codes)).toEqual([7, 8]);
    expect(codes.buffer).toBe(slot.codes.buffer);
  });
});
