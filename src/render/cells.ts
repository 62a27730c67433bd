/** Turns table cells into escaped HTML plus a sort key; the only place cell values become markup. */
import type { Cell, CellFormat, RecordPreview } from '../analyses/types.ts';
import { escapeHtml, sanitizeText } from './escape.ts';

const TONES = new Set(['good', 'warn', 'bad', 'muted']);

export interface CellView {
  html: string;
  /** Numeric sort key; '' for text cells, which the script sorts by their visible text. */
  sort: string;
  numeric: boolean;
}

/** Longest data-derived string shown; the rest is cut with "…" so the report's size stays bounded. */
export const MAX_TEXT = 2000;
export const MAX_CELL_TEXT = 500;

/** Escape (and clip) a data-derived string for HTML text or a quoted attribute. */
export const text = (s: string, max = MAX_TEXT): string => escapeHtml(sanitizeText(clip(String(s), max)));

export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  // Do not cut a surrogate pair in half.
  const end = /[\uD800-\uDBFF]/.test(s[max - 1]) ? max - 1 : max;
  return `${s.slice(0, end)}…`;
}

export function formatNumber(v: number, format: CellFormat = 'fixed3'): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '–' : v > 0 ? '∞' : '−∞';
  switch (format) {
    case 'int': return Math.round(v).toLocaleString('en-US');
    case 'fixed2': return v.toFixed(2);
    case 'fixed3': return v.toFixed(3);
    case 'fixed4': return v.toFixed(4);
    case 'pct': return `${(100 * v).toFixed(0)} %`;
    case 'pct1': return `${(100 * v).toFixed(1)} %`;
    case 'sci': return v === 0 ? '0' : v.toExponential(2);
    case 'text': return String(v);
  }
}

export function cellView(cell: Cell, format: CellFormat | undefined): CellView {
  if (cell === null) return { html: '<span class="muted">–</span>', sort: '', numeric: false };
  if (typeof cell === 'number') return { html: formatNumber(cell, format), sort: Number.isFinite(cell) ? String(cell) : '', numeric: true };
  if (typeof cell === 'string') return { html: text(cell, MAX_CELL_TEXT), sort: '', numeric: false };
  if ('preview' in cell) return { html: previewHtml(cell.preview), sort: '', numeric: false };
  return { html: `<span class="tone-${TONES.has(cell.tone) ? cell.tone : 'muted'}">${text(cell.text, MAX_CELL_TEXT)}</span>`, sort: '', numeric: false };
}

export function previewHtml(p: RecordPreview): string {
  switch (p.kind) {
    case 'image':
      // `src` is a data: URI we encoded ourselves; only base64 characters can be in it.
      if (!/^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(p.src)) return '<span class="muted">(invalid image)</span>';
      return `<img class="preview" src="${p.src}" width="${p.width * 2}" height="${p.height * 2}" alt="${text(p.alt)}">`;
    case 'text':
      return `<span class="preview-text">${text(p.text)}${p.truncated ? '<span class="muted">…</span>' : ''}</span>`;
    case 'fields':
      return `<span class="preview-fields">${p.fields.map(([k, v]) => `<span><b>${text(k)}</b> ${text(v)}</span>`).join(' ')}</span>`;
  }
}
