/** Matrix heatmap (e.g. a confusion matrix) with optional per-cell text. */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../../analyses/types.ts';

export function heatmapSpec(c: Extract<ChartSpec, { kind: 'heatmap' }>, alt: string): TopLevelSpec {
  const values = c.y.flatMap((yv, r) => c.x.map((xv, col) => ({ x: xv, y: yv, v: c.values[r][col], label: c.labels?.[r][col] ?? '' })));
  const size = Math.max(18, Math.min(40, Math.floor(440 / Math.max(c.x.length, c.y.length))));
  return {
    description: alt,
    width: size * c.x.length,
    height: size * c.y.length,
    data: { values },
    encoding: {
      // Upright labels while each has room; many narrow columns (down to 18 px) get vertical ones.
      x: { field: 'x', type: 'ordinal', title: c.xLabel, sort: c.x, axis: { orient: 'top', labelAngle: c.x.length > 12 ? -90 : 0 } },
      y: { field: 'y', type: 'ordinal', title: c.yLabel, sort: c.y },
    },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          color: { field: 'v', type: 'quantitative', title: null, scale: { scheme: 'blues', domain: [0, 1] }, legend: null },
          tooltip: [{ field: 'y', title: c.yLabel }, { field: 'x', title: c.xLabel }, { field: 'label', title: 'value' }, { field: 'v', title: 'share', format: '.3f' }],
        },
      },
      {
        mark: { type: 'text', fontSize: size < 24 ? 8 : 10 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: 'datum.v > 0.5', value: 'white' }, value: '#222' },
        },
      },
    ],
  } as TopLevelSpec;
}
