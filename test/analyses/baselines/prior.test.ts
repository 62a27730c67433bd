/** priorBaselines' stratified draws, checked against the definition: the first class whose cumulative prior exceeds u. */
import { describe, expect, it } from 'vitest';
import { priorBaselines } from '../../../src/analyses/baselines/prior.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';

describe('priorBaselines', () => {
  it('draws each stratified prediction as cdf.findIndex(u < c) of a seeded uniform (none: the last class)', () => {
    // A class with prior 0 is never drawn: u < c fails where its cumulative value repeats the previous one.
    const prior = Float64Array.from([0.1, 0.2, 0, 0.3, 0.4]);
    const labels = new Int32Array(20_000);
    const [, stratified] = priorBaselines(prior, labels, 9, 'train');
    const cdf = Array.from(prior, ((sum) => (p: number) => (sum += p))(0));
    const rng = mulberry32(9);
    const want = Int32Array.from(labels, () => {
      const u = rng() * cdf[prior.length - 1];
      const j = cdf.findIndex((c) => u < c);
      return j < 0 ? prior.length - 1 : j;
    });
    expect(stratified.pred).toEqual(want);
    expect(new Set(stratified.pred)).toEqual(new Set([0, 1, 3, 4]));
  });
});
