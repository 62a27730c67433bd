/**
 * Slices: per-group flag rates against the rest, one-sided Fisher exact test, Benjamini–Hochberg.
 * Exact p-values below were computed with Python's math.comb (hypergeometric tail sums).
 */
import { describe, expect, it } from 'vitest';
import { formatP, sentence, sliceTests, slices } from '../../src/analyses/slices.ts';
import type { AnalysisOutput, Block } from '../../src/analyses/types.ts';
import { fisherExact2x2 } from '../../src/stats/significance.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { makeContext, peaked } from '../helpers/context.ts';

/*
 * 40 records: group A = 10 with 5 flagged, group B = 30 with 1 flagged (6 flagged in all).
 * P(X ≥ 5), X ~ Hypergeometric(N = 40, K = 6, n = 10) = 0.0020242914979757085
 * P(X ≥ 1), X ~ Hypergeometric(N = 40, K = 6, n = 30) = 0.9999452894189736
 * BH (m = 2): q_A = min(2·p_A/1, p_B·2/2) = 0.004048582995951417, q_B = p_B
 */
const groupCol = [...Array(10).fill('A'), ...Array(30).fill('B')];
const flagged = [...Array(5).fill(1), ...Array(5).fill(0), 1, ...Array(29).fill(0)];
const everyone = Array(40).fill(1);

describe('sliceTests', () => {
  const tests = sliceTests({ site: groupCol }, [{ kind: 'outliers', population: everyone, flagged }]);

  it('counts, rates, exact one-sided p and BH q per group', () => {
    const [a, b] = tests;
    expect(a).toMatchObject({ column: 'site', group: 'A', kind: 'outliers', n: 10, flagged: 5, total: 40, totalFlagged: 6, rate: 0.5, restRate: 1 / 30 });
    expect(a.p).toBeCloseTo(0.0020242914979757085, 12);
    expect(a.q).toBeCloseTo(0.004048582995951417, 12);
    expect(a.significant).toBe(true);
    expect(b.p).toBeCloseTo(0.9999452894189736, 12);
    expect(b.q).toBeCloseTo(0.9999452894189736, 12);
    expect(b.significant).toBe(false);
  });

  it('the sentence says what share of flags a group holds against its share of the data', () => {
    expect(sentence(tests[0])).toBe('83 % of loss outliers (5 of 6) come from site "A", which holds 25 % of the records examined (rate 50.0 % vs 3.3 % elsewhere, p = 0.004 after Benjamini–Hochberg).');
  });

  it('only the population counts; a group with no flags is never significant', () => {
    // Records of group A outside the population are ignored: A has 5 examined, none flagged.
    const population = [...Array(5).fill(0), ...Array(35).fill(1)];
    const t = sliceTests({ site: groupCol }, [{ kind: 'labelIssues', population, flagged: [...Array(10).fill(0), ...Array(30).fill(1)] }]);
    expect(t[0]).toMatchObject({ group: 'A', n: 5, flagged: 0, significant: false });
    expect(t[0].p).toBeCloseTo(1, 12); // P(X ≥ 0) = 1
  });

  it('BH runs across every column and kind; nothing flagged gives p = 1 everywhere', () => {
    const t = sliceTests({ site: groupCol, other: Array(40).fill('x') }, [
      { kind: 'outliers', population: everyone, flagged },
      { kind: 'labelIssues', population: everyone, flagged: Array(40).fill(0) },
    ]);
    expect(t).toHaveLength(6); // site: 2 groups × 2 kinds, other: 1 group × 2 kinds
    expect(t.filter((x) => x.kind === 'labelIssues').every((x) => x.p === 1 && !x.significant)).toBe(true);
    // m = 6 (5 of them with p ≥ 0.9999): q_A = p_A · 6 / 1
    expect(t[0].q).toBeCloseTo(0.0020242914979757085 * 6, 12);
  });

  it('on many records: groups in string (code unit) order, counts and p as counted directly', () => {
    const rng = mulberry32(4);
    const names = ['b', 'B', 'a', 'Ä', '(missing)', 'a2'];
    const n = 5000;
    const values = Array.from({ length: n }, () => names[Math.floor(rng() * rng() * names.length)]);
    const population: number[] = Array.from({ length: n }, (_, i) => (i % 9 === 0 ? 0 : 1));
    const flagged: number[] = values.map((g) => (rng() < (g === 'B' ? 0.2 : 0.05) ? 1 : 0));
    const tests = sliceTests({ source: values }, [{ kind: 'outliers', population, flagged }]);
    const present = [...new Set(values.filter((_, i) => population[i]))].sort();
    expect(tests.map((t) => t.group)).toEqual(present);
    const total = population.reduce((a, b) => a + b, 0);
    const totalFlagged = flagged.reduce((a, f, i) => a + (population[i] ? f : 0), 0);
    for (const t of tests) {
      const inGroup = values.map((g, i) => (g === t.group && population[i] ? i : -1)).filter((i) => i >= 0);
      const a = inGroup.filter((i) => flagged[i]).length;
      expect([t.n, t.flagged, t.total, t.totalFlagged]).toEqual([inGroup.length, a, total, totalFlagged]);
      expect(t.p).toBe(fisherExact2x2(a, inGroup.length - a, totalFlagged - a, total - inGroup.length - (totalFlagged - a)).pGreater);
    }
    expect(tests.find((t) => t.group === 'B')?.significant).toBe(true);
  });

  it('formats p-values', () => {
    expect(formatP(3e-9)).toBe('p < 1e-6');
    expect(formatP(3.2e-4)).toBe('p = 3.2e-4');
    expect(formatP(0.0123)).toBe('p = 0.012');
  });
});

describe('slices section', () => {
  it('is not applicable without dataset.groupBy', () => {
    const ctx = makeContext({ probs: [[0.9, 0.1]], labels: [0] });
    expect(slices.notApplicable?.(ctx)).toMatch(/dataset\.groupBy/);
  });

  it('names the group where outliers concentrate, with a summary row per group and kind', async () => {
    // 60 records of class 0 in val: 50 fitted well (p = 0.95..0.99), 10 badly (p = 0.01); the bad
    // ones all come from site "C", which holds 12 records.
    const n = 60;
    const probs = Array.from({ length: n }, (_, i) => (i < 10 ? [0.01, 0.99] : peaked(2, 0, 0.95 + (i % 5) / 100)));
    const site = Array.from({ length: n }, (_, i) => (i < 12 ? 'C' : i % 2 ? 'A' : 'B'));
    const out = (await slices.run(makeContext({ probs, labels: Array(n).fill(0), groups: { site } }))) as AnalysisOutput;
    expect(out.headline).toMatch(/^100 % of loss outliers \(10 of 10\) come from site "C", which holds 20 % of the records examined/);
    const rows = (out.summary as any).slices as any[];
    expect(rows).toHaveLength(6); // 3 sites × 2 kinds
    const c = rows.find((r) => r.group === 'C' && r.kind === 'outliers');
    expect(c).toMatchObject({ n: 12, flagged: 10, significant: true });
    expect(rows.filter((r) => r.significant).every((r) => r.group === 'C')).toBe(true);
    expect(out.warnings).toEqual([]);
  });

  it('a column of many small groups: the table shows the 30 a full sort ranks first, the note counts every group, summary.json lists them all', async () => {
    // 3 000 records in 1 201 groups: "hot" holds 40, of which 30 fit badly; every 97th record elsewhere fits badly too.
    const n = 3000;
    const bad = (i: number) => i < 30 || i % 97 === 0;
    const probs = Array.from({ length: n }, (_, i) => (bad(i) ? [0.01, 0.99] : peaked(2, 0, 0.95 + (i % 5) / 100)));
    const site = Array.from({ length: n }, (_, i) => (i < 40 ? 'hot' : `g${i % 1200}`));
    const out = (await slices.run(makeContext({ probs, labels: Array(n).fill(0), groups: { site } }))) as AnalysisOutput;
    const rows = (out.summary as any).slices as any[];
    expect(new Set(rows.map((r) => r.group)).size).toBe(1201);
    // The straightforward ranking: smallest q of the group's two tests, then more records, then the name.
    const byGroup = new Map<string, { q: number; n: number }>();
    for (const r of rows) {
      const e = byGroup.get(r.group) ?? { q: 1, n: 0 };
      e.q = Math.min(e.q, r.q);
      if (r.kind === 'outliers') e.n = r.n;
      byGroup.set(r.group, e);
    }
    const expected = [...byGroup].sort((a, b) => a[1].q - b[1].q || b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1)).slice(0, 30).map(([g]) => g);
    const table = out.blocks.find((b) => b.type === 'table') as Extract<Block, { type: 'table' }>;
    expect(table.rows.map((r) => r[0])).toEqual(expected);
    expect(expected[0]).toBe('hot');
    expect(table.note).toBe('30 of 1,201 groups shown, most significant first.');
    // 1 201 groups of 2.5 records: an id-like column, which the section says.
    expect(out.warnings).toEqual([
      'dataset.groupBy "site" has 1,201 groups of 2.5 scored records on average: groups that small cannot stand out after the Benjamini–Hochberg correction, and each adds tests that make the correction stricter for every other group (2,402 of its 2,402 tests). Leave id-like columns out of dataset.groupBy, or map them to coarser groups.',
    ]);
  });
});
