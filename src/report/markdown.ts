/**
 * `--md`: a GitHub-flavoured Markdown summary for a pull-request comment — verdicts, headline
 * metrics, gates, the top outliers as a short table, section findings and warnings. Data-derived
 * strings are escaped for Markdown (and for the HTML GitHub allows in it), and the whole comment
 * stays under GitHub's 65 536-character limit whatever the data.
 */
import { sanitizeText } from '../render/escape.ts';
import { gateValueText } from './gates.ts';
import type { ReportModel } from './model.ts';

/** GitHub rejects comments over 65 536 characters; leave room for a bot's own header. */
export const MD_LIMIT = 65_000;
const TOP_OUTLIERS = 10;
const MAX_WARNINGS = 20;
const ICON: Record<string, string> = { good: '🟢', warn: '🟡', bad: '🔴', muted: '⚪' };

/**
 * Escape a data-derived string for a Markdown paragraph or table cell (one line, clipped). Names
 * (ids, classes) are clipped in the middle: taxonomy paths and ids that share a long prefix differ
 * at the end.
 */
export function mdText(s: unknown, max = 200, clip: 'end' | 'middle' = 'end'): string {
  let t = sanitizeText(String(s ?? '')).replace(/[\r\n\t\u2028\u2029]+/g, ' ');
  if (t.length > max) t = clip === 'end' ? `${t.slice(0, max - 1)}…` : `${t.slice(0, Math.ceil((max - 1) / 2))}…${t.slice(t.length - Math.floor((max - 1) / 2))}`;
  return t
    // GitHub turns @name into a notification, #123 into an issue link, a@b.c into a mail link and
    // www.x into a link, on the rendered text: a zero-width space after the sign leaves it as written.
    .replace(/([@#])(?=[\p{L}\p{N}_-])|(www)(?=\.)/giu, '$1$2\u200b')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~$])/g, '\\$1') // `$` too: GitHub renders $…$ as math
    .replace(/:\/\//g, ':&#47;&#47;'); // no autolinks from data
}

export function mdTable(header: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const sep = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export const fmt = (v: unknown, digits = 3): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');
export const pctFmt = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '–');

/** Cut at a line boundary below the limit, saying so. */
export function fitLimit(md: string, limit = MD_LIMIT): string {
  if (md.length <= limit) return md;
  const note = '\n\n_… truncated to fit a pull-request comment; see the HTML report for everything._\n';
  const cut = md.lastIndexOf('\n', limit - note.length);
  return md.slice(0, cut > 0 ? cut : limit - note.length) + note;
}

export function auditMarkdown(model: ReportModel, opts: { reportLink?: string } = {}): string {
  const f = model.final;
  const out: string[] = [];
  out.push(`## losslens audit: ${mdText(model.run.name, 100)}`);
  out.push('');
  out.push(
    `Checkpoint \`${mdCode(f.checkpoint)}\` on split \`${mdCode(f.split)}\` (${f.n.toLocaleString('en-US')} records) · ${model.dataset.n.toLocaleString('en-US')} records, ${model.dataset.classes.length} classes, ${model.checkpoints.length} checkpoint(s) · seed ${model.run.seed}` +
      (opts.reportLink ? ` · [full report](${mdUrl(opts.reportLink)})` : ''),
  );
  out.push('');
  if (model.gates.length) {
    const failed = model.gates.filter((g) => g.failed);
    out.push(failed.length ? `### ❌ ${failed.length} of ${model.gates.length} gate(s) failed` : `### ✅ All ${model.gates.length} gate(s) passed`);
    out.push('');
    out.push(mdTable(['gate', 'value', 'result'], model.gates.map((g) => [`\`${mdCode(g.expr)}\``, mdText(gateValueText(g)), g.failed ? '❌ failed' : '✅ passed']), ['l', 'r', 'l']));
    out.push('');
  }
  out.push('### Verdicts');
  out.push('');
  out.push(mdTable(['', 'check', 'value', 'finding'], model.verdicts.map((v) => [ICON[v.tone] ?? '', mdText(v.title), mdText(v.value), mdText(v.detail, 300)])));
  out.push('');
  out.push('### Headline metrics');
  out.push('');
  out.push(mdTable(['accuracy', 'macro-F1', 'NLL', 'Brier', 'ECE', 'MCE'], [[pctFmt(f.accuracy), fmt(f.macroF1), fmt(f.nll), fmt(f.brier), fmt(f.ece), fmt(f.mce)]], ['r', 'r', 'r', 'r', 'r', 'r']));
  out.push('');
  const outliers = Array.isArray(model.extra.outliers) ? (model.extra.outliers as Record<string, unknown>[]) : [];
  if (outliers.length) {
    out.push(`### Top ${Math.min(TOP_OUTLIERS, outliers.length)} records by loss`);
    out.push('');
    out.push(
      mdTable(
        ['#', 'id', 'split', 'label', 'predicted', 'confidence', 'loss'],
        outliers.slice(0, TOP_OUTLIERS).map((o, i) => [String(i + 1), mdText(o?.id, 80, 'middle'), mdText(o?.split, 40, 'middle'), mdText(o?.label, 40, 'middle'), mdText(o?.predicted, 40, 'middle'), fmt(o?.confidence), fmt(o?.loss, 2)]),
        ['r', 'l', 'l', 'l', 'l', 'r', 'r'],
      ),
    );
    out.push('');
  }
  out.push('### Findings');
  out.push('');
  for (const s of model.sections) {
    const line = s.status === 'ok' ? s.headline : `${s.status === 'notApplicable' ? 'not applicable' : 'error'}: ${s.reason}`;
    out.push(`- **${mdText(s.title, 80)}** — ${mdText(line, 400)}`);
  }
  out.push('');
  if (model.warnings.length) {
    out.push(`### Warnings (${model.warnings.length})`);
    out.push('');
    for (const w of model.warnings.slice(0, MAX_WARNINGS)) out.push(`- ⚠️ ${mdText(w, 400)}`);
    if (model.warnings.length > MAX_WARNINGS) out.push(`- … and ${model.warnings.length - MAX_WARNINGS} more in the report`);
    out.push('');
  }
  out.push(`<sub>${mdText(`${model.tool.name} ${model.tool.version}`)} · generated ${mdText(model.run.generatedAt)}</sub>`);
  return fitLimit(`${out.join('\n')}\n`);
}

/** Text inside `code`: backticks cannot close it, and it stays one short line. */
export function mdCode(s: unknown, max = 80): string {
  const t = sanitizeText(String(s ?? '')).replace(/[\r\n\t\u2028\u2029]+/g, ' ').replace(/`/g, 'ˋ').replace(/\|/g, '¦');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** A link target the user gave (a relative path or http(s) URL); anything else is dropped. */
function mdUrl(s: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(s);
  return /^[^\s()<>]+$/.test(s) && (!scheme || /^https?$/i.test(scheme[1])) ? s : '#';
}
