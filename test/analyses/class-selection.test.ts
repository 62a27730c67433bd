import { describe, expect, it } from 'vitest';
import { curveClasses, mostConfusedClasses, subMatrix, tableClasses } from '../../src/analyses/class-selection.ts';

/** k × k matrix with `diag` on the diagonal and the given off-diagonal cells. */
function matrixOf(k: number, diag: number, cells: [number, number, number][]): number[][] {
  const m = Array.from({ length: k }, (_, t) => Array.from({ length: k }, (_, p) => (t === p ? diag : 0)));
  for (const [t, p, v] of cells) m[t][p] = v;
  return m;
}

describe('mostConfusedClasses', () => {
  it('keeps every class up to the limit', () => {
    expect(mostConfusedClasses(matrixOf(4, 5, [[0, 1, 3]]), undefined, 4)).toEqual([0, 1, 2, 3]);
  });
  it('beyond it, the classes with the most off-diagonal records as label plus as prediction, in class order', () => {
    const m = matrixOf(8, 100, [[0, 1, 3], [1, 2, 1], [5, 6, 2]]);
    // Off-diagonal records per class, as label plus as prediction: c0 3, c1 3 + 1 = 4, c2 1, c5 2, c6 2;
    // the diagonal (100) never counts.
    expect(mostConfusedClasses(m, undefined, 3)).toEqual([0, 1, 5]); // ties (c5, c6 at 2) go to the lower class
    expect(mostConfusedClasses(m, undefined, 5)).toEqual([0, 1, 2, 5, 6]);
  });
  it('with no confusion at all, the first classes', () => {
    expect(mostConfusedClasses(matrixOf(50, 3, []), undefined, 3)).toEqual([0, 1, 2]);
  });
});

describe('curveClasses', () => {
  it('every class up to the limit', () => {
    expect(curveClasses([0.5, 0.2, NaN], [], 3)).toEqual([0, 1, 2]);
  });
  it('beyond it: flagged classes first, then the least accurate (classes without records last), in class order', () => {
    const acc = [0.9, 0.1, NaN, 0.3, 0.8, 0.2];
    expect(curveClasses(acc, [4], 3)).toEqual([1, 4, 5]); // 4 flagged, then 1 (0.1), 5 (0.2)
    expect(curveClasses(acc, [], 6 - 1)).toEqual([0, 1, 3, 4, 5]); // NaN (no records) is left out first
    expect(curveClasses(acc, [0, 4, 0], 2)).toEqual([0, 4]);
  });
});

describe('tableClasses', () => {
  const m = (f1: number, support: number) => ({ precision: f1, recall: f1, f1, support });
  it('every class, in class order, up to the limit', () => {
    expect(tableClasses([m(0.9, 1), m(0.1, 1)], [1, 1], 2)).toEqual([0, 1]);
  });
  it('beyond it, the lowest F1 first (ties: more records first, then class order)', () => {
    expect(tableClasses([m(0.9, 5), m(0.2, 5), m(0.2, 9), m(0.5, 1), m(0.2, 9)], [5, 5, 9, 1, 9], 4)).toEqual([2, 4, 1, 3]);
  });
  it('classes with neither records nor predictions last; a class only predicted (F1 0) is a real failure', () => {
    // Class 0: no records, no predictions; class 1: no records but predicted (false positives); class 3: F1 0.1.
    expect(tableClasses([m(0, 0), m(0, 0), m(0.9, 4), m(0.1, 3)], [0, 2, 4, 3], 3)).toEqual([1, 3, 2]);
  });
});

describe('subMatrix', () => {
  it('takes the same rows and columns', () => {
    expect(subMatrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [0, 2])).toEqual([[1, 3], [7, 9]]);
  });
});
