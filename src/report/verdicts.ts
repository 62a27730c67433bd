/**
 * The verdict cards at the top of the report: one judgement per question a reviewer asks first
 * (does it beat a baseline? is it calibrated? which records are suspect? is the data sound? was
 * training healthy?), each linking to the section with the evidence.
 *
 * Summary keys come from analyses that may or may not be in the list, so every key is read
 * defensively: a missing or oddly shaped key gives a "not measured" card, never a crash.
 */
import { fix, int, pct, plural } from '../analyses/format.ts';
import type { SectionResult } from '../analyses/types.ts';
import { pointEstimate } from './gates.ts';

export type VerdictTone = 'good' | 'warn' | 'bad' | 'muted';

export interface Verdict {
  id: 'accuracy' | 'calibration' | 'outliers' | 'labelIssues' | 'integrity' | 'trainingHealth';
  title: string;
  /** The figure on the card, e.g. "94.1 %" (for integrity: how many checks flag a problem). */
  value: string;
  /** One plain sentence of what it means. */
  detail: string;
  tone: VerdictTone;
  /** Section id holding the evidence, or null when no section has it. */
  section: string | null;
}

export interface VerdictInput {
  final: { accuracy: number; ece: number; mce: number; n: number };
  dataset: { n: number; unscorable: number };
  extra: Record<string, unknown>;
  sections: Pick<SectionResult, 'id' | 'status'>[];
}

/** Thresholds for the card colours; a reviewer's rule of thumb, not a statistical test. */
export const THRESHOLDS = { baselineGapWarn: 0.02, eceGood: 0.05, eceBad: 0.15, flaggedShareBad: 0.05 } as const;

export function buildVerdicts(input: VerdictInput): Verdict[] {
  const find = sectionFinder(input.sections);
  return [
    accuracyVerdict(input, find(/baseline/)),
    calibrationVerdict(input, find(/calibrat/)),
    outlierVerdict(input, find(/^outliers?$/, /outlier/, /top-loss/)),
    labelIssueVerdict(input, find(/label-?issue/, /label/)),
    integrityVerdict(input, find(/integrity/)),
    trainingVerdict(input, find(/training-?(curves|health)/, /training/, /curve/)),
  ];
}

function accuracyVerdict({ final, extra }: VerdictInput, section: string | null): Verdict {
  const base = { id: 'accuracy', title: 'Accuracy vs best baseline', value: pct(final.accuracy), section } as const;
  // Prefer the baseline analysis's own gap (with its bootstrap interval); else the best listed baseline.
  const g = isObj(extra.baselineGap) ? extra.baselineGap : null;
  const gapRaw = g?.accuracy;
  const gapPoint = typeof gapRaw === 'number' ? gapRaw : pointEstimate(gapRaw);
  const best = bestBaseline(extra.baselines);
  const gap = typeof gapPoint === 'number' && Number.isFinite(gapPoint) ? gapPoint : best ? final.accuracy - best.accuracy : null;
  if (gap === null || !Number.isFinite(gap)) return { ...base, detail: 'No baseline was measured, so there is nothing to compare against.', tone: 'muted' };
  const fromGap = typeof gapPoint === 'number' && Number.isFinite(gapPoint);
  const who = fromGap ? (typeof g?.against === 'string' ? g.against : 'the best baseline') : `${best!.name} (${pct(best!.accuracy)})`;
  const lo = num(gapRaw, 'lo');
  const hi = num(gapRaw, 'hi');
  const interval = lo !== null && hi !== null && fromGap ? ` (95 % CI ${(100 * lo).toFixed(1)} to ${(100 * hi).toFixed(1)})` : '';
  const pts = `${(Math.abs(gap) * 100).toFixed(1)} points${interval}`;
  if (gap === 0) return { ...base, detail: `Level with ${who}: the model adds nothing over it.`, tone: 'bad' };
  if (gap < 0 || (hi !== null && hi < 0)) return { ...base, detail: `Does not beat ${who}: ${pts} behind.`, tone: 'bad' };
  const unclear = lo !== null && lo <= 0;
  return { ...base, detail: unclear ? `Not clearly better than ${who}: ${pts} ahead.` : `Beats ${who} by ${pts}.`, tone: unclear || gap < THRESHOLDS.baselineGapWarn ? 'warn' : 'good' };
}

function calibrationVerdict({ final }: VerdictInput, section: string | null): Verdict {
  const base = { id: 'calibration', title: 'Calibration (ECE)', value: fix(final.ece), section } as const;
  if (!Number.isFinite(final.ece)) return { ...base, detail: 'ECE could not be computed (no scored, labelled records).', tone: 'muted' };
  const tone = final.ece < THRESHOLDS.eceGood ? 'good' : final.ece < THRESHOLDS.eceBad ? 'warn' : 'bad';
  const words = tone === 'good' ? 'Confidence matches accuracy closely' : tone === 'warn' ? 'Confidence is off from accuracy' : 'Confidence is far from accuracy';
  return { ...base, detail: `${words}: on average ${pct(final.ece)} apart (worst bin ${fix(final.mce)}).`, tone };
}

function outlierVerdict({ extra, dataset }: VerdictInput, section: string | null): Verdict {
  const base = { id: 'outliers', title: 'Loss outliers', section } as const;
  const list = Array.isArray(extra.outliers) ? extra.outliers : null;
  const explicit = firstNum(extra, ['outlierCount', 'outliersCount', 'outlierSummary.count', 'outliersSummary.count', 'lossOutliers.count']);
  // Entries carrying `reasons` come from an outlier rule; bare entries are just the top-K by loss.
  const flagged = list?.some((o) => isObj(o) && ('reasons' in o || 'flagged' in o)) ?? false;
  const ids = Array.isArray(extra.outlierIds) ? extra.outlierIds.length : null;
  const count = explicit ?? ids ?? (flagged && list ? list.length : null);
  if (count === null) {
    return list && list.length
      ? { ...base, value: '–', detail: `No outlier rule ran; the ${plural(list.length, 'record')} with the highest loss are listed for review.`, tone: 'muted' }
      : { ...base, value: '–', detail: 'Not measured.', tone: 'muted' };
  }
  return { ...base, value: int(count), detail: flaggedSentence(count, dataset.n, 'record', 'flagged for unusually high loss'), tone: flaggedTone(count, dataset.n) };
}

function labelIssueVerdict({ extra, dataset }: VerdictInput, section: string | null): Verdict {
  const base = { id: 'labelIssues', title: 'Label issues', section } as const;
  const count = firstNum(extra, ['labelIssueCount', 'labelIssuesCount', 'labelIssueSummary.count', 'labelIssuesSummary.count']) ?? (Array.isArray(extra.labelIssues) ? extra.labelIssues.length : null);
  if (count === null) return { ...base, value: '–', detail: 'Not measured.', tone: 'muted' };
  // The detector looks at some splits only (held-out ones by default): the share is of those records.
  const examined = firstNum(extra, ['labelIssueExamined']);
  const what = 'whose label the model contradicts with confidence';
  if (examined === null || examined === dataset.n) return { ...base, value: int(count), detail: flaggedSentence(count, dataset.n, 'record', what), tone: flaggedTone(count, dataset.n) };
  // Nothing examined is not a clean bill: no held-out record was scored with a label.
  if (examined === 0) return { ...base, value: '–', detail: 'No records examined: the splits searched have no scored, labelled records.', tone: 'muted' };
  const detail = count === 0 ? `No records ${what}, of ${int(examined)} examined.` : `${plural(count, 'record')} (${pct(count / Math.max(1, examined))} of the ${int(examined)} examined) ${what}.`;
  return { ...base, value: int(count), detail, tone: flaggedTone(count, examined) };
}

function integrityVerdict({ extra, dataset }: VerdictInput, section: string | null): Verdict {
  const base = { id: 'integrity', title: 'Data integrity', section } as const;
  const problems = integrityProblems(extra.integrity);
  // The integrity analysis may count unscorable records itself; count them once.
  const counted = problems?.some((p) => p.key === 'unscorable') ?? false;
  const unscorable = dataset.unscorable > 0 && !counted ? [`${int(dataset.unscorable)} unscorable`] : [];
  if (problems === null) {
    return dataset.unscorable > 0
      ? { ...base, value: int(dataset.unscorable), detail: `${plural(dataset.unscorable, 'record')} could not be scored; no other integrity checks ran.`, tone: 'warn' }
      : { ...base, value: '–', detail: 'Not measured.', tone: 'muted' };
  }
  // The same record can fail several checks (a blank image is constant and a duplicate), so the
  // card counts checks that flag a problem, and the detail gives each check's record count.
  const found = [...unscorable, ...problems.filter((p) => p.count > 0).sort((a, b) => b.count - a.count).map((p) => `${int(p.count)} ${words(p.key)}`)];
  if (found.length === 0) return { ...base, value: '0', detail: 'No integrity problems found.', tone: 'good' };
  const more = found.length > 4 ? `, and ${found.length - 4} more` : '';
  return { ...base, value: int(found.length), detail: `${plural(found.length, 'check')} flag problems: ${found.slice(0, 4).join(', ')}${more}.`, tone: 'warn' };
}

function trainingVerdict({ extra }: VerdictInput, section: string | null): Verdict {
  const base = { id: 'trainingHealth', title: 'Training health', section } as const;
  const count = warningCount(extra.trainingHealth ?? extra.trainingCurves);
  if (count === null) return { ...base, value: '–', detail: 'Not measured.', tone: 'muted' };
  return { ...base, value: int(count), detail: count === 0 ? 'No training-curve check flags a problem.' : `${plural(count, 'training-curve check')} flag a problem.`, tone: count === 0 ? 'good' : 'warn' };
}

// ── defensive readers ────────────────────────────────────────────────────────────────────────

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A finite number at a dotted path, else null. */
export function num(root: unknown, path: string): number | null {
  let cur: unknown = root;
  for (const seg of path.split('.')) {
    if (!isObj(cur)) return null;
    cur = cur[seg];
  }
  return typeof cur === 'number' && Number.isFinite(cur) ? cur : null;
}

function firstNum(root: unknown, paths: string[]): number | null {
  for (const p of paths) {
    const v = num(root, p);
    if (v !== null) return v;
  }
  return null;
}

function bestBaseline(v: unknown): { name: string; accuracy: number } | null {
  if (!Array.isArray(v)) return null;
  let best: { name: string; accuracy: number } | null = null;
  for (const b of v) {
    if (!isObj(b) || typeof b.accuracy !== 'number' || !Number.isFinite(b.accuracy)) continue;
    if (!best || b.accuracy > best.accuracy) best = { name: typeof b.name === 'string' ? b.name : 'a baseline', accuracy: b.accuracy };
  }
  return best;
}

/**
 * Keys of the integrity summary that count problems (records or cells), as written by
 * src/analyses/discovery; group counts (duplicateGroups, …) would count the same records twice, and
 * constant input features (e.g. image borders) are normal, so neither is a problem here.
 */
export const INTEGRITY_PROBLEM_KEYS = [
  'missingCells',
  'nanCells',
  'infCells',
  'constantColumns',
  'nonFiniteInputRecords',
  'constantInputRecords',
  'duplicateRecords',
  'conflictingLabelRecords',
  'leakedRecords',
  'labelsOutsideClasses',
  'missingLabels',
  'unscorable',
] as const;

/**
 * Integrity problem counts: the known keys above when the summary has any of them; otherwise a
 * number, an array, an object with `issues`/`problems`/`total`/`count`, or every count-like field.
 */
export function integrityProblems(v: unknown): { key: string; count: number }[] | null {
  if (typeof v === 'number' && Number.isFinite(v)) return [{ key: 'problems', count: v }];
  if (Array.isArray(v)) return [{ key: 'problems', count: v.length }];
  if (!isObj(v)) return null;
  const known = INTEGRITY_PROBLEM_KEYS.filter((k) => k in v);
  if (known.length) return known.map((key) => ({ key, count: countLike(v[key]) ?? 0 }));
  for (const k of ['issues', 'problems']) {
    if (Array.isArray(v[k])) return [{ key: k, count: (v[k] as unknown[]).length }];
    if (typeof v[k] === 'number') return [{ key: k, count: v[k] as number }];
  }
  for (const k of ['total', 'count']) if (typeof v[k] === 'number') return [{ key: 'problems', count: v[k] as number }];
  const out: { key: string; count: number }[] = [];
  for (const [key, x] of Object.entries(v)) {
    if (/^(n|rows|records|columns|classes|checked|expected.*|.*ratio|.*loss|.*entropy|lnK|.*counts?(split)?)$/i.test(key)) continue;
    const c = countLike(x);
    if (c !== null) out.push({ key, count: c });
  }
  return out;
}

function countLike(x: unknown): number | null {
  if (typeof x === 'number') return Number.isInteger(x) && x >= 0 ? x : null;
  if (Array.isArray(x)) return x.length;
  if (isObj(x)) {
    if (typeof x.count === 'number') return x.count;
    const vals = Object.values(x);
    if (vals.length && vals.every((y) => typeof y === 'number' && Number.isInteger(y) && y >= 0)) return (vals as number[]).reduce((a, b) => a + b, 0);
  }
  return null;
}

/**
 * Training-health warnings: a number, or an array of findings (those with a status count only when
 * it says warn/fail/flag/bad/error), or an object holding one under findings/warnings/flags/….
 */
export function warningCount(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (Array.isArray(v)) return v.filter((x) => !(isObj(x) && typeof x.status === 'string') || /^(warn|warning|fail|failed|flag|flagged|bad|error)$/i.test(x.status)).length;
  if (!isObj(v)) return null;
  for (const k of ['findings', 'warnings', 'flags', 'issues', 'anomalies', 'problems']) {
    if (Array.isArray(v[k]) || typeof v[k] === 'number') return warningCount(v[k]);
  }
  return typeof v.count === 'number' ? v.count : null;
}

function flaggedSentence(count: number, n: number, noun: string, what: string): string {
  if (count === 0) return `No ${noun}s ${what}.`;
  return `${plural(count, noun)} (${pct(count / Math.max(1, n))} of the data) ${what}.`;
}

function flaggedTone(count: number, n: number): VerdictTone {
  if (count === 0) return 'good';
  return count / Math.max(1, n) > THRESHOLDS.flaggedShareBad ? 'bad' : 'warn';
}

/** "conflictingLabels" → "conflicting labels". */
function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
}

/** The first ok-or-not section whose id matches one of the patterns, in pattern order. */
function sectionFinder(sections: VerdictInput['sections']) {
  return (...patterns: RegExp[]): string | null => {
    for (const p of patterns) {
      const s = sections.find((x) => p.test(x.id));
      if (s) return s.id;
    }
    return null;
  };
}
