/**
 * The shell every losslens page shares: the inlined stylesheet, the optional inline script, and a
 * Content-Security-Policy that forbids every load (`default-src 'none'`) and allows exactly these
 * two inline blocks by their sha256 — so even a `<script>` smuggled past escaping could not run.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const TEMPLATES = new URL('../../templates/', import.meta.url).pathname;

export interface RenderOptions {
  /** Emit no script at all (the CSP then allows none). */
  static?: boolean;
}

export interface PageAssets {
  csp: string;
  css: string;
  /** The inline script, or '' in static mode. */
  script: string;
}

let cache: { css: string; script: string } | undefined;

export function pageAssets(opts: RenderOptions = {}): PageAssets {
  cache ??= { css: readFileSync(`${TEMPLATES}styles.css`, 'utf8'), script: readFileSync(`${TEMPLATES}report.js`, 'utf8') };
  const script = opts.static ? '' : cache.script;
  const csp = [
    "default-src 'none'",
    'img-src data:',
    `style-src '${sha256(cache.css)}'`,
    ...(script ? [`script-src '${sha256(script)}'`] : []),
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return { csp, css: cache.css, script };
}

/** CSP source expression for an inline block: base64 sha256 of its exact text. */
export function sha256(s: string): string {
  return `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;
}
