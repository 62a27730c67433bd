import { describe, expect, it } from 'vitest';
import { checkpointMetrics, chooseFinalSplit, headline, rowsOf, splitHeadline, subset } from '../../src/analyses/common.ts';
import { ece, equalWidthBins } from '../../src/stats/calibration.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
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

  it('rowsOf gives the scorable, labelled records of each split, of all (null), none of an unknown split', () => {
    const rng = mulberry32(4);
    const n = 500;
    const splits = Array.from({ length: n }, () => ['train', 'val', 'test'][Math.floor(rng() * 3)]);
    const labels = Array.from({ length: n }, () => (rng() < 0.1 ? -1 : Math.floor(rng() * 2)));
    const ctx = makeContext({ probs: labels.map(() => (rng() < 0.1 ? null : [0.4, 0.6])), labels, splits });
    const expected = (split: string | null) => [...Array(n).keys()].filter((i) => ctx.run.scorable[i] === 1 && labels[i] >= 0 && (split === null || splits[i] === split));
    for (const split of ['train', 'val', 'test', null]) expect(Array.from(rowsOf(ctx.run, ctx.dataset, split))).toEqual(expected(split));
    expect(rowsOf(ctx.run, ctx.dataset, 'nope')).toHaveLength(0);
    expect(expected(null).length).toBeLessThan(n); // the fixture leaves some records out
  });

  it('checkpointMetrics and splitHeadline give exactly headline(subset(…))\'s values, memoised', () => {
    const rng = mulberry32(9);
    const n = 400;
    const rowsOfProbs = (shift: number) =>
      Array.from({ length: n }, (_, i) => {
        if (i % 37 === 5) return null; // unscorable
        const raw = [rng(), rng(), rng() * shift];
        const sum = raw[0] + raw[1] + raw[2];
        return raw.map((v) => v / sum);
      });
    const history = [rowsOfProbs(1), rowsOfProbs(2)];
    const ctx = makeContext({
      probs: rowsOfProbs(3),
      history,
      labels: Array.from({ length: n }, (_, i) => (i % 29 === 3 ? -1 : i % 3)), // some unlabelled
      splits: Array.from({ length: n }, (_, i) => ['train', 'val', 'val', 'test'][i % 4]),
    });
    const splitRows = (split: string) => rowsOf(ctx.run, ctx.dataset, split);
    for (const split of ['val', 'train', 'test']) {
      const h = headline(subset(ctx.run, ctx.dataset, 2, splitRows(split)), 3);
      const m = checkpointMetrics(ctx.run, ctx.dataset, split);
      expect(m[2]).toEqual({ n: h.n, accuracy: h.accuracy, nll: h.nll, ece: h.ece });
      expect(splitHeadline(ctx.run, ctx.dataset, split, 2)).toEqual(h);
      // Earlier (compact) checkpoints: the same sums over the split's records, in their order.
      for (const c of [0, 1]) {
        const s = ctx.run.scores[c];
        const rows = splitRows(split);
        const hit = Uint8Array.from(rows, (i) => (s.pred[i] === ctx.dataset.labels[i] ? 1 : 0));
        let loss = 0;
        rows.forEach((i) => (loss += s.loss[i]));
        const conf = Float32Array.from(rows, (i) => s.conf[i]);
        expect(m[c]).toEqual({ n: rows.length, accuracy: hit.reduce((a, b) => a + b, 0) / rows.length, nll: loss / rows.length, ece: ece(equalWidthBins(conf, hit, 15), rows.length) });
      }
    }
    expect(checkpointMetrics(ctx.run, ctx.dataset, 'val')).toBe(checkpointMetrics(ctx.run, ctx.dataset, 'val'));
    expect(rowsOf(ctx.run, ctx.dataset, 'val')).toBe(rowsOf(ctx.run, ctx.dataset, 'val'));
    expect(checkpointMetrics(ctx.run, ctx.dataset, 'nope').map((m) => m.n)).toEqual([0, 0, 0]);
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
