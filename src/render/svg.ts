/**
 * The one module that imports vega: compiles a vega-lite spec and renders it to an SVG string in
 * Node (no canvas, no browser). Namespace attributes are dropped: inline SVG in HTML needs none,
 * and the report then contains no URL at all.
 */
import { createHash } from 'node:crypto';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const BASE_CONFIG = {
  font: FONT,
  background: null,
  view: { stroke: null },
  axis: { labelColor: '#444', titleColor: '#222', gridColor: '#e4e4e4', domainColor: '#888', tickColor: '#888', labelFontSize: 11, titleFontSize: 12 },
  legend: { labelColor: '#444', titleColor: '#222', labelFontSize: 11, titleFontSize: 12, orient: 'bottom' },
  title: { color: '#222', fontSize: 13 },
};

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile({ ...spec, config: { ...BASE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return localIds(svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, ''));
  } finally {
    view.finalize();
  }
}

/**
 * vega numbers gradient and clip-path ids with a process-wide counter, so the same chart gets
 * different ids depending on what was drawn before it (breaking byte-identical reports), and two
 * charts in one page could share an id. Renumber them in order of appearance, then prefix them
 * with a hash of the chart: stable, and unique unless two charts are identical.
 */
function localIds(svg: string): string {
  const ids = [...new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]))];
  if (ids.length === 0) return svg;
  const rename = (fn: (id: string, i: number) => string) => {
    let out = svg;
    ids.forEach((id, i) => {
      const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      out = out.replace(new RegExp(`(\\sid="|url\\(#|href="#)${esc}(?=[")])`, 'g'), `$1${fn(id, i)}`);
    });
    return out;
  };
  svg = rename((_id, i) => `__id${i}`);
  const prefix = createHash('sha1').update(svg).digest('hex').slice(0, 8);
  return svg.replace(/(\sid="|url\(#|href="#)__id(\d+)(?=[")])/g, `$1c${prefix}-$2`);
}
