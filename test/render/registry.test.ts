/**
 * Every block type has a partial and a view builder, every chart kind has a spec builder that
 * renders to SVG — a new kind fails here until it is complete.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChartSpec } from '../../src/analyses/types.ts';
import { chartBuilders, chartToSpec } from '../../src/render/charts/index.ts';
import { blockPartials, blockViews, TEMPLATES } from '../../src/render/html.ts';
import { renderSvg } from '../../src/render/svg.ts';

/** One small chart per kind (Partial: a kind added elsewhere must add its sample here). */
const SAMPLES: Partial<{ [K in ChartSpec['kind']]: Extract<ChartSpec, { kind: K }> }> = {
  histogram: { kind: 'histogram', bins: [{ lo: 0, hi: 1, count: 2 }, { lo: 1, hi: 2, count: 1 }], xLabel: 'x', yLabel: 'y' },
  bars: { kind: 'bars', items: [{ label: 'a', value: 1 }, { label: 'b', value: 2, lo: 1.5, hi: 2.5 }], xLabel: 'x', yLabel: 'y' },
  heatmap: { kind: 'heatmap', x: ['a', 'b'], y: ['a', 'b'], values: [[1, 0], [0.5, 0.5]], xLabel: 'x', yLabel: 'y' },
  lines: { kind: 'lines', series: [{ name: 's', points: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }] }], xLabel: 'x', yLabel: 'y' },
  density: { kind: 'density', cells: [{ x0: 0, x1: 0.5, y0: 0, y1: 0.5, count: 3, value: 0.2 }, { x0: 0.5, x1: 1, y0: 0.5, y1: 1, count: 1, value: 0.9 }], xDomain: [0, 1], yDomain: [0, 1], xLabel: 'x', yLabel: 'y', valueLabel: 'v' },
  reliability: { kind: 'reliability', bins: [{ lo: 0, hi: 0.5, count: 3, accuracy: 0.3, confidence: 0.4 }, { lo: 0.5, hi: 1, count: 5, accuracy: 0.8, confidence: 0.9 }] },
};

describe('renderer registry', () => {
  it('has a block-<type>.hbs partial for every block type, and no orphan partial', () => {
    const types = Object.keys(blockViews);
    expect(types.length).toBeGreaterThanOrEqual(6);
    for (const t of types) expect(existsSync(`${TEMPLATES}partials/block-${t}.hbs`), `templates/partials/block-${t}.hbs`).toBe(true);
    const files = readdirSync(`${TEMPLATES}partials`).filter((f) => f.startsWith('block-')).map((f) => f.slice(6, -4));
    expect(files.filter((f) => f !== 'unknown').sort()).toEqual([...types].sort());
    expect(blockPartials()).toContain('block-unknown');
  });

  it('has a spec builder for every chart kind, each rendering to SVG', async () => {
    const kinds = Object.keys(chartBuilders);
    for (const kind of kinds) {
      expect(typeof chartBuilders[kind as ChartSpec['kind']]).toBe('function');
      const sample = SAMPLES[kind as ChartSpec['kind']];
      expect(sample, `add a sample for chart kind "${kind}" to this test`).toBeDefined();
      const svg = await renderSvg(chartToSpec(sample as ChartSpec, `a ${kind} chart`));
      expect(svg).toMatch(/^<svg[^>]*class="marks"/);
      expect(svg).not.toMatch(/\sstyle="/);
    }
  });
});
