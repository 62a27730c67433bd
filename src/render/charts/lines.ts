/** Line chart of one or more series against a shared x (e.g. step), with optional reference rules. */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../../analyses/types.ts';
import { ruleLayers, seriesColor, WIDTH } from './common.ts';

/**
 * Series longer than this are drawn without a marker per point: at 1 000 checkpoints the markers
 * (an SVG path each, with its tooltip) made one per-class accuracy chart 2.8 MB of the report.
 */
export const MAX_MARKED_POINTS = 100;

export function linesSpec(c: Extract<ChartSpec, { kind: 'lines' }>, alt: string): TopLevelSpec {
  const names = c.series.map((s) => s.name);
  const marked = (c.points ?? false) && c.series.every((s) => s.points.length <= MAX_MARKED_POINTS);
  const values = c.series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.y) && (!c.logY || p.y > 0)).map((p) => ({ ...p, series: s.name })));
  return {
    description: alt,
    width: WIDTH,
    height: 200,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: marked, strokeWidth: 1.6 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: c.xLabel },
          y: { field: 'y', type: 'quantitative', title: c.yLabel, scale: c.logY ? { type: 'log' } : { zero: false } },
          color: seriesColor(names),
          tooltip: [{ field: 'series' }, { field: 'x', title: c.xLabel }, { field: 'y', title: c.yLabel, format: '.4g' }],
        },
      },
      ...ruleLayers(c.rules ?? []),
    ],
  } as TopLevelSpec;
}
