/** Shared pieces of chart specs: size, colour by series and labelled reference rules. */
export const WIDTH = 560;

/** Legends of more entries than this wrap into rows of LEGEND_COLUMNS (charts never draw more curves than 12). */
const ONE_ROW_LEGEND = 12;
const LEGEND_COLUMNS = 5;
/** Vega's legend label limit (px), a rough width of one 11 px character, and a symbol with its padding. */
const LABEL_LIMIT = 160;
const CHAR_PX = 6.5;
const ENTRY_PX = 25;

/**
 * Colour by the `series` field, in `names` order: the default ten colours, twenty beyond ten
 * series; a legend wraps past ONE_ROW_LEGEND entries, or sooner when its row would be wider than
 * the chart (30 splits in one row made a chart 2 900 px wide, ten 200-character class names one of
 * 1 900 px, drawn at a third of its size); one series needs no legend.
 */
export function seriesColor(names: readonly string[]): object {
  const columns = legendColumns(names);
  return {
    field: 'series',
    type: 'nominal',
    title: null,
    sort: names,
    ...(names.length > 10 ? { scale: { scheme: 'tableau20' } } : {}),
    ...(names.length === 1 ? { legend: null } : columns < names.length ? { legend: { columns } } : {}),
  };
}

/** Entries per legend row: all of them when they fit the chart's width (by an estimate of their labels). */
export function legendColumns(names: readonly string[]): number {
  const entry = ENTRY_PX + Math.min(LABEL_LIMIT, CHAR_PX * Math.max(0, ...names.map((n) => [...n].length)));
  const fit = Math.max(1, Math.floor(WIDTH / entry));
  return names.length > ONE_ROW_LEGEND ? Math.min(LEGEND_COLUMNS, fit) : Math.min(names.length, fit);
}

export function ruleLayers(rules: { value: number; label: string; axis: 'x' | 'y' }[]): object[] {
  return rules.map((r) => {
    const enc = r.axis === 'x' ? { x: { datum: r.value, type: 'quantitative' } } : { y: { datum: r.value, type: 'quantitative' } };
    return {
      // A one-row data source: without data of its own a datum-only layer draws nothing.
      data: { values: [{}] },
      layer: [
        { mark: { type: 'rule', color: '#b33', strokeDash: [4, 3] }, encoding: enc },
        {
          mark: { type: 'text', color: '#b33', align: 'left', baseline: 'top', dx: 4, dy: 4, fontSize: 11, text: r.label },
          encoding: r.axis === 'x' ? { ...enc, y: { value: 0 } } : { ...enc, x: { value: 0 } },
        },
      ],
    };
  });
}
