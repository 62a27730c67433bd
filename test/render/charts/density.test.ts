/** The density chart compiles to an SVG with one labelled rect per non-empty bin. */
import { describe, expect, it } from 'vitest';
import { densitySpec } from '../../../src/render/charts/density.ts';
import { renderSvg } from '../../../src/render/svg.ts';

describe('density chart', () => {
  it('renders non-empty bins only, each with a short accessible label', async () => {
    const cells = [
      { x0: 0, x1: 0.025, y0: 0.95, y1: 1, count: 900, value: 1 },
      { x0: 0.2, x1: 0.225, y0: 0.5, y1: 0.55, count: 3, value: 0.4 },
      { x0: 0.3, x1: 0.325, y0: 0.1, y1: 0.15, count: 0, value: 0 },
    ];
    const svg = await renderSvg(
      densitySpec({ kind: 'density', cells, xDomain: [0, 0.5], yDomain: [0, 1], xLabel: 'variability', yLabel: 'confidence', valueLabel: 'fraction correct', rules: [{ value: 0.2, label: 'ambiguous →', axis: 'x' }] }, 'a data map'),
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/aria-roledescription="rect mark"/g)).toHaveLength(2);
    expect(svg).toContain('aria-label="0–0.025 × 0.95–1: 900 records, fraction correct 1.00"');
    expect(svg).toContain('ambiguous →');
  });
});
