/**
 * Renders the report model to one self-contained HTML file: handlebars templates from templates/,
 * charts as inline SVG, styles inlined and allowed by hash in a Content-Security-Policy that
 * forbids every external load. Sections and blocks are rendered by kind, with a raw-JSON fallback.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Block, SectionResult } from '../analyses/types.ts';
import type { ReportModel } from '../report/model.ts';
import { cellView, formatNumber, text } from './cells.ts';
import { chartToSpec } from './charts/index.ts';
import { renderSvg } from './svg.ts';

const TEMPLATES = new URL('../../templates/', import.meta.url).pathname;

export interface RenderOptions {
  /** Emit no script at all. */
  static?: boolean;
}

let hbs: typeof Handlebars | undefined;
function engine(): typeof Handlebars {
  if (hbs) return hbs;
  hbs = Handlebars.create();
  for (const f of readdirSync(join(TEMPLATES, 'partials')).sort()) {
    if (f.endsWith('.hbs')) hbs.registerPartial(f.slice(0, -4), readFileSync(join(TEMPLATES, 'partials', f), 'utf8'));
  }
  return hbs;
}

export function blockPartials(): string[] {
  return Object.keys(engine().partials).filter((p) => p.startsWith('block-'));
}

export async function renderHtml(model: ReportModel, _opts: RenderOptions = {}): Promise<string> {
  const h = engine();
  const css = readFileSync(join(TEMPLATES, 'styles.css'), 'utf8');
  const sections = [];
  for (const s of model.sections) sections.push(await sectionView(s));
  const view = {
    model,
    css,
    csp: `default-src 'none'; img-src data:; style-src '${sha256(css)}'; base-uri 'none'; form-action 'none'`,
    header: headerView(model),
    sections,
    warnings: model.warnings.map(text),
  };
  const template = h.compile(readFileSync(join(TEMPLATES, 'report.hbs'), 'utf8'), { strict: false });
  return template(view);
}

function sha256(s: string): string {
  return `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;
}

function headerView(m: ReportModel) {
  const splits = Object.entries(m.dataset.splits).map(([s, n]) => `${s} ${n.toLocaleString('en-US')}`).join(' · ');
  const items: [string, string][] = [
    ['dataset', `${m.dataset.file} — ${m.dataset.n.toLocaleString('en-US')} records (${splits})`],
    ['classes', `${m.dataset.classes.length}: ${m.dataset.classes.slice(0, 20).join(', ')}${m.dataset.classes.length > 20 ? ', …' : ''}`],
    ['checkpoints', `${m.checkpoints.length}: ${m.checkpoints.map((c) => c.id).join(', ')}`],
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
    metrics,
    unscorable: m.dataset.unscorableRecords.slice(0, 200).map((u) => ({ id: text(u.id), reason: text(u.reason) })),
    unscorableMore: Math.max(0, m.dataset.unscorableRecords.length - 200),
  };
}

async function sectionView(s: SectionResult) {
  const base = { id: s.id, title: text(s.title), description: text(s.description), status: s.status, ok: s.status === 'ok', notApplicable: s.status === 'notApplicable' };
  if (s.status !== 'ok') return { ...base, reason: text(s.reason) };
  const blocks = [];
  for (const b of s.blocks) blocks.push(await blockView(b));
  return { ...base, headline: text(s.headline), warnings: s.warnings.map(text), blocks };
}

const KNOWN_BLOCKS = new Set(['text', 'metrics', 'table', 'chart', 'grid', 'list']);

async function blockView(b: Block): Promise<Record<string, unknown>> {
  if (!KNOWN_BLOCKS.has((b as { type: string }).type) || !engine().partials[`block-${b.type}`]) {
    return { partial: 'block-unknown', json: text(JSON.stringify(b, null, 2)) };
  }
  const partial = `block-${b.type}`;
  switch (b.type) {
    case 'text':
      return { partial, text: text(b.text), tone: b.tone ?? 'info' };
    case 'metrics':
      return { partial, items: b.items.map((i) => ({ label: text(i.label), value: text(i.value), hint: i.hint ? text(i.hint) : '', tone: i.tone ?? '' })) };
    case 'list':
      return { partial, items: b.items.map(text) };
    case 'table':
      return {
        partial,
        caption: text(b.caption),
        note: b.note ? text(b.note) : '',
        columns: b.columns.map((c) => ({ label: text(c.label), hint: c.hint ? text(c.hint) : '' })),
        rows: b.rows.map((row) => row.map((cell, j) => cellView(cell, b.columns[j]?.format))),
      };
    case 'chart':
      return { partial, svg: await renderSvg(chartToSpec(b.chart, b.alt)), caption: text(b.caption), alt: text(b.alt), kind: b.chart.kind };
    case 'grid': {
      const blocks = [];
      for (const inner of b.blocks) blocks.push(await blockView(inner));
      return { partial, blocks };
    }
  }
}
