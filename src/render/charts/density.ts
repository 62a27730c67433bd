/**
 * Binned 2-D scatter (e.g. the dataset-cartography data map): one rect per non-empty bin, filled by
 * the bin's mean `value` and faded by its record count, so the chart is the same size at 1 000 or
 * 1 000 000 points.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../../analyses/types.ts';
import { ruleLayers } from './common.ts';

export function densitySpec(c: Extract<ChartSpec, { kind: 'density' }>, alt: string): TopLevelSpec {
  return {
    description: alt,
    width: 320,
    height: 320,
    layer: [
      {
        // One short accessible label per bin (the report's tooltips show it) keeps the SVG small.
        data: { values: c.cells.filter((b) => b.count > 0).map((b) => ({ ...b, d: `${range(b.x0, b.x1)} × ${range(b.y0, b.y1)}: ${b.count} records, ${c.valueLabel} ${b.value.toFixed(2)}` })) },
        mark: { type: 'rect', stroke: null },
        encoding: {
          x: { field: 'x0', type: 'quantitative', title: c.xLabel, scale: { domain: c.xDomain, nice: false } },
          x2: { field: 'x1' },
          y: { field: 'y0', type: 'quantitative', title: c.yLabel, scale: { domain: c.yDomain, nice: false } },
          y2: { field: 'y1' },
          color: { field: 'value', type: 'quantitative', title: c.valueLabel, scale: { scheme: 'redyellowblue', domain: [0, 1] } },
          // Log scale: a bin of 3 records stays visible next to one of 30 000.
          opacity: { field: 'count', type: 'quantitative', title: 'records', scale: { type: 'log', range: [0.3, 1] } },
          description: { field: 'd' },
        },
      },
      ...ruleLayers(c.rules ?? []),
    ],
  } as TopLevelSpec;
}

const range = (lo: number, hi: number) => `${+lo.toFixed(3)}–${+hi.toFixed(3)}`;
