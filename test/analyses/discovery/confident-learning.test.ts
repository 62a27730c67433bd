import { describe, expect, it } from 'vitest';
import { byRank, rankIssues, type LabelIssue } from '../../../src/analyses/discovery/confident-learning.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';

/** `m` issues in a scrambled dataset order, self-confidences float32 with many ties (0, −0 and repeats included). */
function issues(m: number, seed: number, pool: number[]): LabelIssue[] {
  const rng = mulberry32(seed);
  const out: LabelIssue[] = [];
  for (let r = 0; r < m; r++) {
    const selfConfidence = pool[Math.floor(rng() * pool.length)];
    const margin = rng() < 0.3 ? -0.25 : -Math.fround(rng()); // repeated margins too
    out.push({ index: Math.floor(rng() * 10 * m), given: 0, suggested: 1, selfConfidence, suggestedConfidence: 0.5, margin });
  }
  return out;
}

describe('rankIssues', () => {
  it('orders issues exactly as a sort by byRank', () => {
    const rng = mulberry32(3);
    const pool = [0, -0, ...Array.from({ length: 40 }, () => Math.fround(rng() * 0.5)), Math.fround(1e-30), Math.fround(2 ** -149)];
    for (const [m, seed] of [[0, 1], [1, 2], [2, 3], [500, 4], [20_000, 5]]) {
      const a = issues(m, seed, pool);
      const expected = a.slice().sort(byRank);
      expect(rankIssues(a)).toEqual(expected);
      expect(a.map((is) => is.index)).toEqual(expected.map((is) => is.index)); // in place, same objects
    }
  });

  it('falls back to the comparator for a self-confidence that is not a float32 value', () => {
    const a = issues(300, 9, [0.1, 0.2, 0.30000000000000004, 0.7]);
    const expected = a.slice().sort(byRank);
    expect(rankIssues(a)).toEqual(expected);
  });
});
