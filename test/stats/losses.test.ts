import { describe, expect, it } from 'vitest';
import { LOSS_CLAMP, brier, margin, nll, sampleLoss, topLabel } from '../../src/stats/losses.ts';

const f32 = (xs: number[]) => Float32Array.from(xs);
const i32 = (xs: number[]) => Int32Array.from(xs);
const CLAMPED = -Math.log(1e-12); // 27.631021115928547

describe('sampleLoss / nll', () => {
  it('−ln p(label), with p = 0 clamped to 1e-12', () => {
    const probs = f32([0.5, 0.5, 0, 1, 0.25, 0.75]);
    const loss = sampleLoss(probs, i32([0, 0, 1]), 2);
    expect(LOSS_CLAMP).toBe(1e-12);
    expect(CLAMPED).toBeCloseTo(27.631021115928547, 12);
    expect(loss[0]).toBe(Math.fround(Math.LN2));
    expect(loss[1]).toBe(Math.fround(CLAMPED));
    expect(loss[2]).toBe(Math.fround(-Math.log(Math.fround(0.75))));
    expect(nll(probs, i32([0, 0, 1]), 2)).toBeCloseTo((Math.LN2 + CLAMPED - Math.log(0.75)) / 3, 7);
  });

  it('out-of-range label gives NaN loss and is skipped by nll', () => {
    const probs = f32([0.5, 0.5, 0.5, 0.5]);
    expect(sampleLoss(probs, i32([-1, 2]), 2).every(Number.isNaN)).toBe(true);
    expect(nll(probs, i32([-1, 0]), 2)).toBe(Math.LN2);
    expect(nll(probs, i32([-1, -1]), 2)).toBeNaN();
  });

  it('perfect prediction has zero loss', () => {
    expect(nll(f32([1, 0, 0, 0, 1, 0]), i32([0, 1]), 3)).toBe(0);
  });

  it('rejects shape mismatch', () => {
    expect(() => nll(f32([0.5, 0.5, 1]), i32([0]), 2)).toThrow(RangeError);
    expect(() => nll(f32([0.5, 0.5]), i32([0, 1]), 2)).toThrow(RangeError);
  });
});

describe('brier', () => {
  it('hand-computed: perfect 0, maximally wrong 2, uniform (k−1)/k', () => {
    expect(brier(f32([1, 0, 0]), i32([0]), 3)).toBe(0);
    expect(brier(f32([0, 1, 0]), i32([0]), 3)).toBe(2);
    expect(brier(f32([0.5, 0.5]), i32([1]), 2)).toBe(0.5);
    // row (0.25, 0.75) label 0: 0.75² + 0.75² = 1.125; mean with 0 → 0.5625
    expect(brier(f32([0.25, 0.75, 1, 0]), i32([0, 0]), 2)).toBe(0.5625);
  });
});

describe('topLabel', () => {
  it('argmax with ties to the lowest index', () => {
    const { pred, conf } = topLabel(f32([0.4, 0.4, 0.2, 0.1, 0.3, 0.6, 1 / 3, 1 / 3, 1 / 3]), 3);
    expect(Array.from(pred)).toEqual([0, 2, 0]);
    expect(Array.from(conf)).toEqual([Math.fround(0.4), Math.fround(0.6), Math.fround(1 / 3)]);
  });

  it('does not mutate the input', () => {
    const p = f32([0.2, 0.8]);
    topLabel(p, 2);
    expect(Array.from(p)).toEqual([Math.fround(0.2), Math.fround(0.8)]);
  });
});

describe('margin', () => {
  it('p_label − max other; negative when wrong, 0 on a tie', () => {
    const m = margin(f32([0.7, 0.2, 0.1, 0.4, 0.4, 0.2, 0.1, 0.6, 0.3]), i32([0, 1, 2]), 3);
    expect(m[0]).toBeCloseTo(0.5, 6);
    expect(m[1]).toBe(0);
    expect(m[2]).toBeCloseTo(-0.3, 6);
  });

  it('binary problem and out-of-range label', () => {
    const m = margin(f32([0.9, 0.1, 0.9, 0.1]), i32([0, 5]), 2);
    expect(m[0]).toBeCloseTo(0.8, 6);
    expect(m[1]).toBeNaN();
  });
});
