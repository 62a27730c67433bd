/** The one-pass tally against each figure's own straightforward pass, to the bit. */
import { describe, expect, it } from 'vitest';
import { agreement } from '../../../src/analyses/dynamics/agreement.ts';
import { recordDynamics } from '../../../src/analyses/dynamics/matrix.ts';
import { binnedCells, dataMapCells, HARD, regionIndex } from '../../../src/analyses/dynamics/regions.ts';
import { tally } from '../../../src/analyses/dynamics/tally.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';
import { makeContext } from '../../helpers/calibration-context.ts';

/** 2000 seeded records over three splits and four checkpoints of a 3-class model, some never scored. */
function randomCase() {
  const rand = mulberry32(21);
  const n = 2000;
  const labels = Array.from({ length: n }, () => Math.floor(rand() * 3));
  const checkpoints = Array.from({ length: 4 }, () =>
    labels.map((y) => {
      const w = [0, 1, 2].map((j) => (j === y ? 3 : 1) * rand());
      const total = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / total);
    }),
  );
  const splits = labels.map((_, i) => ['train', 'val', 'test'][i % 7 === 0 ? 2 : i % 2]);
  const ctx = makeContext({ classes: ['a', 'b', 'c'], labels, checkpoints, steps: [1, 2, 3, 4], splits, unscorable: [5, 77, 1500] });
  const rows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => ctx.run.scorable[i] === 1);
  const d = recordDynamics(ctx.run, ctx.dataset.labels, rows, [0, 1, 2, 3]);
  const worstQHits = Int32Array.from(rows, () => Math.floor(rand() * 5));
  const flagged = Uint8Array.from({ length: n }, () => (rand() < 0.2 ? 1 : 0));
  const examined = Uint8Array.from({ length: n }, (_, i) => (splits[i] === 'val' ? 1 : 0));
  return { ctx, rows, d, worstQHits, flagged, examined };
}

describe('tally', () => {
  const { ctx, rows, d, worstQHits, flagged, examined } = randomCase();
  const { split, splitNames } = ctx.dataset;
  const positions = Array.from(rows, (_, r) => r);
  const region = positions.map((r) => regionIndex(d.confidence[r], d.variability[r]));
  const input = { split, splits: splitNames.length, mapPerSplit: true, worstQHits, requiredHits: 3, flagged, examined };
  const t = tally(d, input);

  it('counts regions per split and sums correctness per region in record order', () => {
    expect(t.bySplitRegion).toEqual(splitNames.map((_, s) => [0, 1, 2].map((g) => positions.filter((r) => split[rows[r]] === s && region[r] === g).length)));
    for (const g of [0, 1, 2]) {
      const inRegion = positions.filter((r) => region[r] === g);
      expect(t.regionRecords[g]).toBe(inRegion.length);
      expect(t.regionCorrect[g]).toBe(inRegion.reduce((a, r) => a + d.correctness[r], 0));
    }
    expect(new Set(region).size).toBe(3); // every region occurs
  });

  it('totals forgetting and its histogram', () => {
    const f = Array.from(d.forgetting);
    expect(t.forgettingEvents).toBe(f.reduce((a, x) => a + x, 0));
    expect(t.forgotten).toBe(f.filter((x) => x > 0).length);
    expect(t.neverLearned).toBe(Array.from(d.neverLearned).filter((x) => x === 1).length);
    const max = Math.max(...f);
    expect(max).toBeGreaterThan(1);
    expect(t.forgettingHistogram).toEqual([t.neverLearned, ...Array.from({ length: max + 1 }, (_, k) => positions.filter((r) => !d.neverLearned[r] && f[r] === k).length)]);
  });

  it('compares mean margin < 0 with the flags on the examined records only', () => {
    const aumFlags = new Uint8Array(ctx.dataset.n);
    positions.forEach((r) => d.meanMargin[r] < 0 && (aumFlags[rows[r]] = 1));
    const compared = Array.from(rows).filter((i) => examined[i] === 1);
    expect(t.compared).toBe(compared.length);
    expect(t.agreement).toEqual(agreement(compared, aumFlags, flagged));
    expect(t.agreement.both).toBeGreaterThan(0);
  });

  it('bins each split’s data map, or one for all records', () => {
    splitNames.forEach((_, s) => {
      const cells = dataMapCells(d, positions.filter((r) => split[rows[r]] === s));
      expect(binnedCells(t.maps[s].count, t.maps[s].correct)).toEqual(cells);
    });
    const pooled = tally(d, { ...input, mapPerSplit: false });
    expect(pooled.maps).toHaveLength(1);
    expect(binnedCells(pooled.maps[0].count, pooled.maps[0].correct)).toEqual(dataMapCells(d, positions));
  });

  it('lists the candidates of each ranked table in record order', () => {
    expect(t.hard).toEqual(positions.filter((r) => region[r] === HARD));
    expect(t.negativeMargin).toEqual(positions.filter((r) => d.meanMargin[r] < 0));
    expect(t.forgottenRecords).toEqual(positions.filter((r) => d.forgetting[r] > 0));
    expect(t.persistent).toEqual(positions.filter((r) => worstQHits[r] >= 3));
    expect(t.negativeMargin.length).toBeGreaterThan(0);
  });
});
