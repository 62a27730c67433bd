/**
 * Renders a compare model (src/report/compare.ts) to one self-contained HTML page, with the same
 * stylesheet, optional script and Content-Security-Policy as the report. Every string is escaped.
 */
import { MAX_LISTED, signed, withInterval, type CompareModel, type RecordSetDiff } from '../report/compare.ts';
import { fmt } from '../report/markdown.ts';
import { text } from './cells.ts';
import { template } from './html.ts';
import { pageAssets, type RenderOptions } from './page.ts';

const CHANGE_TONE = { improved: 'good', worse: 'bad', unchanged: 'muted', 'within noise': 'muted', 'n/a': 'muted' } as const;
const TONES = new Set(['good', 'warn', 'bad', 'muted']);

export function renderCompareHtml(m: CompareModel, opts: RenderOptions = {}): string {
  const records = (d: RecordSetDiff) => ({
    fixed: d.fixed.slice(0, MAX_LISTED).map(ref),
    appeared: d.appeared.slice(0, MAX_LISTED).map(ref),
    fixedCount: d.fixed.length,
    appearedCount: d.appeared.length,
    persisting: d.persisting,
    oldCount: d.oldCount,
    newCount: d.newCount,
    more: Math.max(0, d.fixed.length - MAX_LISTED) + Math.max(0, d.appeared.length - MAX_LISTED),
  });
  const changedClasses = m.perClass.filter((c) => c.deltaF1 === null || Math.abs(c.deltaF1) >= 0.0005);
  return template('compare.hbs')({
    page: pageAssets(opts),
    old: info(m.old),
    new: info(m.new),
    notes: m.notes.map((n) => text(n)),
    headline: m.headline.map((h) => ({
      label: text(h.label),
      old: withInterval(h.old, h.oldInterval),
      new: withInterval(h.new, h.newInterval),
      delta: signed(h.delta),
      deltaSort: h.delta === null ? '' : String(h.delta),
      change: text(h.change),
      tone: CHANGE_TONE[h.change],
      better: h.better,
    })),
    hasIntervals: m.headline.some((h) => h.oldInterval || h.newInterval),
    perClass: m.perClass.slice(0, 1000).map((c) => ({
      class: text(c.class, 200),
      cells: [c.oldF1, c.newF1, c.deltaF1, c.oldRecall, c.newRecall, c.deltaRecall].map((v, i) => ({ html: i % 3 === 2 ? signed(v) : fmt(v), sort: v === null ? '' : String(v) })),
      support: c.support === null ? '–' : c.support.toLocaleString('en-US'),
      supportSort: c.support === null ? '' : String(c.support),
    })),
    changedClasses: changedClasses.length,
    totalClasses: m.perClass.length,
    outliers: records(m.outliers),
    labelIssues: m.labelIssues ? records(m.labelIssues) : null,
    integrity: m.integrity.map((d) => ({ key: text(d.key, 200), old: d.old ?? '–', new: d.new ?? '–', delta: d.delta === null ? '–' : signed(d.delta, 0), tone: d.delta === null || d.delta === 0 ? 'muted' : d.delta > 0 ? 'bad' : 'good' })),
    verdicts: m.verdicts.map((v) => ({ id: text(v.id, 60), old: text(v.old, 60), new: text(v.new, 60), oldTone: TONES.has(v.oldTone) ? v.oldTone : 'muted', newTone: TONES.has(v.newTone) ? v.newTone : 'muted' })),
    sections: m.sections.map((s) => ({ id: text(s.id, 100), old: text(s.old, 40), new: text(s.new, 40) })),
    warningsAppeared: m.warnings.appeared.slice(0, 100).map((w) => text(w)),
    warningsResolved: m.warnings.resolved.slice(0, 100).map((w) => text(w)),
  });
}

function info(r: CompareModel['old']) {
  return { name: text(r.name, 200), generatedAt: text(r.generatedAt, 60), checkpoint: text(r.checkpoint, 200), split: text(r.split, 100), n: r.n === null ? '–' : r.n.toLocaleString('en-US') };
}

function ref(r: RecordSetDiff['fixed'][number]) {
  return { id: text(r.id, 300), label: text(r.label, 200), predicted: text(r.predicted, 200), loss: fmt(r.loss, 3), lossSort: r.loss === null ? '' : String(r.loss) };
}
