/** Partial results: a compact encoding that round-trips exactly and names what is wrong with a bad file. */
import { describe, expect, it } from 'vitest';
import { decodePartial, encodePartial, PARTIAL_FORMAT, type PartialResult } from '../../src/score/shard.ts';
import { endianness } from 'node:os';

function partial(len: number, k: number, checkpoints: number): PartialResult {
  const f = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 7 + seed)));
  return {
    header: {
      format: PARTIAL_FORMAT, config: 'c', shard: { index: 1, count: 1 }, start: 0, end: len, n: len, ids: 'i', labels: 'l', classes: Array.from({ length: k }, (_, j) => `c${j}`),
      checkpoints: Array.from({ length: checkpoints }, (_, c) => ({ id: `s${c}`, step: c })), backend: 'fake', outputKind: Array(checkpoints).fill('logits'), scored: len, unscorable: [], endianness: endianness(),
    },
    compact: Array.from({ length: checkpoints - 1 }, (_, c) => ({ loss: f(len, c), conf: f(len, c + 10), pLabel: f(len, c + 20), pOther: f(len, c + 30), pred: Int32Array.from({ length: len }, (_, i) => (i + c) % k) })),
    finalProbs: f(len * k, 99),
    scorable: Uint8Array.from({ length: len }, (_, i) => (i % 5 ? 1 : 0)),
  };
}

describe('partial results', () => {
  it('round-trip every array exactly, holding the probabilities of the final checkpoint only', () => {
    const p = partial(50, 100, 20);
    const bytes = encodePartial(p);
    const back = decodePartial(bytes, 'p.partial');
    expect(back.header).toEqual(p.header);
    expect(Buffer.from(back.finalProbs.buffer).equals(Buffer.from(p.finalProbs.buffer))).toBe(true);
    expect(back.compact.length).toBe(19);
    back.compact.forEach((c, i) => {
      for (const f of ['loss', 'conf', 'pLabel', 'pOther', 'pred'] as const) expect(Buffer.from(c[f].buffer).equals(Buffer.from(p.compact[i][f].buffer))).toBe(true);
    });
    expect(Array.from(back.scorable)).toEqual(Array.from(p.scorable));
    // 50 records × (100 classes × 4 bytes + 19 compact checkpoints × 20 bytes + 1): 20× less than every checkpoint's probabilities.
    const head = bytes.length - 50 * (400 + 19 * 20 + 1) - 32;
    expect(head).toBeGreaterThan(0);
    expect(head).toBeLessThan(2000);
  });

  it('refuses a truncated partial and one of another format, naming the file', () => {
    const bytes = encodePartial(partial(10, 3, 2));
    expect(() => decodePartial(bytes.subarray(0, bytes.length - 5), 'p.partial')).toThrow(/p\.partial.*checksum mismatch/);
    const old = partial(10, 3, 2);
    old.header.format = 1;
    expect(() => decodePartial(encodePartial(old), 'old.partial')).toThrow(/old\.partial.*format 1 \(this losslens reads format 2\)/);
  });
});
