/**
 * The one module that imports vega: compiles a vega-lite spec and renders it to an SVG string in
 * Node (no canvas, no browser). Namespace attributes are dropped: inline SVG in HTML needs none,
 * and the report then contains no URL at all.
 */
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
    return svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
  } finally {
    view.finalize();
  }
}
