import { describe, expect, it } from 'vitest';
import { chooseFinalSplit, headline, rowsOf, subset } from '../../src/analyses/common.ts';
import { makeContext } from '../helpers/context.ts';

describe('analyses/common', () => {
  it('computes the CONTRACT headline metrics on scorable, labelled records of a split', () => {
    const ctx = makeContext({
      probs: [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], null, [0.5, 0.5]],
      labels: [0, 0, 1, 0, 1],
      splits: ['val', 'val', 'val', 'val', 'train'],
    });
    const rows = rowsOf(ctx.run, ctx.dataset, 'val');
    expect(Array.from(rows)).toEqual([0, 1, 2]); // the unscorable record 3 is excluded
    const h = headline(subset(ctx.run, ctx.dataset, 0, rows), 2);
    expect(h.n).toBe(3);
    expect(h.accuracy).toBeCloseTo(1 / 3, 12);
    const p = [0.8, 0.3, 0.4];
    expect(h.nll).toBeCloseTo(-(Math.log(p[0]) + Math.log(p[1]) + Math.log(p[2])) / 3, 6);
    expect(h.brier).toBeCloseTo((2 * 0.2 ** 2 + 2 * 0.7 ** 2 + 2 * 0.6 ** 2) / 3, 6);
    // Class 0: tp 1, fp 1 (record 2), fn 1 → F1 0.5; class 1: tp 0 → F1 0.
    expect(h.macroF1).toBeCloseTo(0.25, 12);
    // Bins (a, b]: conf 0.8 (correct), 0.7 (wrong), 0.6 (wrong) fall in three bins.
    expect(h.ece).toBeCloseTo((Math.abs(1 - 0.8) + 0.7 + 0.6) / 3, 6);
    expect(h.mce).toBeCloseTo(0.7, 6);
  });

  it('returns NaN metrics for an empty split', () => {
    const ctx = makeContext({ probs: [[0.5, 0.5]], labels: [0], splits: ['train'] });
    const h = headline(subset(ctx.run, ctx.dataset, 0, rowsOf(ctx.run, ctx.dataset, 'val')), 2);
    expect(h.n).toBe(0);
    expect(Number.isNaN(h.accuracy)).toBe(true);
  });

  it('chooses a validation-like headline split unless one is configured', () => {
    const ds = (names: string[]) => ({ splitNames: names }) as never;
    expect(chooseFinalSplit(ds(['train', 'validation', 'test']), null)).toBe('validation');
    expect(chooseFinalSplit(ds(['train', 'test']), null)).toBe('test');
    expect(chooseFinalSplit(ds(['train', 'holdout']), null)).toBe('holdout');
    expect(chooseFinalSplit(ds(['all']), null)).toBe('all');
    expect(chooseFinalSplit(ds(['train', 'val']), 'train')).toBe('train');
  });
});
