/** Histogram with precomputed bins (possibly of unequal width, e.g. on a log axis), one series per colour. */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../../analyses/types.ts';
import { ruleLayers, seriesColor, WIDTH } from './common.ts';

export function histogramSpec(c: Extract<ChartSpec, { kind: 'histogram' }>, alt: string): TopLevelSpec {
  const series = [...new Set(c.bins.map((b) => b.series ?? ''))];
  const multi = series.length > 1;
  return {
    description: alt,
    width: WIDTH,
    height: 220,
    layer: [
      {
        data: { values: c.bins.filter((b) => b.count > 0) },
        mark: { type: 'rect', opacity: multi ? 0.55 : 0.85, stroke: 'white', strokeWidth: 0.3 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', title: c.xLabel, scale: c.logX ? { type: 'log' } : {}, axis: { format: c.logX ? '~g' : '~s' } },
          x2: { field: 'hi' },
          y: { field: 'count', type: 'quantitative', title: c.yLabel, stack: null },
          ...(multi ? { color: seriesColor(series) } : {}),
          tooltip: [
            { field: 'series', title: 'series' },
            { field: 'lo', title: 'from', format: '.3g' },
            { field: 'hi', title: 'to', format: '.3g' },
            { field: 'count', title: c.yLabel, format: '.3g' },
          ],
        },
      },
      ...ruleLayers((c.rules ?? []).map((r) => ({ ...r, axis: 'x' as const }))),
    ],
  } as TopLevelSpec;
}
