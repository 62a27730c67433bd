/**
 * `losslens compare old.json new.json`: what changed between two audits, from their summary.json
 * files alone — headline metrics with deltas (and bootstrap intervals when the summaries carry
 * them), per-class changes, outliers fixed and newly appeared, integrity counts, verdicts,
 * section status and warnings. Summaries are read defensively: a key one side lacks shows as "–".
 */
import { integrityProblems } from './verdicts.ts';
import { fitLimit, fmt, mdCode, mdTable, mdText } from './markdown.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const numOr = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export interface RunInfo {
  name: string;
  generatedAt: string;
  checkpoint: string;
  split: string;
  n: number | null;
}

export interface MetricDelta {
  key: string;
  label: string;
  /** Which direction is an improvement. */
  better: 'higher' | 'lower';
  old: number | null;
  new: number | null;
  delta: number | null;
  oldInterval: [number, number] | null;
  newInterval: [number, number] | null;
  /** improved / worse / unchanged, or "within noise" when both intervals overlap. */
  change: 'improved' | 'worse' | 'unchanged' | 'within noise' | 'n/a';
}

export interface ClassDelta {
  class: string;
  oldF1: number | null;
  newF1: number | null;
  deltaF1: number | null;
  oldRecall: number | null;
  newRecall: number | null;
  deltaRecall: number | null;
  support: number | null;
}

export interface RecordRef {
  id: string;
  label: string;
  predicted: string;
  loss: number | null;
}

export interface RecordSetDiff {
  /** In the old list, not in the new one. */
  fixed: RecordRef[];
  /** In the new list, not in the old one. */
  appeared: RecordRef[];
  persisting: number;
  oldCount: number;
  newCount: number;
}

export interface CountDelta {
  key: string;
  old: number | null;
  new: number | null;
  delta: number | null;
}

export interface CompareModel {
  old: RunInfo;
  new: RunInfo;
  notes: string[];
  headline: MetricDelta[];
  perClass: ClassDelta[];
  outliers: RecordSetDiff;
  labelIssues: RecordSetDiff | null;
  integrity: CountDelta[];
  verdicts: { id: string; old: string; new: string; oldTone: string; newTone: string }[];
  sections: { id: string; old: string; new: string }[];
  warnings: { resolved: string[]; appeared: string[] };
}

const METRICS: { key: string; label: string; better: 'higher' | 'lower' }[] = [
  { key: 'accuracy', label: 'accuracy', better: 'higher' },
  { key: 'macroF1', label: 'macro-F1', better: 'higher' },
  { key: 'nll', label: 'NLL', better: 'lower' },
  { key: 'brier', label: 'Brier', better: 'lower' },
  { key: 'ece', label: 'ECE', better: 'lower' },
  { key: 'mce', label: 'MCE', better: 'lower' },
];

/** Headline deltas smaller than this are "unchanged". */
export const UNCHANGED_BELOW = 5e-4;

/** Lists shown in full in the diff are capped; the counts stay exact. */
export const MAX_LISTED = 50;

export function compareSummaries(oldS: Obj, newS: Obj): CompareModel {
  const notes: string[] = [];
  const a = runInfo(oldS);
  const b = runInfo(newS);
  if (a.split !== b.split) notes.push(`The headline split differs (${a.split} → ${b.split}); deltas compare different records.`);
  const ca = classes(oldS);
  const cb = classes(newS);
  if (ca.join('\u0000') !== cb.join('\u0000')) notes.push('The class lists differ; per-class rows are matched by class name.');
  if (oldS.schemaVersion !== newS.schemaVersion) notes.push(`The summaries have different schema versions (${String(oldS.schemaVersion)} → ${String(newS.schemaVersion)}).`);
  const nA = numOr((oldS.dataset as Obj | undefined)?.n);
  const nB = numOr((newS.dataset as Obj | undefined)?.n);
  if (nA !== null && nB !== null && nA !== nB) notes.push(`The dataset size changed (${nA.toLocaleString('en-US')} → ${nB.toLocaleString('en-US')} records).`);
  return {
    old: a,
    new: b,
    notes,
    headline: METRICS.map((m) => metricDelta(m, oldS, newS)),
    perClass: perClassDeltas(oldS.perClass, newS.perClass),
    outliers: recordSetDiff(flaggedOutliers(oldS), flaggedOutliers(newS)),
    labelIssues: oldS.labelIssues === undefined && newS.labelIssues === undefined ? null : recordSetDiff(oldS.labelIssues, newS.labelIssues),
    integrity: integrityDeltas(oldS, newS),
    verdicts: verdictChanges(oldS.verdicts, newS.verdicts),
    sections: sectionChanges(oldS.sections, newS.sections),
    warnings: setDiff(strings(oldS.warnings), strings(newS.warnings)),
  };
}

function runInfo(s: Obj): RunInfo {
  const run = isObj(s.run) ? s.run : {};
  const final = isObj(s.final) ? s.final : {};
  return {
    name: String(run.name ?? '?'),
    generatedAt: String(run.generatedAt ?? '?'),
    checkpoint: String(final.checkpoint ?? '?'),
    split: String(final.split ?? '?'),
    n: numOr(final.n),
  };
}

function classes(s: Obj): string[] {
  return isObj(s.dataset) && Array.isArray(s.dataset.classes) ? s.dataset.classes.map(String) : [];
}

/** A 95 % interval for a headline metric, wherever the summary keeps it. */
export function findInterval(s: Obj, key: string): [number, number] | null {
  const candidates = [
    (s.intervals as Obj | undefined)?.[key],
    ((s.final as Obj | undefined)?.intervals as Obj | undefined)?.[key],
    (s.bootstrap as Obj | undefined)?.[key],
  ];
  for (const c of candidates) {
    if (Array.isArray(c) && c.length === 2 && c.every((x) => typeof x === 'number')) return [c[0], c[1]];
    if (isObj(c)) {
      const lo = numOr(c.lo ?? c.low ?? c.lower);
      const hi = numOr(c.hi ?? c.high ?? c.upper);
      if (lo !== null && hi !== null) return [lo, hi];
    }
  }
  return null;
}

function metricDelta(m: (typeof METRICS)[number], oldS: Obj, newS: Obj): MetricDelta {
  const o = numOr((oldS.final as Obj | undefined)?.[m.key]);
  const n = numOr((newS.final as Obj | undefined)?.[m.key]);
  const oi = findInterval(oldS, m.key);
  const ni = findInterval(newS, m.key);
  const delta = o !== null && n !== null ? n - o : null;
  let change: MetricDelta['change'] = 'n/a';
  if (delta !== null) {
    const overlap = oi && ni ? oi[0] <= ni[1] && ni[0] <= oi[1] : false;
    // Below the shown precision (3 decimals) a difference is float noise, e.g. another backend.
    if (Math.abs(delta) < UNCHANGED_BELOW) change = 'unchanged';
    else if (overlap) change = 'within noise';
    else change = (delta > 0) === (m.better === 'higher') ? 'improved' : 'worse';
  }
  return { ...m, old: o, new: n, delta, oldInterval: oi, newInterval: ni, change };
}

function perClassDeltas(oldV: unknown, newV: unknown): ClassDelta[] {
  const index = (v: unknown) => new Map((Array.isArray(v) ? v : []).filter(isObj).map((r) => [String(r.class), r]));
  const a = index(oldV);
  const b = index(newV);
  const names = [...new Set([...a.keys(), ...b.keys()])];
  // A class with no records on a side has no F1 or recall there to compare (the summary writes 0
  // for the undefined ratios): a class the new evaluation split lacks was shown as F1 0.79 → 0.
  const withRecords = (r: Record<string, unknown> | undefined) => (r && numOr(r.support) !== 0 ? r : undefined);
  const rows = names.map((c) => {
    const o = withRecords(a.get(c));
    const n = withRecords(b.get(c));
    const oldF1 = numOr(o?.f1);
    const newF1 = numOr(n?.f1);
    const oldRecall = numOr(o?.recall);
    const newRecall = numOr(n?.recall);
    return {
      class: c,
      oldF1,
      newF1,
      deltaF1: oldF1 !== null && newF1 !== null ? newF1 - oldF1 : null,
      oldRecall,
      newRecall,
      deltaRecall: oldRecall !== null && newRecall !== null ? newRecall - oldRecall : null,
      support: numOr(b.get(c)?.support) ?? numOr(a.get(c)?.support),
    };
  });
  // Largest change first; classes only on one side after those; ties in class order.
  return rows
    .map((r, i) => ({ r, i }))
    .sort((x, y) => changeSize(y.r) - changeSize(x.r) || x.i - y.i)
    .map((x) => x.r);
}

/** |ΔF1|, or −1 for a class without an F1 on both sides (so it sorts after every known change: Math.abs(−1) put them first). */
const changeSize = (r: { deltaF1: number | null }) => (r.deltaF1 === null ? -1 : Math.abs(r.deltaF1));

function recordRefs(v: unknown): RecordRef[] {
  return (Array.isArray(v) ? v : []).map((r) =>
    isObj(r) ? { id: String(r.id ?? '?'), label: String(r.label ?? r.given ?? ''), predicted: String(r.predicted ?? r.suggested ?? ''), loss: numOr(r.loss) } : { id: String(r), label: '', predicted: '', loss: null },
  );
}

/**
 * Every record flagged as a loss outlier (`outlierIds`, worst first), with the label, prediction
 * and loss of those in the top-K table (`outliers[]`). The table alone made "0 new" of a run whose
 * flagged records grew from 32 to 38: its length is topK whatever was flagged. Summaries without
 * `outlierIds` give the table.
 */
export function flaggedOutliers(s: Obj): unknown[] {
  if (!Array.isArray(s.outlierIds)) return Array.isArray(s.outliers) ? s.outliers : [];
  const details = new Map(recordRefs(s.outliers).map((r) => [r.id, r]));
  return s.outlierIds.map((id) => details.get(String(id)) ?? id);
}

export function recordSetDiff(oldV: unknown, newV: unknown): RecordSetDiff {
  const a = recordRefs(oldV);
  const b = recordRefs(newV);
  const ia = new Set(a.map((r) => r.id));
  const ib = new Set(b.map((r) => r.id));
  return {
    fixed: a.filter((r) => !ib.has(r.id)),
    appeared: b.filter((r) => !ia.has(r.id)),
    persisting: a.filter((r) => ib.has(r.id)).length,
    oldCount: a.length,
    newCount: b.length,
  };
}

function integrityDeltas(oldS: Obj, newS: Obj): CountDelta[] {
  const counts = (s: Obj) => {
    const m = new Map((integrityProblems(s.integrity) ?? []).map((p) => [p.key, p.count]));
    const u = numOr((s.dataset as Obj | undefined)?.unscorable);
    if (u !== null) m.set('unscorable records', u);
    return m;
  };
  const a = counts(oldS);
  const b = counts(newS);
  return [...new Set([...a.keys(), ...b.keys()])].map((key) => {
    const o = a.get(key) ?? null;
    const n = b.get(key) ?? null;
    return { key, old: o, new: n, delta: o !== null && n !== null ? n - o : null };
  });
}

function verdictChanges(oldV: unknown, newV: unknown): CompareModel['verdicts'] {
  const index = (v: unknown) => new Map((Array.isArray(v) ? v : []).filter(isObj).map((r) => [String(r.id), r]));
  const a = index(oldV);
  const b = index(newV);
  return [...new Set([...a.keys(), ...b.keys()])].map((id) => ({
    id,
    old: String(a.get(id)?.value ?? '–'),
    new: String(b.get(id)?.value ?? '–'),
    oldTone: String(a.get(id)?.tone ?? 'muted'),
    newTone: String(b.get(id)?.tone ?? 'muted'),
  }));
}

function sectionChanges(oldV: unknown, newV: unknown): CompareModel['sections'] {
  const index = (v: unknown) => new Map((Array.isArray(v) ? v : []).filter(isObj).map((r) => [String(r.id), String(r.status ?? '?')]));
  const a = index(oldV);
  const b = index(newV);
  return [...new Set([...a.keys(), ...b.keys()])].filter((id) => a.get(id) !== b.get(id)).map((id) => ({ id, old: a.get(id) ?? 'absent', new: b.get(id) ?? 'absent' }));
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function setDiff(a: string[], b: string[]): { resolved: string[]; appeared: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return { resolved: a.filter((x) => !sb.has(x)), appeared: b.filter((x) => !sa.has(x)) };
}

// ── Markdown ─────────────────────────────────────────────────────────────────────────────────

const ARROW: Record<MetricDelta['change'], string> = { improved: '🟢 improved', worse: '🔴 worse', unchanged: 'unchanged', 'within noise': '⚪ within noise', 'n/a': '–' };

export const signed = (v: number | null, digits = 3): string => (v === null ? '–' : `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(digits)}`);
export const withInterval = (v: number | null, iv: [number, number] | null): string => (v === null ? '–' : iv ? `${fmt(v)} [${fmt(iv[0])}, ${fmt(iv[1])}]` : fmt(v));

export function compareMarkdown(m: CompareModel): string {
  const out: string[] = [];
  out.push(`## losslens compare: ${mdText(m.old.name, 80)} → ${mdText(m.new.name, 80)}`);
  out.push('');
  out.push(`Old: checkpoint \`${mdCode(m.old.checkpoint)}\` on \`${mdCode(m.old.split)}\`, generated ${mdText(m.old.generatedAt)} · New: checkpoint \`${mdCode(m.new.checkpoint)}\` on \`${mdCode(m.new.split)}\`, generated ${mdText(m.new.generatedAt)}`);
  out.push('');
  for (const n of m.notes) out.push(`> ⚠️ ${mdText(n, 300)}`);
  if (m.notes.length) out.push('');
  out.push('### Headline metrics');
  out.push('');
  out.push(
    mdTable(
      ['metric', 'old', 'new', 'Δ', 'change'],
      m.headline.map((h) => [h.label, withInterval(h.old, h.oldInterval), withInterval(h.new, h.newInterval), signed(h.delta), ARROW[h.change]]),
      ['l', 'r', 'r', 'r', 'l'],
    ),
  );
  if (m.headline.some((h) => h.oldInterval || h.newInterval)) out.push('', '_Brackets: 95 % bootstrap intervals; "within noise" means the two intervals overlap._');
  out.push('');
  const changed = m.perClass.filter((c) => c.deltaF1 === null || Math.abs(c.deltaF1) >= 0.0005);
  out.push(`### Per-class changes (${changed.length} of ${m.perClass.length} classes changed)`);
  out.push('');
  if (changed.length) {
    out.push(
      mdTable(
        ['class', 'F1 old', 'F1 new', 'ΔF1', 'recall old', 'recall new', 'Δrecall'],
        changed.slice(0, 20).map((c) => [mdText(c.class, 60), fmt(c.oldF1), fmt(c.newF1), signed(c.deltaF1), fmt(c.oldRecall), fmt(c.newRecall), signed(c.deltaRecall)]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    if (changed.length > 20) out.push('', `… and ${changed.length - 20} more classes in the HTML diff.`);
    out.push('');
  }
  recordsMd(out, 'Outliers', m.outliers);
  if (m.labelIssues) recordsMd(out, 'Label issues', m.labelIssues);
  const integ = m.integrity.filter((d) => d.delta !== 0);
  out.push('### Integrity');
  out.push('');
  out.push(integ.length ? mdTable(['check', 'old', 'new', 'Δ'], integ.map((d) => [mdText(d.key, 60), d.old === null ? '–' : String(d.old), d.new === null ? '–' : String(d.new), d.delta === null ? '–' : signed(d.delta, 0)]), ['l', 'r', 'r', 'r']) : 'No change in integrity counts.');
  out.push('');
  const vch = m.verdicts.filter((v) => v.old !== v.new || v.oldTone !== v.newTone);
  if (vch.length) {
    out.push('### Verdict changes');
    out.push('');
    out.push(mdTable(['verdict', 'old', 'new'], vch.map((v) => [mdText(v.id, 40), `${mdText(v.old, 40)} (${mdText(v.oldTone, 10)})`, `${mdText(v.new, 40)} (${mdText(v.newTone, 10)})`])));
    out.push('');
  }
  if (m.sections.length) {
    out.push('### Section status changes');
    out.push('');
    for (const s of m.sections) out.push(`- \`${mdCode(s.id)}\`: ${mdText(s.old, 20)} → ${mdText(s.new, 20)}`);
    out.push('');
  }
  if (m.warnings.appeared.length || m.warnings.resolved.length) {
    out.push('### Warnings');
    out.push('');
    for (const w of m.warnings.appeared.slice(0, 20)) out.push(`- ⚠️ new: ${mdText(w, 300)}`);
    for (const w of m.warnings.resolved.slice(0, 20)) out.push(`- ✅ resolved: ${mdText(w, 300)}`);
    out.push('');
  }
  return fitLimit(`${out.join('\n')}\n`);
}

function recordsMd(out: string[], title: string, d: RecordSetDiff): void {
  out.push(`### ${title}: ${d.fixed.length} fixed, ${d.appeared.length} new, ${d.persisting} persisting (${d.oldCount} → ${d.newCount})`);
  out.push('');
  const rows = [...d.fixed.slice(0, 10).map((r) => ['✅ fixed', r] as const), ...d.appeared.slice(0, 10).map((r) => ['🆕 new', r] as const)];
  if (rows.length) {
    out.push(mdTable(['', 'id', 'label', 'predicted', 'loss'], rows.map(([k, r]) => [k, mdText(r.id, 80, 'middle'), mdText(r.label, 40, 'middle'), mdText(r.predicted, 40, 'middle'), fmt(r.loss, 2)]), ['l', 'l', 'l', 'l', 'r']));
    out.push('');
  }
}
