/**
 * roundedDecimal(x, d) is String(Number(x.toPrecision(d))), fast: checked on float32 values, doubles
 * and the edge cases — and writeRoundedDecimal writes the same text as bytes, checked on all of them.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DECIMAL_BYTES, roundedDecimal, writeRoundedDecimal } from '../../src/report/decimal.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

const slow = (x: number, d: number) => String(Number(x.toPrecision(d)));

const bytes = new Uint8Array(3 + MAX_DECIMAL_BYTES);
/** writeRoundedDecimal's bytes as text (written at an offset, as into a row). */
const written = (x: number, d: number) => String.fromCharCode(...bytes.subarray(3, writeRoundedDecimal(x, d, bytes, 3)));

/** The values where the fast text or its bytes disagree with toPrecision's (empty when they all agree). */
function mismatches(values: ArrayLike<number>, d: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length && out.length < 5; i++) {
    const x = values[i];
    const expected = slow(x, d);
    if (roundedDecimal(x, d) !== expected) out.push(`${x}: ${roundedDecimal(x, d)} vs ${expected}`);
    else if (written(x, d) !== expected) out.push(`${x}: bytes ${written(x, d)} vs ${expected}`);
  }
  return out;
}

describe('roundedDecimal', () => {
  it('equals toPrecision → Number → String on 600 000 random float32 bit patterns (every exponent, both signs)', () => {
    const rng = mulberry32(5);
    const bits = new Uint32Array(600_000);
    for (let i = 0; i < bits.length; i++) bits[i] = Math.floor(rng() * 2 ** 32);
    const f = new Float32Array(bits.buffer).filter(Number.isFinite);
    expect(f.length).toBeGreaterThan(590_000);
    for (const d of [9, 6]) expect(mismatches(f, d)).toEqual([]);
  });

  it('… on probabilities and losses as the scores file holds them (float32 in (0, 1], and around 1e-7 .. 30)', () => {
    const rng = mulberry32(6);
    const p = Float32Array.from({ length: 400_000 }, (_, i) => (i % 2 ? rng() : Math.exp(-30 * rng())));
    for (const d of [9, 6]) expect(mismatches(p, d)).toEqual([]);
  });

  it('… on doubles of every magnitude', () => {
    const rng = mulberry32(7);
    const x = Float64Array.from({ length: 200_000 }, () => (rng() - 0.5) * 10 ** Math.floor(rng() * 600 - 300));
    for (const d of [1, 2, 6, 9]) expect(mismatches(x, d)).toEqual([]);
  });

  it('… on the edge cases: ties, powers of ten and their float32 neighbours, format switches, extremes', () => {
    const f32 = (v: number) => Math.fround(v);
    const next = (v: number, dir: number) => {
      const b = new Float32Array([v]);
      new Uint32Array(b.buffer)[0] += dir;
      return b[0];
    };
    const edges: number[] = [0, -0, 1, -1, 0.5, 0.125, 0.375, 2.5, 1234567895, 123456789.5, 9.9999999996, 99999999.95, 0.99999999995, 1e21, 1e21 - 65536, 9.99999999e20, 1e-6, 1e-7, 9.999999e-7, 1.0000001e-7];
    for (let e = -45; e <= 38; e++) {
      const v = f32(10 ** e);
      if (v > 0 && Number.isFinite(v)) edges.push(v, next(v, 1), next(v, -1), -v);
    }
    edges.push(1.4e-45, 1.17549435e-38, 3.4028234663852886e38, Number.MIN_VALUE, Number.MAX_VALUE, 5e-324);
    for (const d of [1, 2, 3, 6, 9]) expect(mismatches(edges, d)).toEqual([]);
  });

  it('writes what JavaScript writes: no trailing zeros, exponent form below 1e-6 and from 1e21', () => {
    expect(roundedDecimal(0.1, 9)).toBe('0.1');
    expect(roundedDecimal(Math.fround(0.1), 9)).toBe('0.100000001');
    expect(roundedDecimal(2.5e-7, 9)).toBe('2.5e-7');
    expect(roundedDecimal(123456789012, 9)).toBe('123456789000');
    expect(roundedDecimal(-0.000012345, 6)).toBe('-0.000012345');
    expect(roundedDecimal(9.9999999996, 9)).toBe('10');
    for (const [x, d] of [[0.1, 9], [2.5e-7, 9], [123456789012, 9], [-0.000012345, 6], [9.9999999996, 9], [-0, 9], [1.5e21, 9], [-4.2e-300, 6], [NaN, 9], [-Infinity, 6], [0.1, 12]]) {
      expect(written(x, d)).toBe(slow(x, d));
    }
  });
});
