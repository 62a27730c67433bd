/** The detectors' result packed for the thread hop unpacks to the same values and objects. */
import { describe, expect, it } from 'vitest';
import { byRank, rankIssues, type LabelIssue } from '../../../src/analyses/discovery/confident-learning.ts';
import { discoveryJob, discoveryOf } from '../../../src/analyses/discovery/detect.ts';
import { packDiscovery, unpackDiscovery } from '../../../src/analyses/discovery/packed-discovery.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';
import { makeContext } from '../../helpers/context.ts';

/** 600 records, 4 classes, three splits; every 31st record confidently given another class. */
function discovery() {
  const rng = mulberry32(7);
  const labels = Array.from({ length: 600 }, (_, i) => i % 4);
  const probs = labels.map((y, i) => {
    const p = Array.from({ length: 4 }, () => 0.05 + rng());
    p[(i % 31 === 0 ? y + 1 : y) % 4] += 2 + 4 * rng();
    const sum = p.reduce((a, b) => a + b, 0);
    return p.map((v) => v / sum);
  });
  return discoveryOf(discoveryJob(makeContext({ probs, labels, splits: labels.map((_, i) => ['train', 'val', 'test'][i % 3]) })));
}

describe('packDiscovery', () => {
  it('packs the label issues into columns for the thread and restores the same values and objects', () => {
    const d = discovery();
    expect(d.labelIssues.issues.length).toBeGreaterThan(0); // something to pack
    const packed = structuredClone(packDiscovery(d));
    expect(packed.labelIssues.perSplit[0].issues.margin).toBeInstanceOf(Float64Array);
    const back = unpackDiscovery(packed);
    expect(back).toEqual(d);
    // The ranking holds the splits' own issue objects, as discoveryOf's does.
    const own = new Set(back.labelIssues.perSplit.flatMap((p) => p.result.issues));
    expect(back.labelIssues.issues.every((is) => own.has(is))).toBe(true);
    expect(back.labelIssues.issues.length).toBe(own.size);
  });

  it('packs and restores hundreds of thousands of issues (a poor model makes most records candidates)', () => {
    const d = discovery();
    const rng = mulberry32(11);
    const many = (from: number): LabelIssue[] =>
      rankIssues(Array.from({ length: 150_000 }, (_, r) => ({ index: from + r, given: r % 4, suggested: (r + 1) % 4, selfConfidence: Math.fround(rng() * 0.3), suggestedConfidence: Math.fround(0.5 + rng() * 0.5), margin: -rng() })));
    d.labelIssues.perSplit.forEach((p, s) => (p.result.issues = many(s * 150_000)));
    d.labelIssues.issues = d.labelIssues.perSplit.flatMap((p) => p.result.issues).sort(byRank);
    const back = unpackDiscovery(structuredClone(packDiscovery(d)));
    expect(back.labelIssues.issues.length).toBe(300_000);
    expect(back.labelIssues.issues.map((is) => is.index)).toEqual(d.labelIssues.issues.map((is) => is.index));
    expect(back.labelIssues.issues[12_345]).toEqual(d.labelIssues.issues[12_345]);
    expect(back.labelIssues.perSplit[1].result.issues[149_999]).toEqual(d.labelIssues.perSplit[1].result.issues[149_999]);
  });
});
