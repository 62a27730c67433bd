/**
 * The paired gap bootstrap past GROUPED_ABOVE records: hash groups of records are resampled. Checked
 * against the record-level bootstrap on 60 000 records, where both are feasible.
 */
import { describe, expect, it } from 'vitest';
import { gapMethod, gapsOf, groupedGaps, metricsOf, recordGaps, resamplesFor, type Scored } from '../../../src/analyses/baselines/gap.ts';
import { bootstrapCI, countsCells, GROUPED_ABOVE } from '../../../src/stats/bootstrap.ts';
import { confusionMatrix, macroF1 } from '../../../src/stats/classification.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';

/** n records, k classes: the model right 85 % of the time, a weaker baseline 75 %, a constant one. */
function fixture(n: number, k: number, seed: number) {
  const rng = mulberry32(seed);
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * k));
  const scored = (acc: number, loss: number): Scored => ({
    pred: Int32Array.from(labels, (l) => (rng() < acc ? l : (l + 1 + Math.floor(rng() * (k - 1))) % k)),
    // Multiples of 1/8: every sum is exact, so any summation order gives the same numbers.
    loss: Float32Array.from(labels, () => Math.floor(rng() * 16 * loss) / 8),
  });
  return { labels, model: scored(0.85, 0.4), bases: [scored(0.75, 0.7), { pred: new Int32Array(n), loss: new Float32Array(n).fill(1.5) }] };
}

describe('resamples and the report note', () => {
  it('1 000 resamples up to 20 000 records, ⌊2·10⁷/n⌋ (≥ 200) up to GROUPED_ABOVE, 1 000 again beyond', () => {
    expect([resamplesFor(100), resamplesFor(20_000), resamplesFor(40_000), resamplesFor(GROUPED_ABOVE), resamplesFor(GROUPED_ABOVE + 1), resamplesFor(1e6)]).toEqual([1000, 1000, 500, 400, 1000, 1000]);
  });
  it('names the method actually used', () => {
    expect(gapMethod(5000, 7)).toBe('paired percentile bootstrap, 1000 resamples, seed 7');
    expect(gapMethod(200_000, 7)).toBe('paired percentile bootstrap over 2,000 groups of records (more than 50,000 records: each is put in a group by a seeded hash of its row in the dataset, and whole groups are drawn), 1000 resamples, seed 7');
  });
});

describe('metricsOf', () => {
  it('on all records (the arrays read in place) and on a subset (copies) equals the definition, labels and predictions outside 0..k−1 included', () => {
    const { labels, model } = fixture(3000, 5, 8);
    for (const r of [3, 40, 41, 2000]) labels[r] = r % 2 ? -1 : 5;
    for (const r of [3, 7, 41]) model.pred[r] = -1; // 3 and 41: −1 = −1 counts as a hit, as pred === label
    const definition = (idx: Int32Array) => {
      const l = Int32Array.from(idx, (i) => labels[i]);
      const p = Int32Array.from(idx, (i) => model.pred[i]);
      let loss = 0;
      for (const i of idx) loss += model.loss[i];
      return { accuracy: l.filter((t, r) => t === p[r]).length / idx.length, macroF1: macroF1(confusionMatrix(l, p, 5)), nll: loss / idx.length };
    };
    expect(metricsOf(model, labels, 5)).toEqual(definition(Int32Array.from(labels, (_, i) => i)));
    const idx = Int32Array.from({ length: 1000 }, (_, r) => (r * 7919) % 3000);
    expect(metricsOf(model, labels, 5, idx)).toEqual(definition(idx));
    expect(metricsOf(model, labels, 5, new Int32Array(0))).toEqual({ accuracy: NaN, macroF1: NaN, nll: NaN });
  });
});

describe('record-level paired gaps', () => {
  // The definition: per baseline and metric, a bootstrap of metricsOf(model) − metricsOf(baseline) on the drawn records.
  const reference = (model: Scored, bases: Scored[], labels: Int32Array, k: number, seed: number) =>
    bases.map((b) => {
      const opts = { seed, resamples: resamplesFor(labels.length), level: 0.95 };
      const gap = (key: 'accuracy' | 'macroF1' | 'nll') => bootstrapCI(labels.length, (idx) => metricsOf(model, labels, k, idx)[key] - metricsOf(b, labels, k, idx)[key], opts);
      return { accuracy: gap('accuracy'), macroF1: gap('macroF1'), nll: gap('nll') };
    });

  it('equal separate bootstraps bit for bit, counting confusion cells (few classes)', () => {
    const { labels, model, bases } = fixture(300, 3, 2);
    expect(countsCells(300, 3)).toBe(true);
    expect(recordGaps(model, bases, labels, 3, 5)).toEqual(reference(model, bases, labels, 3, 5));
  });

  it('and counting per class when the classes² outnumber the records (a thousand classes would be a million cells per resample)', () => {
    const { labels, model, bases } = fixture(300, 40, 3);
    expect(countsCells(300, 40)).toBe(false);
    expect(recordGaps(model, bases, labels, 40, 5)).toEqual(reference(model, bases, labels, 40, 5));
  });
});

describe('grouped paired gaps (60 000 records)', () => {
  const n = 60_000;
  const k = 4;
  const { labels, model, bases } = fixture(n, k, 5);
  const index = Int32Array.from({ length: n }, (_, r) => 3 * r);
  const grouped = gapsOf(model, bases, labels, k, 11, index);
  const records = recordGaps(model, bases, labels, k, 11);

  it('is the method gapsOf takes past GROUPED_ABOVE, with the record-level estimates', () => {
    expect(grouped).toEqual(groupedGaps(model, bases, labels, k, 11, index));
    grouped.forEach((g, j) => {
      for (const key of ['accuracy', 'macroF1', 'nll'] as const) expect(g[key].estimate).toBe(records[j][key].estimate);
      expect(g.accuracy.resamples).toBe(1000);
    });
  });

  it('interval widths match the record-level paired bootstrap within 12 % (mean of two seeds)', () => {
    // One seed's width varies by ~3 % (1 000 resamples) plus ~1.6 % (2 000 groups): 12 % on the mean of two is > 3.5 sd.
    const grouped2 = gapsOf(model, bases, labels, k, 12, index);
    const records2 = recordGaps(model, bases, labels, k, 12);
    grouped.forEach((g, j) => {
      for (const key of ['accuracy', 'macroF1', 'nll'] as const) {
        const w = (a: typeof g, b: typeof g) => a[key].hi - a[key].lo + b[key].hi - b[key].lo;
        const ratio = w(g, grouped2[j]) / w(records[j], records2[j]);
        expect(ratio, `${j} ${key}`).toBeGreaterThan(0.88);
        expect(ratio, `${j} ${key}`).toBeLessThan(1.12);
      }
    });
  });

  it('groups follow the records (their dataset index), not their position: a shuffled subset gives the same intervals', () => {
    const perm = Array.from({ length: n }, (_, r) => r).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
    const take = (s: Scored): Scored => ({ pred: Int32Array.from(perm, (r) => s.pred[r]), loss: Float32Array.from(perm, (r) => s.loss[r]) });
    const shuffled = gapsOf(take(model), bases.map(take), Int32Array.from(perm, (r) => labels[r]), k, 11, Int32Array.from(perm, (r) => index[r]));
    expect(shuffled).toEqual(grouped);
  });
}, 120_000);
