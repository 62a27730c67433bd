/** Partial results: a compact file that round-trips exactly, is read without holding it whole, and names what is wrong with a bad file. */
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import { encodePartial, PARTIAL_FORMAT, readPartialHeader, readPartialInto, type PartialResult, type PartialTargets } from '../../src/score/partial-file.ts';

const FIELDS = ['loss', 'conf', 'pLabel', 'pOther', 'pred'] as const;

/** A partial of records [start, start + len) with distinct values everywhere. */
function partial(len: number, k: number, checkpoints: number, start = 0): PartialResult {
  const f = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 7 + seed)));
  return {
    header: {
      format: PARTIAL_FORMAT, config: 'c', shard: { index: 1, count: 1 }, start, end: start + len, n: start + len, ids: 'i', labels: 'l', classes: Array.from({ length: k }, (_, j) => `c${j}`),
      checkpoints: Array.from({ length: checkpoints }, (_, c) => ({ id: `s${c}`, step: c, sha256: null })), backend: 'fake', outputKind: Array(checkpoints).fill('logits'), scored: len, unscorable: [], endianness: endianness(),
    },
    compact: Array.from({ length: checkpoints - 1 }, (_, c) => ({ loss: f(len, c), conf: f(len, c + 10), pLabel: f(len, c + 20), pOther: f(len, c + 30), pred: Int32Array.from({ length: len }, (_, i) => (i + c) % k) })),
    finalProbs: f(len * k, 99),
    scorable: Uint8Array.from({ length: len }, (_, i) => (i % 5 ? 1 : 0)),
  };
}

/** Targets for n records, filled with a marker, so untouched elements show. */
function targets(n: number, k: number, checkpoints: number): PartialTargets {
  return {
    compact: Array.from({ length: checkpoints - 1 }, () => ({ loss: new Float32Array(n).fill(-7), conf: new Float32Array(n).fill(-7), pLabel: new Float32Array(n).fill(-7), pOther: new Float32Array(n).fill(-7), pred: new Int32Array(n).fill(-7) })),
    finalProbs: new Float32Array(n * k).fill(-7),
    scorable: new Uint8Array(n).fill(7),
  };
}

function write(bytes: Uint8Array, name = 'p.partial'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'losslens-partial-')), name);
  writeFileSync(file, bytes);
  return file;
}

const same = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('partial results', () => {
  it('round-trip every array exactly into its record range, holding the probabilities of the final checkpoint only', async () => {
    const p = partial(50, 100, 20, 30);
    const bytes = encodePartial(p);
    const file = write(bytes);
    const checked = await readPartialHeader(file);
    expect(checked.header).toEqual(p.header);
    const t = targets(100, 100, 20);
    await readPartialInto(checked, t);
    // Records 30–79 hold the partial's values; the others are untouched.
    expect(same(t.finalProbs.subarray(3000, 8000), p.finalProbs)).toBe(true);
    expect(t.finalProbs.subarray(0, 3000).every((v) => v === -7) && t.finalProbs.subarray(8000).every((v) => v === -7)).toBe(true);
    t.compact.forEach((c, i) => {
      for (const f of FIELDS) {
        expect(same(c[f].subarray(30, 80), p.compact[i][f])).toBe(true);
        expect(c[f][29]).toBe(-7);
        expect(c[f][80]).toBe(-7);
      }
    });
    expect(Array.from(t.scorable.subarray(30, 80))).toEqual(Array.from(p.scorable));
    expect([t.scorable[29], t.scorable[80]]).toEqual([7, 7]);
    // 50 records × (100 classes × 4 bytes + 19 compact checkpoints × 20 bytes + 1): 20× less than every checkpoint's probabilities.
    const head = bytes.length - 50 * (400 + 19 * 20 + 1) - 32;
    expect(head).toBeGreaterThan(0);
    expect(head).toBeLessThan(2000);
  });

  it('checks the checksum across more than one read chunk', async () => {
    // 4 MiB chunks: 300 000 records × 4 classes × 4 bytes of probabilities alone is ~4.6 MB.
    const p = partial(300_000, 4, 2);
    const bytes = encodePartial(p);
    expect((await readPartialHeader(write(bytes))).header.end).toBe(300_000);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100] ^= 1; // in the second chunk
    await expect(readPartialHeader(write(flipped))).rejects.toThrow(/p\.partial.*checksum mismatch/);
  });

  it('refuses a missing, foreign, truncated, corrupt or other-format file, naming the file', async () => {
    const bytes = encodePartial(partial(10, 3, 2));
    await expect(readPartialHeader(join(tmpdir(), 'no-such-dir-losslens', 'x.partial'))).rejects.toThrow(/x\.partial.*no such file/);
    await expect(readPartialHeader(write(Buffer.from('id,label\n'.repeat(20)), 'a.csv'))).rejects.toThrow(/a\.csv.*another kind of file/);
    await expect(readPartialHeader(write(bytes.subarray(0, bytes.length - 5)))).rejects.toThrow(/p\.partial.*expected .* \(truncated or corrupt file\)/);
    await expect(readPartialHeader(write(bytes.subarray(0, 60)))).rejects.toThrow(/p\.partial.*truncated/);
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 40] ^= 0xff;
    await expect(readPartialHeader(write(corrupt))).rejects.toThrow(/p\.partial.*checksum mismatch/);
    const old = partial(10, 3, 2);
    old.header.format = 1;
    await expect(readPartialHeader(write(encodePartial(old), 'old.partial'))).rejects.toThrow(/old\.partial.*format 1 \(this losslens reads format 3\)/);
    // A flipped bit in a header key (an internal error before), and a folder given for a partial.
    const key = Buffer.from(bytes);
    const at = key.indexOf('"classes"');
    key[at + 4] ^= 0x04; // "clagses"
    await expect(readPartialHeader(write(key, 'key.partial'))).rejects.toThrow(/key\.partial.*a header with missing or malformed fields/);
    await expect(readPartialHeader(tmpdir())).rejects.toThrow(/expected a losslens partial result .*found a folder/);
  });

  it('refuses a file that changed after it was checked', async () => {
    const bytes = encodePartial(partial(10, 3, 2));
    const file = write(bytes);
    const checked = await readPartialHeader(file);
    const changed = Buffer.from(bytes);
    changed[changed.length - 40] ^= 0xff;
    writeFileSync(file, changed);
    await expect(readPartialInto(checked, targets(10, 3, 2))).rejects.toThrow(/p\.partial.*changed while it was merged \(checksum mismatch\)/);
    truncateSync(file, bytes.length - 100);
    await expect(readPartialInto(checked, targets(10, 3, 2))).rejects.toThrow(/p\.partial.*changed while it was merged \(truncated\)/);
  });
});
