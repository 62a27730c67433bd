import { describe, expect, it } from 'vitest';
import { compareMarkdown, compareSummaries, findInterval, recordSetDiff } from '../../src/report/compare.ts';
import { MD_LIMIT } from '../../src/report/markdown.ts';

function summary(over: { acc?: number; ece?: number; f1?: number[]; outliers?: string[]; integrity?: object; warnings?: string[]; intervals?: object; split?: string } = {}) {
  const f1 = over.f1 ?? [0.9, 0.8, 0.7];
  return {
    schemaVersion: 1,
    run: { name: 'run', generatedAt: '2026-01-01T00:00:00Z' },
    dataset: { n: 100, classes: ['a', 'b', 'c'], unscorable: 0 },
    final: { checkpoint: 'ep5', split: over.split ?? 'val', n: 20, accuracy: over.acc ?? 0.8, macroF1: 0.75, nll: 0.5, brier: 0.3, ece: over.ece ?? 0.05, mce: 0.2 },
    perClass: ['a', 'b', 'c'].map((c, i) => ({ class: c, precision: 0.8, recall: f1[i], f1: f1[i], support: 10 })),
    outliers: (over.outliers ?? ['r1', 'r2', 'r3']).map((id) => ({ id, label: 'a', predicted: 'b', loss: 3 })),
    integrity: over.integrity ?? { duplicateRecords: 2, leakedRecords: 1 },
    verdicts: [{ id: 'calibration', value: '0.050', tone: 'warn' }],
    sections: [{ id: 'calibration', status: 'ok' }],
    warnings: over.warnings ?? ['w-old'],
    ...(over.intervals ? { intervals: over.intervals } : {}),
  };
}

describe('compareSummaries', () => {
  const oldS = summary();
  const newS = summary({ acc: 0.85, ece: 0.02, f1: [0.9, 0.6, 0.75], outliers: ['r2', 'r3', 'r9'], integrity: { duplicateRecords: 0, leakedRecords: 1 }, warnings: ['w-new'] });
  const m = compareSummaries(oldS, newS);

  it('gives headline deltas and judges the direction of each metric', () => {
    const acc = m.headline.find((h) => h.key === 'accuracy')!;
    expect(acc.old).toBe(0.8);
    expect(acc.new).toBe(0.85);
    expect(acc.delta).toBeCloseTo(0.05, 12);
    expect(acc.change).toBe('improved');
    expect(m.headline.find((h) => h.key === 'ece')!.change).toBe('improved'); // lower is better
    expect(m.headline.find((h) => h.key === 'nll')!.change).toBe('unchanged');
  });

  it('calls a change within noise when the bootstrap intervals overlap', () => {
    const a = summary({ acc: 0.8, intervals: { accuracy: { estimate: 0.8, lo: 0.75, hi: 0.85 } } });
    const b = summary({ acc: 0.82, intervals: { accuracy: { estimate: 0.82, lo: 0.77, hi: 0.87 } } });
    const h = compareSummaries(a, b).headline[0];
    expect(h).toMatchObject({ change: 'within noise', oldInterval: [0.75, 0.85], newInterval: [0.77, 0.87] });
    expect(findInterval({ final: { intervals: { ece: [0.1, 0.2] } } }, 'ece')).toEqual([0.1, 0.2]);
    expect(findInterval({}, 'ece')).toBeNull();
  });

  it('orders per-class changes by the size of the F1 change', () => {
    expect(m.perClass.map((c) => c.class)).toEqual(['b', 'c', 'a']);
    expect(m.perClass[0].deltaF1).toBeCloseTo(-0.2, 12);
  });

  it('a class with no records on one side has nothing to compare there, not a drop to F1 0', () => {
    const gone = summary();
    gone.perClass[1] = { class: 'b', precision: 0, recall: 0, f1: 0, support: 0 };
    const rows = compareSummaries(summary(), gone).perClass;
    expect(rows.find((r) => r.class === 'b')).toMatchObject({ oldF1: 0.8, newF1: null, deltaF1: null, oldRecall: 0.8, newRecall: null, deltaRecall: null, support: 0 });
    // Listed after the classes whose change is known.
    expect(rows.map((r) => r.class)).toEqual(['a', 'c', 'b']);
  });

  it('diffs every flagged outlier (outlierIds), not the top-K table, with the table details where it has them', () => {
    // Both tables hold the same top 2, but 3 more records were flagged in the new run.
    const withIds = (ids: string[]) => ({ ...summary({ outliers: ['r1', 'r2'] }), outlierIds: ids });
    const d = compareSummaries(withIds(['r1', 'r2', 'r3']), withIds(['r1', 'r2', 'r4', 'r5', 'r6'])).outliers;
    expect([d.oldCount, d.newCount, d.persisting]).toEqual([3, 5, 2]);
    expect(d.fixed.map((r) => r.id)).toEqual(['r3']);
    expect(d.appeared.map((r) => r.id)).toEqual(['r4', 'r5', 'r6']);
    expect(compareSummaries(withIds(['r1', 'r3']), withIds(['r1'])).outliers.persisting).toBe(1);
    expect(compareSummaries(withIds(['r9']), withIds(['r1'])).outliers.appeared[0]).toEqual({ id: 'r1', label: 'a', predicted: 'b', loss: 3 });
  });

  it('lists outliers fixed and newly appeared, and integrity changes', () => {
    expect(m.outliers.fixed.map((r) => r.id)).toEqual(['r1']);
    expect(m.outliers.appeared.map((r) => r.id)).toEqual(['r9']);
    expect(m.outliers.persisting).toBe(2);
    expect(m.integrity).toEqual([
      { key: 'duplicateRecords', old: 2, new: 0, delta: -2 },
      { key: 'leakedRecords', old: 1, new: 1, delta: 0 },
      { key: 'unscorable records', old: 0, new: 0, delta: 0 },
    ]);
    expect(m.warnings).toEqual({ resolved: ['w-old'], appeared: ['w-new'] });
  });

  it('notes when the runs are not comparable like for like', () => {
    expect(compareSummaries(oldS, summary({ split: 'test' })).notes[0]).toContain('headline split differs (val → test)');
  });

  it('survives summaries missing every optional key', () => {
    const bare = { schemaVersion: 1, final: {} };
    const b = compareSummaries(bare, bare);
    expect(b.headline.every((h) => h.change === 'n/a')).toBe(true);
    expect(b.perClass).toEqual([]);
    expect(b.labelIssues).toBeNull();
    expect(compareMarkdown(b)).toContain('### Headline metrics');
  });

  it('writes Markdown with deltas, fixed and new records, under the comment limit', () => {
    const md = compareMarkdown(m);
    expect(md).toContain('| accuracy | 0.800 | 0.850 | +0.050 | 🟢 improved |');
    expect(md).toContain('### Outliers: 1 fixed, 1 new, 2 persisting (3 → 3)');
    expect(md).toContain('| duplicateRecords | 2 | 0 | −2 |');
    expect(md).toContain('- ⚠️ new: w-new');
    const many = compareSummaries(summary({ outliers: Array.from({ length: 20_000 }, (_, i) => `old-${i}-${'x'.repeat(50)}`) }), summary({ outliers: Array.from({ length: 20_000 }, (_, i) => `new-${i}`) }));
    expect(compareMarkdown(many).length).toBeLessThanOrEqual(MD_LIMIT);
  });

  it('treats ids by value, escaping none of them in the model (escaping is the renderer’s job)', () => {
    const d = recordSetDiff([{ id: '<b>' }, 'plain'], [{ id: 'plain' }]);
    expect(d.fixed.map((r) => r.id)).toEqual(['<b>']);
    expect(d.persisting).toBe(1);
  });
});
