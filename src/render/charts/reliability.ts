/** Reliability diagram: accuracy per confidence bin against the diagonal of perfect calibration. */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../../analyses/types.ts';

export function reliabilitySpec(c: Extract<ChartSpec, { kind: 'reliability' }>, alt: string): TopLevelSpec {
  const bins = c.bins.filter((b) => b.count > 0);
  return {
    description: alt,
    width: 300,
    height: 300,
    ...(c.title ? { title: c.title } : {}),
    layer: [
      {
        data: { values: bins },
        mark: { type: 'rect', color: '#4c78a8', opacity: 0.8, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'lo', type: 'quantitative', title: 'confidence', scale: { domain: [0, 1] } },
          x2: { field: 'hi' },
          y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { domain: [0, 1] } },
          tooltip: [
            { field: 'lo', title: 'from', format: '.3f' },
            { field: 'hi', title: 'to', format: '.3f' },
            { field: 'count', title: 'records' },
            { field: 'accuracy', format: '.3f' },
            { field: 'confidence', title: 'mean confidence', format: '.3f' },
          ],
        },
      },
      {
        data: { values: bins },
        mark: { type: 'tick', color: '#e45756', thickness: 2 },
        encoding: { x: { field: 'confidence', type: 'quantitative' }, y: { field: 'confidence', type: 'quantitative' } },
      },
      {
        data: { values: [{ a: 0, b: 0 }, { a: 1, b: 1 }] },
        mark: { type: 'line', color: '#888', strokeDash: [4, 3] },
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}
