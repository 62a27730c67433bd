/**
 * Where flagged records concentrate: for each `dataset.groupBy` column, the outlier rate and the
 * label-issue rate of each group against the rest of the data, with a one-sided Fisher exact test
 * (is the group over-represented?) and Benjamini–Hochberg adjustment over every test in the section.
 */
import { benjaminiHochberg, fisherGreater } from '../stats/significance.ts';
import { discover, discoveryReady, DISCOVERY_RANK, startDiscovery } from './discovery/detect.ts';
import { firstInOrder } from './first-in-order.ts';
import { int, pct } from './format.ts';
import type { Analysis, AnalysisContext, Block, Cell } from './types.ts';

/** False-discovery rate at which a group is called out. */
export const ALPHA = 0.05;
const MAX_GROUPS = 30;

export interface SliceTest {
  column: string;
  group: string;
  kind: 'outliers' | 'labelIssues';
  /** Records of the population in the group, and flagged among them. */
  n: number;
  flagged: number;
  /** Population and flagged totals. */
  total: number;
  totalFlagged: number;
  rate: number;
  restRate: number;
  p: number;
  q: number;
  significant: boolean;
}

/**
 * One test per (column, group, kind). `population[i]` = 1 when record i is eligible for the flag
 * (scored for outliers, examined for label issues); `flagged[i]` = 1 when flagged. A column can
 * hold hundreds of thousands of groups (a patient or annotator id), so the groups are put in
 * string order once per column and each test is one object, completed in place once BH has run.
 */
export function sliceTests(groups: Record<string, string[]>, flags: { kind: SliceTest['kind']; population: ArrayLike<number>; flagged: ArrayLike<number> }[]): SliceTest[] {
  const tests: SliceTest[] = [];
  for (const [column, values] of Object.entries(groups)) {
    const { names, index, n, f } = countByGroup(values, flags);
    const order = codeUnitOrder(names, index);
    flags.forEach(({ kind }, k) => {
      const nk = n[k];
      const fk = f[k];
      let total = 0;
      let totalFlagged = 0;
      for (let g = 0; g < names.length; g++) {
        total += nk[g];
        totalFlagged += fk[g];
      }
      // Groups present in the population, in string (code unit) order.
      for (let o = 0; o < order.length; o++) {
        const g = order[o];
        const ng = nk[g];
        if (ng === 0) continue;
        const a = fk[g];
        const c = totalFlagged - a;
        const rest = total - ng;
        const p = fisherGreater(a, ng - a, c, rest - c);
        tests.push({ column, group: names[g], kind, n: ng, flagged: a, total, totalFlagged, rate: a / ng, restRate: rest ? c / rest : NaN, p, q: NaN, significant: false });
      }
    });
  }
  const q = benjaminiHochberg(tests.map((t) => t.p));
  for (let i = 0; i < tests.length; i++) {
    tests[i].q = q[i];
    tests[i].significant = q[i] < ALPHA && tests[i].flagged > 0;
  }
  return tests;
}

/**
 * Positions of `names` (distinct strings; `index` maps each to its position) in string (code unit)
 * order: the default sort's, which compares without calling back into JavaScript.
 */
function codeUnitOrder(names: string[], index: Map<string, number>): Int32Array {
  const sorted = names.slice().sort();
  const order = new Int32Array(names.length);
  for (let o = 0; o < sorted.length; o++) order[o] = index.get(sorted[o])!;
  return order;
}

/**
 * Per distinct value of a column (first-appearance order; `index` maps a value to its position)
 * and per flag: records in the population (n) and flagged among them (f). The values are coded
 * once (one string lookup per record), then each flag is counted in a tight pass over typed arrays.
 */
function countByGroup(values: string[], flags: { population: ArrayLike<number>; flagged: ArrayLike<number> }[]): { names: string[]; index: Map<string, number>; n: Float64Array[]; f: Float64Array[] } {
  const index = new Map<string, number>();
  const names: string[] = [];
  const code = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let c = index.get(values[i]);
    if (c === undefined) {
      c = names.length;
      index.set(values[i], c);
      names.push(values[i]);
    }
    code[i] = c;
  }
  const n = flags.map(() => new Float64Array(names.length));
  const f = flags.map(() => new Float64Array(names.length));
  flags.forEach(({ population, flagged }, k) => {
    const nk = n[k];
    const fk = f[k];
    for (let i = 0; i < code.length; i++) {
      if (!population[i]) continue;
      nk[code[i]]++;
      if (flagged[i]) fk[code[i]]++;
    }
  });
  return { names, index, n, f };
}

/** "p < 1e-6", "p = 3.2e-4", "p = 0.012". */
export function formatP(p: number): string {
  if (p < 1e-6) return 'p < 1e-6';
  if (p < 1e-3) return `p = ${p.toExponential(1)}`;
  return `p = ${p.toFixed(3)}`;
}

const KIND_NAME = { outliers: 'loss outliers', labelIssues: 'label issues' } as const;

/** The plain sentence for a significant test. */
export function sentence(t: SliceTest): string {
  return `${pct(t.flagged / t.totalFlagged, 0)} of ${KIND_NAME[t.kind]} (${int(t.flagged)} of ${int(t.totalFlagged)}) come from ${t.column} "${t.group}", which holds ${pct(t.n / t.total, 0)} of the records examined (rate ${pct(t.rate)} vs ${pct(t.restRate)} elsewhere, ${formatP(t.q)} after Benjamini–Hochberg).`;
}

export const slices: Analysis = {
  id: 'slices',
  summaryKeys: ['slices'],
  title: 'Where the bad records concentrate',
  description: 'For each metadata column in dataset.groupBy: the share of loss outliers and label issues each group holds against its share of the data, with a one-sided Fisher exact test and Benjamini–Hochberg correction across all groups, columns and both flags.',
  notApplicable: (ctx) => (ctx.config.dataset.groupBy.length ? null : 'no metadata columns to slice by: list them in dataset.groupBy (e.g. ["source", "annotator"])'),
  start: startDiscovery,
  startRank: DISCOVERY_RANK,
  async run(ctx) {
    await discoveryReady(ctx);
    const d = discover(ctx);
    const z = d.outliers.z;
    const scored = new Uint8Array(z.length);
    for (let i = 0; i < z.length; i++) scored[i] = Number.isNaN(z[i]) ? 0 : 1;
    const tests = sliceTests(ctx.dataset.groups, [
      { kind: 'outliers', population: scored, flagged: d.outliers.flagged },
      { kind: 'labelIssues', population: d.labelIssues.examined, flagged: d.labelIssues.flagged },
    ]);
    const significant = tests.filter((t) => t.significant).sort((a, b) => a.q - b.q || b.flagged - a.flagged);
    const blocks: Block[] = [
      significant.length
        ? { type: 'list', items: significant.slice(0, 20).map(sentence) }
        : { type: 'text', text: `No group holds significantly more outliers or label issues than the rest (Benjamini–Hochberg, FDR ${ALPHA}).`, tone: 'good' },
    ];
    const warnings: string[] = [];
    for (const column of ctx.config.dataset.groupBy) {
      const own = tests.filter((t) => t.column === column);
      blocks.push(...columnBlocks(ctx, column, own));
      const tiny = tinyGroupsWarning(column, own, tests.length);
      if (tiny) warnings.push(tiny);
    }
    const headline = significant.length ? sentence(significant[0]) : `Outliers and label issues are spread across ${ctx.config.dataset.groupBy.map((c) => `"${c}"`).join(', ')} groups without a significant concentration.`;
    return {
      headline,
      blocks,
      warnings,
      summary: {
        slices: tests.map((t) => ({ column: t.column, group: t.group, kind: t.kind, n: t.n, flagged: t.flagged, rate: t.rate, restRate: Number.isFinite(t.restRate) ? t.restRate : null, p: t.p, q: t.q, significant: t.significant })),
      },
    };
  },
};

/** A column with more groups than this, of fewer records than TINY_GROUP_SIZE on average, is id-like. */
const MANY_GROUPS = 1000;
const TINY_GROUP_SIZE = 10;

/**
 * The warning for an id-like column (a patient or annotator id): groups of a few records cannot
 * stand out after correction, while their tests — one per group and flag — make the correction
 * stricter for every other column's groups. At a million records, 316 000 patients beside 40
 * hospitals turned a hospital with 15 % more outliers than the rest from q = 0.002 into q = 1.
 */
function tinyGroupsWarning(column: string, tests: SliceTest[], allTests: number): string | null {
  const outliers = tests.filter((t) => t.kind === 'outliers');
  if (outliers.length <= MANY_GROUPS || outliers[0].total / outliers.length >= TINY_GROUP_SIZE) return null;
  const perGroup = outliers[0].total / outliers.length;
  return `dataset.groupBy "${column}" has ${int(outliers.length)} groups of ${perGroup.toFixed(1)} scored records on average: groups that small cannot stand out after the Benjamini–Hochberg correction, and each adds tests that make the correction stricter for every other group (${int(tests.length)} of its ${int(allTests)} tests). Leave id-like columns out of dataset.groupBy, or map them to coarser groups.`;
}

function columnBlocks(ctx: AnalysisContext, column: string, tests: SliceTest[]): Block[] {
  // Each group's outlier and label-issue tests (tests come per kind, each in string order).
  const names: string[] = [];
  const entries: { o?: SliceTest; l?: SliceTest }[] = [];
  const at = new Map<string, number>();
  for (const t of tests) {
    let e = at.get(t.group);
    if (e === undefined) {
      e = entries.length;
      at.set(t.group, e);
      names.push(t.group);
      entries.push({});
    }
    if (t.kind === 'outliers') entries[e].o = t;
    else entries[e].l = t;
  }
  // Most significant first, then the larger group, then by name: only the first MAX_GROUPS are shown.
  const minQ = Float64Array.from(entries, (e) => Math.min(e.o?.q ?? 1, e.l?.q ?? 1));
  const size = Float64Array.from(entries, (e) => e.o?.n ?? 0);
  const shown = firstInOrder(Int32Array.from(entries.keys()), (a, b) => minQ[a] - minQ[b] || size[b] - size[a] || (names[a] < names[b] ? -1 : 1), MAX_GROUPS);
  const groups = shown.map((e) => [names[e], entries[e]] as const);
  const share = (t: SliceTest | undefined) => (t && t.totalFlagged ? t.flagged / t.totalFlagged : null);
  const qCell = (t: SliceTest | undefined): Cell => (t ? (t.significant ? { text: formatP(t.q).replace('p ', 'q '), tone: 'bad' } : t.q.toPrecision(2)) : null);
  const rows: Cell[][] = groups.map(([g, e]) => [g, e.o?.n ?? 0, e.o ? e.o.n / e.o.total : null, e.o?.flagged ?? null, e.o?.rate ?? null, share(e.o), qCell(e.o), e.l?.n ?? 0, e.l?.rate ?? null, share(e.l), qCell(e.l)]);
  const items = groups.flatMap(([g, e]) => [
    { label: g, value: e.o ? e.o.n / e.o.total : 0, series: 'share of records' },
    { label: g, value: share(e.o) ?? 0, series: 'share of outliers' },
    { label: g, value: share(e.l) ?? 0, series: 'share of label issues' },
  ]);
  return [
    {
      type: 'table',
      caption: `By ${column}: outliers (all scored records) and label issues (examined splits) per group`,
      columns: [
        { label: column },
        { label: 'records', format: 'int' },
        { label: 'share of records', format: 'pct1' },
        { label: 'outliers', format: 'int' },
        { label: 'outlier rate', format: 'pct1' },
        { label: 'share of outliers', format: 'pct1' },
        { label: 'q (outliers)', hint: 'One-sided Fisher exact p, Benjamini–Hochberg adjusted.' },
        { label: 'examined', format: 'int' },
        { label: 'label-issue rate', format: 'pct1' },
        { label: 'share of label issues', format: 'pct1' },
        { label: 'q (label issues)', hint: 'One-sided Fisher exact p, Benjamini–Hochberg adjusted.' },
      ],
      rows,
      note: entries.length > groups.length ? `${groups.length} of ${int(entries.length)} groups shown, most significant first.` : undefined,
    },
    {
      type: 'chart',
      chart: { kind: 'bars', items, xLabel: column, yLabel: 'share', domain: [0, 1] },
      caption: `Share of records, of loss outliers and of label issues per ${column}: a group whose outlier bar towers over its record bar holds more than its share.`,
      alt: `Bar chart of shares per ${column}.`,
    },
  ];
}
