import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/stats/rng.ts';
import {
  accuracy,
  classCounts,
  confusionMatrix,
  macroF1,
  macroF1Of,
  marginals,
  perClassMetrics,
  weightedF1,
} from '../../src/stats/classification.ts';

const i32 = (xs: number[]) => Int32Array.from(xs);

describe('confusionMatrix', () => {
  it('counts matrix[true][pred] and skips out-of-range entries', () => {
    const m = confusionMatrix(i32([0, 0, 1, 2, -1, 3, 1]), i32([0, 1, 1, 1, 0, 0, -1]), 3);
    expect(m).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]);
  });

  it('rejects length mismatch', () => {
    expect(() => confusionMatrix(i32([0]), i32([0, 1]), 2)).toThrow(RangeError);
  });
});

describe('perClassMetrics', () => {
  it('hand-computed 3-class case', () => {
    // true\pred  0 1 2
    //   0        2 1 0
    //   1        0 3 1
    //   2        1 0 0     (class 2: support 1, one prediction, zero hits)
    const m = [
      [2, 1, 0],
      [0, 3, 1],
      [1, 0, 0],
    ];
    const p = perClassMetrics(m);
    expect(p[0]).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 });
    expect(p[1]!.precision).toBe(3 / 4);
    expect(p[1]!.recall).toBe(3 / 4);
    expect(p[1]!.f1).toBeCloseTo(0.75, 15);
    expect(p[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(macroF1(m)).toBeCloseTo((2 / 3 + 0.75 + 0) / 3, 15);
    expect(weightedF1(m)).toBeCloseTo((3 * (2 / 3) + 4 * 0.75 + 0) / 8, 15);
  });

  it('class with support but no predictions: precision 0, recall 0, F1 0, and counted in macro F1', () => {
    const m = [
      [2, 0],
      [1, 0],
    ];
    const p = perClassMetrics(m);
    expect(p[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    // class 0: p = 2/3, r = 1 → F1 0.8; macro = (0.8 + 0)/2
    expect(p[0]!.f1).toBeCloseTo(0.8, 15);
    expect(macroF1(m)).toBeCloseTo(0.4, 15);
  });

  it('class with predictions but no support: precision 0, counted in macro F1', () => {
    const m = [
      [1, 1],
      [0, 0],
    ];
    expect(perClassMetrics(m)[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(macroF1(m)).toBeCloseTo((2 / 3 + 0) / 2, 15);
  });

  it('class with neither predictions nor support is excluded from macro F1 (CONTRACT)', () => {
    const m = [
      [3, 1, 0],
      [1, 3, 0],
      [0, 0, 0],
    ];
    expect(perClassMetrics(m)[2]!.f1).toBe(0);
    expect(macroF1(m)).toBe(0.75);
    expect(weightedF1(m)).toBe(0.75);
  });

  it('empty matrix gives NaN macro/weighted F1', () => {
    expect(macroF1([[0]])).toBeNaN();
    expect(weightedF1([[0]])).toBeNaN();
  });
});

describe('accuracy', () => {
  it('binary case and skipped negatives', () => {
    expect(accuracy(i32([0, 1, 1, 0]), i32([0, 1, 0, 0]))).toBe(0.75);
    expect(accuracy(i32([0, -1, 1]), i32([0, 1, 1]))).toBe(1);
    expect(accuracy(i32([]), i32([]))).toBeNaN();
  });

  it('equals trace/sum of the confusion matrix', () => {
    const l = i32([0, 1, 2, 2, 1, 0, 2]);
    const p = i32([0, 2, 2, 1, 1, 0, 0]);
    const m = confusionMatrix(l, p, 3);
    expect(accuracy(l, p)).toBe((m[0]![0]! + m[1]![1]! + m[2]![2]!) / 7);
  });
});

describe('marginals (row-major row and column sums)', () => {
  it('equal sums down each column and along each row bit for bit, fractional cells included', () => {
    const rng = mulberry32(23);
    for (const k of [1, 3, 7, 40]) {
      const m = Array.from({ length: k }, () => Array.from({ length: k }, () => (rng() < 0.3 ? 0 : rng() * 1e3 - 1e-3)));
      const { support, predicted } = marginals(m);
      for (let c = 0; c < k; c++) {
        let row = 0;
        let col = 0;
        for (let j = 0; j < k; j++) {
          row += m[c][j];
          col += m[j][c];
        }
        expect(Object.is(support[c], row)).toBe(true);
        expect(Object.is(predicted[c], col)).toBe(true);
      }
      // perClassMetrics and macroF1 read them: a column's predictions are its sum.
      const per = perClassMetrics(m);
      per.forEach((x, c) => expect(x.support).toBe(support[c]));
    }
  });
});

describe('classCounts and macroF1Of (no k² cells)', () => {
  it('equal the matrix diagonal and sums, and macroF1 of the matrix, bit for bit; out-of-range pairs count nowhere', () => {
    const rng = mulberry32(5);
    for (const k of [1, 3, 17, 200]) {
      const n = 3000;
      const labels = Int32Array.from({ length: n }, () => (rng() < 0.05 ? -1 : Math.floor(rng() * k)));
      const preds = Int32Array.from(labels, (l) => (rng() < 0.03 ? k : rng() < 0.6 && l >= 0 ? l : Math.floor(rng() * k)));
      const m = confusionMatrix(labels, preds, k);
      const { support, predicted } = marginals(m);
      const c = classCounts(labels, preds, k);
      expect(Array.from(c.tp)).toEqual(m.map((row, t) => row[t]));
      expect(c.support).toEqual(support);
      expect(c.predicted).toEqual(predicted);
      expect(macroF1Of(labels, preds, k)).toBe(macroF1(m));
    }
    expect(macroF1Of(i32([-1]), i32([0]), 2)).toBeNaN();
    expect(() => classCounts(i32([0]), i32([]), 2)).toThrow(RangeError);
  });
});
