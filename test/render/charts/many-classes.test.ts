/** Charts with many classes stay legible: vertical column labels on wide heatmaps, twenty colours past ten lines. */
import { describe, expect, it } from 'vitest';
import { heatmapSpec } from '../../../src/render/charts/heatmap.ts';
import { histogramSpec } from '../../../src/render/charts/histogram.ts';
import { linesSpec, MAX_MARKED_POINTS } from '../../../src/render/charts/lines.ts';
import { legendColumns } from '../../../src/render/charts/common.ts';
import { renderSvg } from '../../../src/render/svg.ts';

const names = (n: number) => Array.from({ length: n }, (_, i) => `class-${i}`);
const heat = (n: number) => heatmapSpec({ kind: 'heatmap', x: names(n), y: names(n), values: names(n).map((_, t) => names(n).map((_, p) => (t === p ? 1 : 0))), xLabel: 'predicted', yLabel: 'given' }, 'h');
const lines = (n: number) => linesSpec({ kind: 'lines', series: names(n).map((name, i) => ({ name, points: [{ x: 0, y: i }, { x: 1, y: i + 1 }] })), xLabel: 'step', yLabel: 'accuracy' }, 'l');

describe('charts with many classes', () => {
  it('heatmap column labels: upright up to 12 columns, vertical beyond', async () => {
    const angle = (n: number) => ((heat(n) as { encoding: { x: { axis: { labelAngle: number } } } }).encoding.x.axis.labelAngle);
    expect([angle(10), angle(12), angle(13), angle(30)]).toEqual([0, 0, -90, -90]);
    expect(await renderSvg(heat(30))).toMatch(/rotate\(-90/);
  });

  it('lines: the default ten colours up to ten series, twenty beyond (no two of twelve classes share one)', async () => {
    const scheme = (n: number) => (lines(n) as { layer: { encoding: { color: { scale?: { scheme: string } } } }[] }).layer[0].encoding.color.scale?.scheme;
    expect([scheme(10), scheme(11)]).toEqual([undefined, 'tableau20']);
    const svg = await renderSvg(lines(12));
    const colours = new Set([...svg.matchAll(/<path[^>]*aria-roledescription="line mark"[^>]*>/g)].map((m) => /stroke="([^"]+)"/.exec(m[0])?.[1]));
    expect(colours.size).toBe(12);
  });

  it('lines: a marker per point up to MAX_MARKED_POINTS points a series, the line alone beyond (1 000 checkpoints)', async () => {
    const series = (points: number) => linesSpec({ kind: 'lines', series: names(3).map((name, i) => ({ name, points: Array.from({ length: points }, (_, x) => ({ x, y: i + x / points })) })), xLabel: 'step', yLabel: 'accuracy', points: true }, 'l');
    const markers = async (points: number) => [...(await renderSvg(series(points))).matchAll(/aria-roledescription="point"/g)].length;
    expect(await markers(MAX_MARKED_POINTS)).toBe(3 * MAX_MARKED_POINTS);
    expect(await markers(MAX_MARKED_POINTS + 1)).toBe(0);
    expect((await renderSvg(series(1000))).length).toBeLessThan(100_000);
  });

  it('a legend of 30 series wraps in rows instead of widening the chart, and their colours come from the twenty-colour scheme', async () => {
    const bins = names(30).flatMap((series, i) => [{ lo: i, hi: i + 1, count: 5, series }]);
    const spec = histogramSpec({ kind: 'histogram', bins, xLabel: 'loss', yLabel: 'records' }, 'h');
    const svg = await renderSvg(spec);
    const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)![1]);
    expect(width).toBeLessThan(700); // one row of 30 entries was ~2 900 px; the plot is 560
    const fills = new Set([...svg.matchAll(/aria-roledescription="rect mark"[^>]*fill="([^"]+)"/g)].map((m) => m[1]));
    expect(fills.size).toBe(20);
  });

  it('a legend of ten long class names wraps to the chart width; short names stay in one row', async () => {
    const width = async (labels: string[]) => {
      const spec = linesSpec({ kind: 'lines', series: labels.map((name, i) => ({ name, points: [{ x: 0, y: i }, { x: 1, y: i + 1 }] })), xLabel: 'step', yLabel: 'accuracy' }, 'l');
      return Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(await renderSvg(spec))![1]);
    };
    const long = names(10).map((n) => `${n} ${'very long class name '.repeat(10)}`);
    expect(await width(long)).toBeLessThan(700); // one row of ten 160 px labels was ~1 900 px
    expect(legendColumns(long)).toBe(3);
    expect(legendColumns(names(10).map((_, i) => String(i)))).toBe(10);
    expect(legendColumns(names(10))).toBe(7); // "class-0" … : ~70 px an entry
    expect(legendColumns(names(30))).toBe(5);
  });
});
