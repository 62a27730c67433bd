/** The number formats of the analyses' sentences. */
import { describe, expect, it } from 'vitest';
import { fix, int, pct, plural } from '../../src/analyses/format.ts';

describe('pct', () => {
  it('shows a share to the digits asked, and a non-zero share too small for them as "<0.1 %", not "0.0 %"', () => {
    expect([pct(0.123), pct(0.5, 0), pct(0), pct(1)]).toEqual(['12.3 %', '50 %', '0.0 %', '100.0 %']);
    // 3 of 6 046 records: 0.05 % rounds to "0.0 %" at one decimal.
    expect(pct(3 / 6046)).toBe('<0.1 %');
    expect(pct(0.0004, 0)).toBe('<1 %');
    expect(pct(-0.0002)).toBe('>-0.1 %');
    // Half a step or more rounds as usual.
    expect(pct(0.0005)).toBe('0.1 %');
    expect([pct(Number.NaN), pct(Infinity)]).toEqual(['n/a', 'n/a']);
  });

  it('fix, int and plural', () => {
    expect([fix(1 / 3), fix(2, 1), fix(Number.NaN)]).toEqual(['0.333', '2.0', 'n/a']);
    expect([int(1234567.4), plural(1, 'record'), plural(2, 'record'), plural(1_000, 'class', 'classes')]).toEqual(['1,234,567', '1 record', '2 records', '1,000 classes']);
  });
});
