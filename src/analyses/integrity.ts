/**
 * Data integrity, before looking at any score: missing / NaN / Inf values per column and per
 * input, exact duplicate inputs, duplicates with conflicting labels, the same input in training
 * and held-out splits (leakage), labels outside the class list, constant columns, class imbalance
 * with the loss a prior-only model would get, and every record that could not be scored, with why.
 */
import { inputScan, inputScanReady, startInputScan } from './discovery/input-scan.ts';
import { classBalance, columnHealth, duplicateFindings, type InputHealth } from './discovery/integrity-checks.ts';
import { fix, int, plural } from './format.ts';
import type { Analysis, AnalysisContext, Block, Cell } from './types.ts';
import { unknownLabelsByRecord } from '../load/dataset.ts';

/** Rows shown in the per-column and per-class tables (bounded report). */
const MAX_ROWS = 50;
/** A class ratio above this is called out as imbalance. */
const IMBALANCE_RATIO = 3;

export const integrity: Analysis = {
  id: 'integrity',
  summaryKeys: ['integrity'],
  title: 'Data integrity',
  description: 'Checks of the data itself, before any score: missing and non-finite values, duplicate inputs (with conflicting labels, or shared between training and held-out splits), labels outside the class list, constant columns, class imbalance, and records that could not be scored.',
  // The input scan may run on a worker thread while the analyses that need only scores run.
  start: startInputScan,
  async run(ctx) {
    const { dataset, run } = ctx;
    const cols = columnHealth(dataset.table);
    await inputScanReady(ctx);
    const scan = inputScan(ctx);
    const duplicates = scan?.duplicates ?? null;
    const ih = scan?.health ?? null;
    const dup = duplicates ? duplicateFindings(duplicates, dataset.labels, dataset.split, dataset.splitNames) : null;
    const bal = classBalance(dataset.labels, dataset.split, dataset.splitNames, run.k);
    const missingLabels = dataset.unknownLabels.filter((u) => u.label === '(missing)');
    const outside = dataset.unknownLabels.filter((u) => u.label !== '(missing)');
    // A single split is normal (e.g. an all-"val" evaluation set), not a constant-column problem.
    const constantColumns = cols.filter((c) => c.constant && c.column !== ctx.config.dataset.split).map((c) => c.column);
    const badCells = cols.reduce((s, c) => s + c.missing + c.nan + c.inf, 0);

    // Ordered by how much each one changes the metrics: most severe first (the headline quotes the first).
    const findings: string[] = [];
    if (run.unscorable.length) findings.push(`${plural(run.unscorable.length, 'record')} could not be scored (listed below with the reason).`);
    if (outside.length) findings.push(`${plural(outside.length, 'record')} with a label outside the class list (${[...new Set(outside.map((u) => `"${u.label}"`))].slice(0, 5).join(', ')}).`);
    if (missingLabels.length) findings.push(`${plural(missingLabels.length, 'record')} without a label.`);
    if (dup?.conflictingGroups.length) findings.push(`${plural(dup.conflictingGroups.length, 'duplicate group')} ${dup.conflictingGroups.length === 1 ? 'carries' : 'carry'} conflicting labels (${int(dup.conflictingGroups.reduce((s, g) => s + g.length, 0))} records): the same input cannot be two classes.`);
    if (dup?.leaked.length) findings.push(`${plural(dup.leaked.length, 'held-out record')} also appear, input for input, in a training split (leakage: those scores are in-sample).`);
    if (ih?.nonFiniteRecords.length) findings.push(`${plural(ih.nonFiniteRecords.length, 'record')} with NaN or infinite model inputs (${int(ih.nanValues)} NaN, ${int(ih.infValues)} ±Inf values in ${plural(ih.nonFiniteFeatures, 'input position')}).`);
    const colProblems = cols.filter((c) => c.missing + c.nan + c.inf > 0);
    if (colProblems.length) findings.push(`${plural(badCells, 'missing or non-finite cell')} in ${plural(colProblems.length, 'column')} (${colProblems.slice(0, 5).map((c) => `"${c.column}"`).join(', ')}${colProblems.length > 5 ? ', …' : ''}).`);
    if (ih?.constantRecords.length) findings.push(`${plural(ih.constantRecords.length, 'record')} whose whole input is one repeated value (blank images or all-equal vectors).`);
    if (dup?.groups) findings.push(`${plural(dup.records, 'record')} share an input with another record (${plural(dup.groups, 'group')} of exact duplicates; ${int(dup.extraCopies)} extra copies).`);
    if (constantColumns.length) findings.push(`${plural(constantColumns.length, 'constant column')}: ${constantColumns.slice(0, 5).map((c) => `"${c}"`).join(', ')}${constantColumns.length > 5 ? ', …' : ''}.`);
    if (bal.ratio > IMBALANCE_RATIO) findings.push(`Class imbalance: the largest class has ${Number.isFinite(bal.ratio) ? `${fix(bal.ratio, 1)}×` : 'infinitely many times'} the records of the smallest${bal.priorSplit ? ` in "${bal.priorSplit}"` : ''}.`);

    const blocks: Block[] = [
      {
        type: 'metrics',
        items: [
          { label: 'records', value: int(dataset.n) },
          { label: 'missing / non-finite cells', value: int(badCells), tone: badCells ? 'warn' : 'good' },
          { label: 'duplicate inputs', value: dup ? int(dup.records) : 'n/a', tone: dup?.records ? 'warn' : undefined, hint: 'Records whose model input is bit-identical to another record.' },
          { label: 'conflicting-label duplicates', value: dup ? int(dup.conflictingGroups.reduce((s, g) => s + g.length, 0)) : 'n/a', tone: dup?.conflictingGroups.length ? 'bad' : undefined },
          { label: 'train/held-out leakage', value: dup ? int(dup.leaked.length) : 'n/a', tone: dup?.leaked.length ? 'bad' : undefined },
          { label: 'labels outside the class list', value: int(outside.length + missingLabels.length), tone: outside.length + missingLabels.length ? 'bad' : 'good' },
          { label: 'unscorable records', value: int(run.unscorable.length), tone: run.unscorable.length ? 'warn' : 'good' },
          { label: 'class ratio (max/min)', value: Number.isFinite(bal.ratio) ? fix(bal.ratio, 2) : '∞', tone: bal.ratio > IMBALANCE_RATIO ? 'warn' : undefined },
        ],
      },
      findings.length ? { type: 'list', items: findings } : { type: 'text', text: `No integrity problems found in ${plural(dataset.n, 'record')}.`, tone: 'good' },
      columnTable(cols),
      ...inputBlocks(ih, ctx),
      ...duplicateBlocks(ctx, dup?.conflictingGroups ?? [], dup?.leaked ?? []),
      balanceTable(ctx, bal),
      ...unscorableBlocks(ctx),
    ];
    if (!ctx.inputs) blocks.push({ type: 'text', text: 'No model inputs were loaded (precomputed scores), so input values, duplicates and leakage were not checked.', tone: 'info' });

    const headline = findings.length ? `${plural(findings.length, 'integrity finding')}: ${findings[0]}` : `No integrity problems found in ${plural(dataset.n, 'record')}.`;
    return {
      headline,
      blocks,
      summary: {
        integrity: {
          records: dataset.n,
          missingCells: Object.fromEntries(cols.filter((c) => c.missing).map((c) => [c.column, c.missing])),
          nanCells: cols.reduce((s, c) => s + c.nan, 0),
          infCells: cols.reduce((s, c) => s + c.inf, 0),
          constantColumns,
          nonFiniteInputRecords: ih ? ih.nonFiniteRecords.length : null,
          constantInputRecords: ih ? ih.constantRecords.length : null,
          constantInputFeatures: ih ? ih.constantFeatures : null,
          duplicateGroups: dup ? dup.groups : null,
          duplicateRecords: dup ? dup.records : null,
          conflictingLabelGroups: dup ? dup.conflictingGroups.length : null,
          conflictingLabelRecords: dup ? dup.conflictingGroups.reduce((s, g) => s + g.length, 0) : null,
          leakedRecords: dup ? dup.leaked.length : null,
          labelsOutsideClasses: outside.length,
          missingLabels: missingLabels.length,
          unscorable: run.unscorable.length,
          classCounts: Object.fromEntries(run.classes.map((c, j) => [c, bal.counts[j]])),
          classCountsSplit: bal.priorSplit,
          imbalanceRatio: Number.isFinite(bal.ratio) ? bal.ratio : null,
          priorEntropy: bal.priorEntropy,
          lnK: bal.lnK,
        },
      },
    };
  },
};

function columnTable(cols: ReturnType<typeof columnHealth>): Block {
  const shown = [...cols].sort((a, b) => b.missing + b.nan + b.inf - (a.missing + a.nan + a.inf) || Number(b.constant) - Number(a.constant)).slice(0, MAX_ROWS);
  return {
    type: 'table',
    caption: 'Records table: missing and non-finite values per column',
    columns: [{ label: 'column' }, { label: 'missing', format: 'int' }, { label: 'NaN', format: 'int' }, { label: '±Inf', format: 'int' }, { label: 'constant' }],
    rows: shown.map((c) => [c.column, c.missing, c.nan, c.inf, c.constant ? { text: 'yes', tone: 'warn' } : 'no']),
    note: cols.length > MAX_ROWS ? `${MAX_ROWS} of ${cols.length} columns shown, problems first.` : undefined,
  };
}

function inputBlocks(ih: InputHealth | null, ctx: AnalysisContext): Block[] {
  if (!ih || !ctx.inputs) return [];
  const blocks: Block[] = [
    {
      type: 'text',
      text: `Model inputs (${ctx.inputs.rowSize} values per record): ${plural(ih.nonFiniteRecords.length, 'record')} with NaN/Inf values, ${plural(ih.constantRecords.length, 'record')} with a constant input, ${plural(ih.constantFeatures, 'input position')} constant across every record${ih.constantFeatures ? ' (harmless for images with empty borders; dead features otherwise)' : ''}.`,
      tone: ih.nonFiniteRecords.length ? 'warn' : 'info',
    },
  ];
  // The first non-finite records, then constant ones that are not also non-finite (an all-NaN row
  // is both). Looked up in a Set: `includes` per constant record was quadratic — 14 s at 130 000 NaN rows.
  const limit = Math.min(ctx.config.analysis.topK, 10);
  const nonFinite = new Set(ih.nonFiniteRecords);
  const listed = ih.nonFiniteRecords.slice(0, limit);
  let problems = ih.nonFiniteRecords.length;
  for (const i of ih.constantRecords) {
    if (nonFinite.has(i)) continue;
    problems++;
    if (listed.length < limit) listed.push(i);
  }
  if (listed.length) {
    blocks.push({
      type: 'table',
      caption: 'Records with non-finite or constant inputs',
      columns: [{ label: 'record' }, { label: 'id' }, { label: 'split' }, { label: 'label' }, { label: 'problem' }],
      rows: listed.map((i) => [{ preview: ctx.preview(i) }, ctx.dataset.ids[i], ctx.dataset.splitNames[ctx.dataset.split[i]], labelOf(ctx, i), nonFinite.has(i) ? 'NaN or infinite input values' : 'constant input']),
      note: problems > listed.length ? `First ${listed.length} shown.` : undefined, // (an all-NaN row counted once, not as both)
    });
  }
  return blocks;
}

function duplicateBlocks(ctx: AnalysisContext, conflicting: number[][], leaked: number[]): Block[] {
  const { dataset } = ctx;
  const duplicates = inputScan(ctx)?.duplicates;
  if (!duplicates?.length) return [];
  const leakedSet = new Set(leaked);
  // Conflicting and leaking groups first (they change metrics), then by size. Scored once per group
  // before sorting: scored in the comparator, every comparison scanned the conflicting groups.
  const conflictingSet = new Set(conflicting);
  const score = new Map(duplicates.map((g) => [g, (conflictingSet.has(g) ? 2 : 0) + (g.some((i) => leakedSet.has(i)) ? 1 : 0)]));
  const shown = [...duplicates].sort((a, b) => score.get(b)! - score.get(a)! || b.length - a.length || a[0] - b[0]).slice(0, ctx.config.analysis.topK);
  const rows: Cell[][] = shown.map((g) => {
    const labels = new Set(g.map((i) => labelOf(ctx, i)));
    const splits = new Set(g.map((i) => dataset.splitNames[dataset.split[i]]));
    const problems = [labels.size > 1 ? 'conflicting labels' : '', g.some((i) => leakedSet.has(i)) ? 'leakage across splits' : ''].filter(Boolean).join('; ');
    return [
      { preview: ctx.preview(g[0]) },
      g.length,
      `${g.slice(0, 5).map((i) => dataset.ids[i]).join(', ')}${g.length > 5 ? ', …' : ''}`,
      [...labels].join(', '),
      [...splits].join(', '),
      problems ? { text: problems, tone: labels.size > 1 ? 'bad' : 'warn' } : 'exact copies',
    ];
  });
  return [
    {
      type: 'table',
      caption: `Exact duplicate inputs (${plural(duplicates.length, 'group')}; group numbers match the duplicate_group column of the scores file)`,
      columns: [{ label: 'input' }, { label: 'records', format: 'int' }, { label: 'ids' }, { label: 'labels' }, { label: 'splits' }, { label: 'problem' }],
      rows,
      note: duplicates.length > shown.length ? `${shown.length} of ${duplicates.length} groups shown; conflicting and leaking groups first.` : undefined,
    },
  ];
}

function balanceTable(ctx: AnalysisContext, bal: ReturnType<typeof classBalance>): Block {
  const { dataset, run } = ctx;
  const perSplit = dataset.splitNames.map((_, s) => {
    const counts = new Array<number>(run.k).fill(0);
    for (let i = 0; i < dataset.n; i++) if (dataset.split[i] === s && dataset.labels[i] >= 0) counts[dataset.labels[i]]++;
    return counts;
  });
  const order = run.classes.map((_, j) => j).sort((a, b) => bal.counts[a] - bal.counts[b] || a - b).slice(0, MAX_ROWS);
  return {
    type: 'grid',
    blocks: [
      {
        type: 'table',
        caption: `Class balance${bal.priorSplit ? ` (prior from "${bal.priorSplit}")` : ''}, rarest first`,
        columns: [{ label: 'class' }, ...dataset.splitNames.map((s) => ({ label: s, format: 'int' as const })), { label: 'prior', format: 'pct1' }],
        rows: order.map((j) => [run.classes[j], ...perSplit.map((c) => c[j]), bal.prior[j]]),
        note: run.k > MAX_ROWS ? `The ${MAX_ROWS} rarest of ${run.k} classes shown.` : undefined,
      },
      {
        type: 'text',
        text: `Expected initial loss: an untrained model predicting uniform probabilities starts at ln K = ${fix(bal.lnK, 3)}; a model that only learned the class prior gets ${fix(bal.priorEntropy, 3)} (the prior's entropy). Training that stalls near ${fix(bal.priorEntropy, 3)} has learned the class frequencies and nothing else.`,
        tone: 'info',
      },
    ],
  };
}

function unscorableBlocks(ctx: AnalysisContext): Block[] {
  const { run, dataset } = ctx;
  const list = run.unscorable;
  if (!list.length) return [];
  const shown = list.slice(0, Math.max(ctx.config.analysis.topK, 50));
  return [
    {
      type: 'table',
      caption: `Records that could not be scored (${int(list.length)}; counted, not dropped)`,
      columns: [{ label: 'id' }, { label: 'split' }, { label: 'reason' }],
      rows: shown.map((u) => [u.id, dataset.splitNames[dataset.split[u.index]], u.reason]),
      note: list.length > shown.length ? `First ${shown.length} of ${list.length} shown; every one has empty score cells in the scores file.` : undefined,
    },
  ];
}

function labelOf(ctx: AnalysisContext, i: number): string {
  const y = ctx.dataset.labels[i];
  return y >= 0 ? ctx.run.classes[y] : unknownLabelsByRecord(ctx.dataset).get(i) ?? '(missing)';
}

