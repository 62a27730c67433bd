import { describe, expect, it } from 'vitest';
import { buildVerdicts, integrityProblems, warningCount, type VerdictInput } from '../../src/report/verdicts.ts';

const input = (extra: Record<string, unknown>, sections: string[] = [], over: Partial<VerdictInput> = {}): VerdictInput => ({
  final: { accuracy: 0.9, ece: 0.03, mce: 0.2, n: 100 },
  dataset: { n: 1000, unscorable: 0 },
  extra,
  sections: sections.map((id) => ({ id, status: 'ok' as const })),
  ...over,
});
const byId = (v: ReturnType<typeof buildVerdicts>) => Object.fromEntries(v.map((x) => [x.id, x]));

describe('buildVerdicts', () => {
  it('gives six cards, each "not measured" when its summary key is absent, and never throws on odd shapes', () => {
    const v = buildVerdicts(input({}));
    expect(v.map((x) => x.id)).toEqual(['accuracy', 'calibration', 'outliers', 'labelIssues', 'integrity', 'trainingHealth']);
    expect(v.filter((x) => x.tone === 'muted').map((x) => x.id)).toEqual(['accuracy', 'outliers', 'labelIssues', 'integrity', 'trainingHealth']);
    for (const odd of [null, 3, 'x', [], [null], { a: { b: null } }]) {
      expect(() => buildVerdicts(input({ baselines: odd, baselineGap: odd, outliers: odd, labelIssues: odd, integrity: odd, trainingCurves: odd, outlierIds: odd }))).not.toThrow();
    }
  });

  it('links each card to the section with the evidence', () => {
    const v = byId(buildVerdicts(input({}, ['data-integrity', 'loss-outliers', 'label-issues', 'calibration', 'baselines', 'training-curves', 'top-losses'])));
    expect([v.accuracy.section, v.calibration.section, v.outliers.section, v.labelIssues.section, v.integrity.section, v.trainingHealth.section]).toEqual([
      'baselines', 'calibration', 'loss-outliers', 'label-issues', 'data-integrity', 'training-curves',
    ]);
    expect(byId(buildVerdicts(input({}, []))).calibration.section).toBeNull();
  });

  it('judges the baseline gap with its interval', () => {
    const gap = (g: unknown) => byId(buildVerdicts(input({ baselineGap: { against: 'logreg', accuracy: g } }))).accuracy;
    expect(gap({ gap: 0.05, lo: 0.03, hi: 0.07 })).toMatchObject({ tone: 'good', detail: 'Beats logreg by 5.0 points (95 % CI 3.0 to 7.0).' });
    expect(gap({ gap: 0.01, lo: -0.01, hi: 0.03 })).toMatchObject({ tone: 'warn', detail: 'Not clearly better than logreg: 1.0 points (95 % CI -1.0 to 3.0) ahead.' });
    expect(gap({ gap: -0.02, lo: -0.04, hi: -0.01 }).tone).toBe('bad');
    // Without baselineGap, the best listed baseline.
    const v = byId(buildVerdicts(input({ baselines: [{ name: 'majority', accuracy: 0.3 }, { name: 'human', accuracy: 0.95 }] }))).accuracy;
    expect(v).toMatchObject({ tone: 'bad', detail: 'Does not beat human (95.0 %): 5.0 points behind.' });
  });

  it('colours calibration by ECE', () => {
    const ece = (e: number) => byId(buildVerdicts(input({}, [], { final: { accuracy: 0.9, ece: e, mce: 0.3, n: 10 } }))).calibration.tone;
    expect([ece(0.01), ece(0.08), ece(0.3), ece(Number.NaN)]).toEqual(['good', 'warn', 'bad', 'muted']);
  });

  it('counts flagged outliers (all flagged ids, else entries with reasons) and label issues', () => {
    expect(byId(buildVerdicts(input({ outliers: [{ id: 'a', reasons: [] }], outlierIds: ['a', 'b', 'c'] }))).outliers).toMatchObject({ value: '3', tone: 'warn' });
    expect(byId(buildVerdicts(input({ outliers: [{ id: 'a', reasons: [] }] }))).outliers.value).toBe('1');
    expect(byId(buildVerdicts(input({ outliers: [{ id: 'a' }] }))).outliers).toMatchObject({ value: '–', tone: 'muted' });
    expect(byId(buildVerdicts(input({ outlierIds: Array(80).fill('x') }))).outliers.tone).toBe('bad');
    expect(byId(buildVerdicts(input({ labelIssues: [] }))).labelIssues).toMatchObject({ value: '0', tone: 'good' });
  });

  it('gives the label-issue share of the records the detector examined, not of the whole dataset', () => {
    const issues = Array(30).fill({ id: 'x' });
    // 30 of 1 000 records would be 3 % (warn); of the 200 examined it is 15 % (bad).
    expect(byId(buildVerdicts(input({ labelIssues: issues, labelIssueExamined: 200 }))).labelIssues).toMatchObject({ value: '30', tone: 'bad', detail: '30 records (15.0 % of the 200 examined) whose label the model contradicts with confidence.' });
    expect(byId(buildVerdicts(input({ labelIssues: issues }))).labelIssues.detail).toBe('30 records (3.0 % of the data) whose label the model contradicts with confidence.');
    expect(byId(buildVerdicts(input({ labelIssues: [], labelIssueExamined: 200 }))).labelIssues.detail).toBe('No records whose label the model contradicts with confidence, of 200 examined.');
    // Nothing examined is not a clean bill (it showed a green 0).
    expect(byId(buildVerdicts(input({ labelIssues: [], labelIssueExamined: 0 }))).labelIssues).toMatchObject({ value: '–', tone: 'muted', detail: expect.stringMatching(/^No records examined/) });
  });

  it('counts training-curve findings that flag a problem', () => {
    const t = byId(buildVerdicts(input({ trainingCurves: { findings: [{ status: 'pass' }, { status: 'warn' }, { status: 'unknown' }, { status: 'warn' }] } }))).trainingHealth;
    expect(t).toMatchObject({ value: '2', tone: 'warn' });
    expect(warningCount([])).toBe(0);
    expect(warningCount({ warnings: ['a'] })).toBe(1);
    expect(warningCount('x')).toBeNull();
  });
});

describe('integrityProblems', () => {
  it('reads the discovery summary keys, counting records not groups', () => {
    const p = integrityProblems({ records: 30, missingCells: { a: 2, b: 1 }, nanCells: 0, constantColumns: ['c'], duplicateGroups: 4, duplicateRecords: 9, leakedRecords: 1, classCounts: { x: 7 }, imbalanceRatio: 1.3 });
    expect(p).toEqual([
      { key: 'missingCells', count: 3 },
      { key: 'nanCells', count: 0 },
      { key: 'constantColumns', count: 1 },
      { key: 'duplicateRecords', count: 9 },
      { key: 'leakedRecords', count: 1 },
    ]);
  });

  it('falls back to numbers, arrays, issue lists and count-like fields', () => {
    expect(integrityProblems(4)).toEqual([{ key: 'problems', count: 4 }]);
    expect(integrityProblems({ issues: [1, 2] })).toEqual([{ key: 'issues', count: 2 }]);
    expect(integrityProblems({ n: 100, weird: 2, ratio: 0.5, listed: ['a'] })).toEqual([{ key: 'weird', count: 2 }, { key: 'listed', count: 1 }]);
    expect(integrityProblems(undefined)).toBeNull();
  });

  it('reports an integrity card with the largest problems first, counting unscorable records once', () => {
    const v = byId(buildVerdicts(input({ integrity: { duplicateRecords: 2, leakedRecords: 5, unscorable: 1 } }, [], { dataset: { n: 100, unscorable: 1 } }))).integrity;
    expect(v).toMatchObject({ value: '3', tone: 'warn', detail: '3 checks flag problems: 5 leaked records, 2 duplicate records, 1 unscorable.' });
    const many = byId(buildVerdicts(input({ integrity: { nanCells: 1, infCells: 2, duplicateRecords: 3, leakedRecords: 4, missingLabels: 5, constantColumns: ['a'] } }))).integrity;
    expect(many.detail).toBe('6 checks flag problems: 5 missing labels, 4 leaked records, 3 duplicate records, 2 inf cells, and 2 more.');
    const clean = byId(buildVerdicts(input({ integrity: { duplicateRecords: 0 } }))).integrity;
    expect(clean).toMatchObject({ value: '0', tone: 'good' });
  });
});
