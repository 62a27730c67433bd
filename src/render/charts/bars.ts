/** Bar chart of labelled values, optionally grouped by series, with optional interval whiskers. */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../../analyses/types.ts';
import { seriesColor, WIDTH } from './common.ts';

export function barsSpec(c: Extract<ChartSpec, { kind: 'bars' }>, alt: string): TopLevelSpec {
  const labels = [...new Set(c.items.map((i) => i.label))];
  const series = [...new Set(c.items.map((i) => i.series ?? ''))];
  const multi = series.length > 1;
  const cat = { field: 'label', type: 'nominal', title: c.xLabel, sort: labels } as const;
  const val = { field: 'value', type: 'quantitative', title: c.yLabel, ...(c.domain ? { scale: { domain: c.domain } } : {}) } as const;
  const catChannel = c.horizontal ? 'y' : 'x';
  const valChannel = c.horizontal ? 'x' : 'y';
  const offset = multi ? { [c.horizontal ? 'yOffset' : 'xOffset']: { field: 'series', sort: series } } : {};
  const hasInterval = c.items.some((i) => i.lo !== undefined);
  return {
    description: alt,
    width: c.horizontal ? WIDTH - 140 : Math.min(WIDTH, Math.max(160, labels.length * series.length * 22)),
    height: c.horizontal ? Math.max(80, labels.length * series.length * 18) : 220,
    data: { values: c.items.map((i) => ({ ...i, series: i.series ?? '' })) },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          [catChannel]: cat,
          [valChannel]: val,
          ...offset,
          ...(multi ? { color: seriesColor(series) } : {}),
          tooltip: [{ field: 'label' }, { field: 'series' }, { field: 'value', format: '.4g' }],
        },
      },
      ...(hasInterval
        ? [{ mark: { type: 'rule', color: '#222' }, encoding: { [catChannel]: cat, [valChannel]: { field: 'lo', type: 'quantitative' }, [`${valChannel}2`]: { field: 'hi' }, ...offset } }]
        : []),
    ],
  } as TopLevelSpec;
}
