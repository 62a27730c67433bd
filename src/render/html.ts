/**
 * Renders the report model to one self-contained HTML file: handlebars templates from templates/,
 * charts as inline SVG, the stylesheet and the one optional script inlined and allowed by their
 * sha256 in a Content-Security-Policy that forbids every external load. Blocks are rendered by
 * type through a Record map (the compiler proves every type is handled), with a raw-JSON fallback.
 * Nothing here grows with the number of records: tables and strings are capped.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Block, SectionResult } from '../analyses/types.ts';
import { gateValueText } from '../report/gates.ts';
import type { ReportModel } from '../report/model.ts';
import { cellView, clip, formatNumber, MAX_CELL_TEXT, text } from './cells.ts';
import { ChartQueue, type ChartBlock, type DrawnChart } from './chart-queue.ts';
import { chartToSpec } from './charts/index.ts';
import { pageAssets, type RenderOptions } from './page.ts';
import { sanitizeText } from './escape.ts';
import { renderSvg } from './svg.ts';

export type { RenderOptions } from './page.ts';

export const TEMPLATES = new URL('../../templates/', import.meta.url).pathname;
/** Rows beyond this are left to the scores file; analyses already emit top-K tables. */
export const MAX_TABLE_ROWS = 500;
const MAX_UNSCORABLE_ROWS = 200;
/** Axis labels and tooltips longer than this are cut. */
const MAX_CHART_TEXT = 200;

let hbs: typeof Handlebars | undefined;
export function engine(): typeof Handlebars {
  if (hbs) return hbs;
  hbs = Handlebars.create();
  for (const f of readdirSync(join(TEMPLATES, 'partials')).sort()) {
    if (f.endsWith('.hbs')) hbs.registerPartial(f.slice(0, -4), readFileSync(join(TEMPLATES, 'partials', f), 'utf8'));
  }
  return hbs;
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();
export function template(name: string): Handlebars.TemplateDelegate {
  let t = compiled.get(name);
  if (!t) {
    // Every value reaches templates pre-escaped by text()/cellView(); templates use {{{ }}} only
    // for those and for markup we build (SVG), and `{{` inside data is never re-parsed.
    t = engine().compile(readFileSync(join(TEMPLATES, name), 'utf8'), { strict: false });
    compiled.set(name, t);
  }
  return t;
}

export function blockPartials(): string[] {
  return Object.keys(engine().partials).filter((p) => p.startsWith('block-'));
}

/** `charts`: the queue the charts were drawn ahead with (pipeline.ts); by default each is drawn here. */
export async function renderHtml(model: ReportModel, opts: RenderOptions = {}, charts = new ChartQueue(drawChart)): Promise<string> {
  const sections = [];
  for (const s of model.sections) sections.push(await sectionView(s, charts));
  const header = headerView(model);
  const gates = model.gates.map((g) => ({ expr: text(g.expr), value: text(gateValueText(g)), failed: g.failed }));
  const toc = [
    ...(model.warnings.length ? [{ href: 'warnings', title: 'Warnings' }] : []),
    ...(gates.length ? [{ href: 'gates', title: 'CI gates' }] : []),
    ...sections.map((s) => ({ href: s.id, title: s.title, note: s.ok ? '' : s.notApplicable ? 'not applicable' : 'error' })),
    ...(header.unscorable.length ? [{ href: 'unscorable', title: 'Unscorable records' }] : []),
  ];
  return template('report.hbs')({
    page: pageAssets(opts),
    model,
    header,
    verdicts: model.verdicts.map((v) => ({ title: text(v.title), value: text(v.value), detail: text(v.detail), tone: v.tone, href: v.section ? text(v.section) : '' })),
    gates,
    gatesFailed: gates.filter((g) => g.failed).length,
    toc,
    sections,
    warnings: model.warnings.slice(0, 50).map((w) => text(w, MAX_CELL_TEXT)),
  });
}

function headerView(m: ReportModel) {
  const splits = Object.entries(m.dataset.splits).map(([s, n]) => `${s} ${n.toLocaleString('en-US')}`).join(' · ');
  const items: [string, string][] = [
    ['dataset', `${m.dataset.file} — ${m.dataset.n.toLocaleString('en-US')} records (${splits})`],
    ['classes', `${m.dataset.classes.length}: ${m.dataset.classes.slice(0, 20).join(', ')}${m.dataset.classes.length > 20 ? ', …' : ''}`],
    ['checkpoints', `${m.checkpoints.length}: ${m.checkpoints.slice(0, 30).map((c) => c.id).join(', ')}${m.checkpoints.length > 30 ? ', …' : ''}`],
    ['headline', `checkpoint ${m.final.checkpoint} on split ${m.final.split} (${m.final.n.toLocaleString('en-US')} records)`],
    ['backend', m.run.backend],
    ['seed', String(m.run.seed)],
    ['unscorable records', String(m.dataset.unscorable)],
    ['generated', `${m.run.generatedAt} by ${m.tool.name} ${m.tool.version}${m.run.wallTimeMs === null ? '' : ` in ${(m.run.wallTimeMs / 1000).toFixed(1)} s`}`],
  ];
  const metrics: [string, string][] = [
    ['accuracy', formatNumber(m.final.accuracy, 'pct1')],
    ['macro-F1', formatNumber(m.final.macroF1, 'fixed3')],
    ['NLL', formatNumber(m.final.nll, 'fixed3')],
    ['Brier', formatNumber(m.final.brier, 'fixed3')],
    ['ECE', formatNumber(m.final.ece, 'fixed3')],
  ];
  return {
    title: text(m.run.name),
    description: text(m.run.description),
    items: items.map(([k, v]) => ({ k, v: text(v) })),
    metrics: metrics.map(([label, value]) => ({ label, value })),
    unscorable: m.dataset.unscorableRecords.slice(0, MAX_UNSCORABLE_ROWS).map((u) => ({ id: text(u.id), reason: text(u.reason) })),
    unscorableMore: Math.max(0, m.dataset.unscorableRecords.length - MAX_UNSCORABLE_ROWS),
  };
}

async function sectionView(s: SectionResult, charts: ChartQueue) {
  const base = { id: text(s.id), title: text(s.title), description: text(s.description), status: s.status, ok: s.status === 'ok', notApplicable: s.status === 'notApplicable' };
  if (s.status !== 'ok') return { ...base, reason: text(s.reason) };
  const blocks = [];
  for (const b of s.blocks) blocks.push(await blockView(b, charts));
  return { ...base, headline: text(s.headline), warnings: s.warnings.map((w) => text(w)), blocks };
}

type View = Record<string, unknown>;
type BlockViews = { [K in Block['type']]: (b: Extract<Block, { type: K }>, charts: ChartQueue) => View | Promise<View> };

/** Block type → view builder; each type has a `templates/partials/block-<type>.hbs`. */
export const blockViews: BlockViews = {
  text: (b) => ({ text: text(b.text), tone: b.tone ?? 'info' }),
  metrics: (b) => ({ items: b.items.map((i) => ({ label: text(i.label), value: text(i.value), hint: i.hint ? text(i.hint) : '', tone: i.tone ?? '' })) }),
  list: (b) => ({ items: b.items.slice(0, MAX_TABLE_ROWS).map((i) => text(i)) }),
  table: (b) => ({
    caption: text(b.caption),
    note: [b.note ? text(b.note) : '', b.rows.length > MAX_TABLE_ROWS ? `${(b.rows.length - MAX_TABLE_ROWS).toLocaleString('en-US')} more rows are in summary.json and the scores file.` : ''].filter(Boolean).join(' '),
    columns: b.columns.map((c, j) => ({ label: text(c.label), hint: c.hint ? text(c.hint) : '', type: columnIsNumeric(b.rows, j) ? 'num' : 'text' })),
    rows: b.rows.slice(0, MAX_TABLE_ROWS).map((row) => row.map((cell, j) => cellView(cell, b.columns[j]?.format))),
  }),
  chart: async (b, charts) => ({ ...(await charts.draw(b)), caption: text(b.caption), alt: text(b.alt), kind: text(b.chart.kind) }),
  grid: async (b, charts) => {
    const blocks = [];
    for (const inner of b.blocks) blocks.push(await blockView(inner, charts));
    return { blocks };
  },
};

export async function blockView(b: Block, charts: ChartQueue): Promise<View> {
  const type = (b as { type?: unknown }).type;
  const build = typeof type === 'string' && Object.hasOwn(blockViews, type) ? (blockViews as Record<string, (b: Block, charts: ChartQueue) => View | Promise<View>>)[type] : undefined;
  if (!build || !engine().partials[`block-${type}`]) return { partial: 'block-unknown', json: text(JSON.stringify(b, null, 2), 20_000) };
  return { partial: `block-${type}`, ...(await build(b, charts)) };
}

/** The chart as SVG; a chart vega cannot draw becomes a note instead of failing the whole report. */
export async function drawChart(b: ChartBlock): Promise<DrawnChart> {
  try {
    return { svg: await renderSvg(chartToSpec(chartText(b.chart), chartText(b.alt))), failed: '' };
  } catch (e) {
    return { svg: '', failed: text(`This chart could not be drawn: ${(e as Error).message}`, 300) };
  }
}

/**
 * Strings in a chart reach vega's expression language (sort orders, tooltips), where a line
 * terminator is a syntax error, and SVG text, where bidi controls would reorder labels: replace both.
 */
export function chartText<T>(v: T): T {
  if (typeof v === 'string') return sanitizeText(clip(v, MAX_CHART_TEXT)).replace(/[\r\n\u2028\u2029\u0085]+/g, ' ') as T;
  if (Array.isArray(v)) return v.map(chartText) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, chartText(x)])) as T;
  return v;
}

function columnIsNumeric(rows: readonly unknown[][], j: number): boolean {
  let numbers = 0;
  for (const r of rows) {
    const c = r[j];
    if (typeof c === 'number') numbers++;
    else if (c !== null && c !== undefined) return false;
  }
  return numbers > 0;
}
