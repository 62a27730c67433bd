import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../src/render/svg.ts';
import type { TopLevelSpec } from 'vega-lite';

/** A chart with a gradient legend: vega gives it a gradient id from a process-wide counter. */
const spec = {
  data: { values: [{ x: 'a', y: 'b', v: 0.2 }, { x: 'b', y: 'a', v: 0.9 }] },
  mark: 'rect',
  encoding: { x: { field: 'x', type: 'ordinal' }, y: { field: 'y', type: 'ordinal' }, color: { field: 'v', type: 'quantitative' } },
} as TopLevelSpec;

describe('renderSvg', () => {
  it('gives the same chart the same bytes whatever was rendered before it', async () => {
    const first = await renderSvg(spec);
    await renderSvg(spec);
    const third = await renderSvg(spec);
    expect(third).toBe(first);
    expect(first).toMatch(/<linearGradient id="c[0-9a-f]{8}-0"/);
    expect(first).toMatch(/url\(#c[0-9a-f]{8}-0\)/);
  });

  it('gives different charts different ids and leaves no namespace URL', async () => {
    const a = await renderSvg(spec);
    const b = await renderSvg({ ...spec, width: 99 } as TopLevelSpec);
    const id = (s: string) => /id="(c[0-9a-f]{8})-0"/.exec(s)?.[1];
    expect(id(a)).not.toBe(id(b));
    expect(a).not.toMatch(/https?:/);
  });
});
