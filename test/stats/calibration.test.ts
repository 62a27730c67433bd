import { describe, expect, it } from 'vitest';
import {
  calibrationSummary,
  classwiseEce,
  ece,
  equalMassBins,
  equalWidthBins,
  mce,
} from '../../src/stats/calibration.ts';

const f32 = (xs: number[]) => Float32Array.from(xs);
const i32 = (xs: number[]) => Int32Array.from(xs);

describe('equalWidthBins', () => {
  it('(a, b] bins: 0 in the first, 1.0 in the last, on-edge values in the bin ending there', () => {
    const conf = [0, 2 / 15, 1, 1, 0.5, 7 / 15];
    const correct = [0, 1, 1, 0, 1, true];
    const bins = equalWidthBins(conf, correct);
    expect(bins).toHaveLength(15);
    expect(bins.map((b) => b.count)).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 2]);
    expect(bins[1]).toEqual({ lo: 1 / 15, hi: 2 / 15, count: 1, accuracy: 1, confidence: 2 / 15 });
    expect(bins[6]!.hi).toBe(7 / 15); // 7/15 sits on the edge → bin (6/15, 7/15]
    expect(bins[14]).toEqual({ lo: 14 / 15, hi: 1, count: 2, accuracy: 0.5, confidence: 1 });
    expect(bins[0]).toEqual({ lo: 0, hi: 1 / 15, count: 1, accuracy: 0, confidence: 0 });
  });

  it('empty bins have count 0 and NaN accuracy/confidence', () => {
    const b = equalWidthBins([0.5], [1])[3]!;
    expect(b.count).toBe(0);
    expect(b.accuracy).toBeNaN();
    expect(b.confidence).toBeNaN();
  });

  it('decimal edges with 10 bins: 0.3 goes to (0.2, 0.3], 0.30000000000000004 to (0.3, 0.4]', () => {
    const bins = equalWidthBins([0.3, 0.1 * 3], [1, 1], 10);
    expect(bins[2]!.count).toBe(1);
    expect(bins[3]!.count).toBe(1);
  });

  it('float32 confidence is binned by its exact value (fround(0.8) > 0.8 → bin 12)', () => {
    const bins = equalWidthBins(f32([0.8, 0.75]), [1, 1]);
    expect(bins[12]!.count).toBe(1);
    expect(bins[11]!.count).toBe(1);
  });

  it('NaN confidences are skipped; out-of-range ones go to the end bins', () => {
    const bins = equalWidthBins([NaN, -0.1, 1.0000001], [1, 1, 1]);
    expect(bins.map((b) => b.count).reduce((a, b) => a + b)).toBe(2);
    expect(bins[0]!.count).toBe(1);
    expect(bins[14]!.count).toBe(1);
  });
});

describe('ece / mce', () => {
  it('hand-computed example', () => {
    const bins = equalWidthBins([0, 2 / 15, 1, 1, 0.5], [0, 1, 1, 0, 1]);
    // bin gaps: 0 (n1), 13/15 (n1), 0.5 (n1 at conf .5), 0.5 (n2 at conf 1)
    expect(ece(bins, 5)).toBeCloseTo((13 / 15) / 5 + 0.1 + 0.2, 15);
    expect(ece(bins)).toBe(ece(bins, 5));
    expect(mce(bins)).toBeCloseTo(13 / 15, 15);
  });

  it('all samples in one bin', () => {
    const bins = equalWidthBins([0.9, 0.9, 0.9], [1, 1, 0]);
    expect(bins.filter((b) => b.count > 0)).toHaveLength(1);
    expect(ece(bins)).toBeCloseTo(0.9 - 2 / 3, 15);
    expect(mce(bins)).toBeCloseTo(0.9 - 2 / 3, 15);
  });

  it('no samples: NaN', () => {
    const bins = equalWidthBins([], []);
    expect(ece(bins)).toBeNaN();
    expect(mce(bins)).toBeNaN();
  });
});

describe('equalMassBins', () => {
  it('splits sorted confidences into near-equal groups, larger groups first', () => {
    const bins = equalMassBins([0.5, 0.1, 0.4, 0.2, 0.3], [1, 0, 1, 0, 0], 2);
    expect(bins.map((b) => b.count)).toEqual([3, 2]);
    expect(bins[0]).toMatchObject({ lo: 0.1, hi: 0.3, accuracy: 0 });
    expect(bins[0]!.confidence).toBeCloseTo(0.2, 15);
    expect(bins[1]).toMatchObject({ lo: 0.4, hi: 0.5, accuracy: 1, confidence: 0.45 });
  });

  it('ties are ordered by sample index and may straddle bins', () => {
    const bins = equalMassBins([0.5, 0.5, 0.5, 0.5], [1, 1, 0, 0], 2);
    expect(bins.map((b) => b.accuracy)).toEqual([1, 0]);
  });

  it('fewer samples than bins leaves trailing empty bins', () => {
    const bins = equalMassBins([0.9, 0.6], [1, 0], 3);
    expect(bins.map((b) => b.count)).toEqual([1, 1, 0]);
    expect(bins[2]!.lo).toBeNaN();
    expect(ece(bins)).toBeCloseTo((0.6 + 0.1) / 2, 15);
  });
});

describe('classwiseEce and calibrationSummary', () => {
  // rows (0.75, 0.25) and (0.25, 0.75), both labelled 0 — all values exact in float32
  const probs = f32([0.75, 0.25, 0.25, 0.75]);
  const labels = i32([0, 0]);

  it('classwise ECE: mean over classes of ECE(p_c, 1[y = c])', () => {
    // class 0: gaps |1−.75|, |1−.25| in separate bins → 0.5; class 1: |0−.25|, |0−.75| → 0.5
    expect(classwiseEce(probs, labels, 2)).toBe(0.5);
  });

  it('binary summary, hand-computed', () => {
    const s = calibrationSummary(probs, labels, 2);
    expect(s.ece).toBe(0.25); // both in (11/15, 12/15], acc .5, conf .75
    expect(s.mce).toBe(0.25);
    // adaptive: one sample per bin, so the gaps no longer cancel: |1−.75|/2 + |0−.75|/2
    expect(s.adaptiveEce).toBe(0.5);
    expect(s.brier).toBe(0.625);
    expect(s.nll).toBeCloseTo((-Math.log(0.75) - Math.log(0.25)) / 2, 15);
    expect(s.bins).toHaveLength(15);
    expect(s.classwiseEce).toBe(0.5);
  });

  it('labels out of range are left out of every number', () => {
    const s = calibrationSummary(f32([0.75, 0.25, 0.5, 0.5]), i32([0, -1]), 2);
    expect(s.bins.reduce((a, b) => a + b.count, 0)).toBe(1);
    expect(s.ece).toBe(0.25);
  });
});
