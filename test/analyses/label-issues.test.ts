/**
 * Confident-learning label issues on hand-made probabilities (thresholds worked out in comments),
 * the held-out default, and the section's summary.
 */
import { describe, expect, it } from 'vitest';
import { confidentLearning } from '../../src/analyses/discovery/confident-learning.ts';
import { labelIssues } from '../../src/analyses/label-issues.ts';
import type { AnalysisOutput } from '../../src/analyses/types.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { makeContext } from '../helpers/context.ts';

/*
 * Three classes, all in val.
 *   rec  label  probs               notes
 *   0    0      [0.80, 0.10, 0.10]
 *   1    0      [0.60, 0.30, 0.10]
 *   2    0      [0.10, 0.85, 0.05]  p1 = 0.85 ≥ t1 and > p0 → candidate, suggests 1
 *   3    1      [0.10, 0.90, 0.00]
 *   4    1      [0.20, 0.70, 0.10]
 *   5    1      [0.55, 0.40, 0.05]  p0 = 0.55 ≥ t0 = 0.5 and > p1 → candidate, suggests 0
 *   6    2      [0.30, 0.10, 0.60]  the only "2": t2 = 0.6; p0 = 0.3 < t0 → not a candidate
 * t0 = (0.8 + 0.6 + 0.1)/3 = 0.5, t1 = (0.9 + 0.7 + 0.4)/3 = 0.6667, t2 = 0.6
 * Ranking by p(given): rec 2 (0.10) before rec 5 (0.40).
 */
const PROBS = [
  [0.8, 0.1, 0.1],
  [0.6, 0.3, 0.1],
  [0.1, 0.85, 0.05],
  [0.1, 0.9, 0.0],
  [0.2, 0.7, 0.1],
  [0.55, 0.4, 0.05],
  [0.3, 0.1, 0.6],
];
const LABELS = [0, 0, 0, 1, 1, 1, 2];
const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('confidentLearning', () => {
  const probs = Float32Array.from(PROBS.flat());

  it('per-class thresholds are the mean self-probability of each class', () => {
    const r = confidentLearning(probs, LABELS, 3, all(7));
    expect(r.thresholds[0]).toBeCloseTo(0.5, 6);
    expect(r.thresholds[1]).toBeCloseTo(2 / 3, 6);
    expect(r.thresholds[2]).toBeCloseTo(0.6, 6); // a class with one record
    expect(Array.from(r.support)).toEqual([3, 3, 1]);
  });

  it('finds the candidates, suggests the most probable qualifying class, ranks by self-confidence', () => {
    const r = confidentLearning(probs, LABELS, 3, all(7));
    expect(r.issues.map((i) => [i.index, i.given, i.suggested])).toEqual([
      [2, 0, 1],
      [5, 1, 0],
    ]);
    expect(r.issues[0].selfConfidence).toBeCloseTo(0.1, 6);
    expect(r.issues[0].suggestedConfidence).toBeCloseTo(0.85, 6);
    expect(r.issues[0].margin).toBeCloseTo(0.1 - 0.85, 6);
  });

  it('a class above its threshold but below the given label is not a candidate', () => {
    // label 0 with [0.6, 0.35, 0.05]; t1 = 0.35 (only one "1" record) → p1 ≥ t1 but p1 < p0.
    const p = Float32Array.from([0.6, 0.35, 0.05, 0.6, 0.35, 0.05]);
    const r = confidentLearning(p, [0, 1], 3, all(2));
    expect(r.issues.map((i) => i.index)).toEqual([1]); // the "1" record: p0 = 0.6 ≥ t0 = 0.6 and > 0.35
  });

  it('ties in self-confidence break by margin, then by dataset order', () => {
    // Records 1, 2, 3 all have p(given = 0) = 0.2; margins: 1 and 2 → 0.2 − 0.7 = −0.5, 3 → 0.2 − 0.8 = −0.6 (first).
    const rows = [
      [0.9, 0.1, 0.0],
      [0.2, 0.7, 0.1],
      [0.2, 0.7, 0.1],
      [0.2, 0.0, 0.8],
      [0.1, 0.6, 0.3], // the only "1": t1 = 0.6
      [0.1, 0.1, 0.8], // the only "2": t2 = 0.8 (p2 = 0.8 ≥ t2 counts)
    ];
    const r = confidentLearning(Float32Array.from(rows.flat()), [0, 0, 0, 0, 1, 2], 3, all(6));
    expect(r.issues.map((i) => i.index)).toEqual([3, 1, 2]);
  });

  it('a class nobody in the pool is labelled with is never suggested', () => {
    const p = Float32Array.from([0.1, 0.0, 0.9, 0.9, 0.1, 0.0]);
    const r = confidentLearning(p, [0, 0], 3, all(2));
    expect(r.thresholds[2]).toBeNaN();
    expect(r.issues).toEqual([]); // record 0 leans to class 2, which has no threshold
  });

  it('only the pool is examined; identical rows give identical, deterministic results', () => {
    const rows = [1, 2, 3, 4, 5];
    const a = confidentLearning(probs, LABELS, 3, Int32Array.from(rows));
    const b = confidentLearning(probs, LABELS, 3, Int32Array.from(rows));
    expect(a).toEqual(b);
    expect(a.issues.every((i) => rows.includes(i.index))).toBe(true);
  });
});

const run = async (ctx: ReturnType<typeof makeContext>) => (await labelIssues.run(ctx)) as AnalysisOutput;

/** The definition, one class at a time with no shortcut: every j ≠ y is checked. */
function reference(probs: Float32Array, labels: number[], k: number, rows: number[]) {
  const sums = new Float64Array(k);
  const support = new Int32Array(k);
  for (const i of rows) {
    sums[labels[i]] += probs[i * k + labels[i]];
    support[labels[i]]++;
  }
  const t = Array.from(sums, (v, j) => (support[j] ? v / support[j] : NaN));
  const issues = [];
  for (const i of rows) {
    const y = labels[i];
    const py = probs[i * k + y];
    let best = -1;
    let other = -Infinity;
    for (let j = 0; j < k; j++) {
      if (j === y) continue;
      const pj = probs[i * k + j];
      if (pj > other) other = pj;
      if (pj >= t[j] && pj > py && (best < 0 || pj > probs[i * k + best])) best = j;
    }
    if (best >= 0) issues.push({ index: i, given: y, suggested: best, selfConfidence: py, suggestedConfidence: probs[i * k + best], margin: py - other });
  }
  return issues.sort((a, b) => a.selfConfidence - b.selfConfidence || a.margin - b.margin || a.index - b.index);
}

describe('confidentLearning on many records', () => {
  it('matches the definition, with ties between classes and a class absent from the pool', () => {
    const rng = mulberry32(9);
    const k = 4;
    const n = 3000;
    // Probabilities on a coarse grid so classes tie.
    const probs = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const w = Array.from({ length: k }, () => Math.floor(rng() * 4));
      const total = w.reduce((a, b) => a + b, 0) || 1;
      for (let j = 0; j < k; j++) probs[i * k + j] = w[j] / total;
    }
    const labels = Array.from({ length: n }, () => Math.floor(rng() * k));
    // Records labelled 3 stay out of the pool: class 3 has no threshold and is never suggested.
    const rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0 && labels[i] !== 3);
    const got = confidentLearning(probs, labels, k, rows);
    const want = reference(probs, labels, k, rows);
    expect(got.thresholds[3]).toBeNaN();
    expect(want.length).toBeGreaterThan(100);
    expect(got.issues).toEqual(want);
  });
});

describe('label-issues section', async () => {
  it('runs on held-out splits by default and leaves training records alone', async () => {
    // The same seven records duplicated into train: in-sample there, not examined.
    const ctx = makeContext({ probs: [...PROBS, ...PROBS], labels: [...LABELS, ...LABELS], splits: [...Array(7).fill('val'), ...Array(7).fill('train')] });
    const out = await run(ctx);
    const s = out.summary as Record<string, any>;
    expect(s.labelIssueSplits).toEqual(['val']);
    expect(s.labelIssues.map((i: any) => i.id)).toEqual(['r002', 'r005']);
    expect(s.labelIssues[0]).toMatchObject({ split: 'val', label: '0', suggested: '1', rank: 1 });
    expect(out.warnings).toEqual([]);
    expect(out.headline).toMatch(/^2 records in "val"/);
  });

  it('says nothing could be examined when the held-out records have no labels, not "no candidates"', async () => {
    const out = await run(makeContext({ probs: [...PROBS, ...PROBS], labels: [...LABELS, ...LABELS.map(() => -1)], splits: [...Array(7).fill('train'), ...Array(7).fill('val')] }));
    expect((out.summary as any).labelIssueExamined).toBe(0);
    expect(out.headline).toMatch(/^No records of "val" could be examined/);
  });

  it('warns when only training data is available', async () => {
    const out = await run(makeContext({ probs: PROBS, labels: LABELS, splits: Array(7).fill('train') }));
    expect(out.warnings?.[0]).toMatch(/training split "train"/);
    expect(out.headline).toMatch(/training data only/);
    expect((out.summary as any).labelIssues).toHaveLength(2);
  });

  it('analysis.labelIssueSplits selects splits; an unknown split is an error naming the key', async () => {
    const ctx = makeContext({ probs: [...PROBS, ...PROBS], labels: [...LABELS, ...LABELS], splits: [...Array(7).fill('val'), ...Array(7).fill('train')], analysis: { labelIssueSplits: ['train'] } });
    const s = (await run(ctx)).summary as Record<string, any>;
    expect(s.labelIssues.map((i: any) => i.id)).toEqual(['r009', 'r012']);
    const bad = makeContext({ probs: PROBS, labels: LABELS, analysis: { labelIssueSplits: ['test'] } });
    await expect(run(bad)).rejects.toThrow(/analysis\.labelIssueSplits: expected splits of the dataset \(val\), found "test"/);
  });

  it('no candidates: says so, empty labelIssues[]', async () => {
    const out = await run(makeContext({ probs: [[0.9, 0.1], [0.2, 0.8]], labels: [0, 1] }));
    expect((out.summary as any).labelIssues).toEqual([]);
    expect(out.headline).toMatch(/^No label-issue candidates among 2 records/);
  });
});
