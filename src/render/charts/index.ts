/**
 * Chart kind → vega-lite spec builder. The Record type makes the compiler prove that every kind an
 * analysis can emit has a builder.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from '../../analyses/types.ts';
import { barsSpec } from './bars.ts';
import { densitySpec } from './density.ts';
import { heatmapSpec } from './heatmap.ts';
import { histogramSpec } from './histogram.ts';
import { linesSpec } from './lines.ts';
import { reliabilitySpec } from './reliability.ts';

type Builders = { [K in ChartSpec['kind']]: (c: Extract<ChartSpec, { kind: K }>, alt: string) => TopLevelSpec };

export const chartBuilders: Builders = {
  histogram: histogramSpec,
  bars: barsSpec,
  heatmap: heatmapSpec,
  lines: linesSpec,
  reliability: reliabilitySpec,
  density: densitySpec,
};

export function chartToSpec(c: ChartSpec, alt: string): TopLevelSpec {
  return (chartBuilders[c.kind] as (c: ChartSpec, alt: string) => TopLevelSpec)(c, alt);
}
