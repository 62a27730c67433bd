/** The renderer on a model whose every string is hostile: escaping, CSP, static mode, fallbacks, size. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/analyses/types.ts';
import { ChartQueue } from '../../src/render/chart-queue.ts';
import { drawChart, MAX_TABLE_ROWS, renderHtml } from '../../src/render/html.ts';
import { BIG, hostileModel } from './fixture.ts';

const sha = (s: string) => `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;
const inline = (html: string, tag: 'style' | 'script') => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]);
const csp = (html: string) => /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
/** Every start tag outside the inline style and script (escaped data can never produce a `<`). */
const tags = (html: string) => [...html.replace(/<(style|script)>[\s\S]*?<\/\1>/g, '').matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g)].map((m) => ({ name: m[1].toLowerCase(), raw: m[0], attrs: attributes(m[2]) }));
/** Attributes as the HTML tokenizer sees them; every attribute we write is double-quoted. */
function attributes(s: string): { name: string; value: string }[] {
  const out = [];
  const re = /\s+([^\s=>/]+)(?:="([^"]*)")?/y;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(s))) {
    out.push({ name: m[1].toLowerCase(), value: m[2] ?? '' });
    end = re.lastIndex;
  }
  expect(s.slice(end).trim(), `unparsed attribute text in ${s}`).toBe('');
  return out;
}

const ALLOWED_TAGS = new Set('html head meta title style script body a header p h1 h2 section ul li span div dl dt dd nav ol main table caption thead tr th tbody td figure figcaption pre code footer strong b svg g path text rect line'.split(' '));

describe('renderHtml on hostile data', async () => {
  const html = await renderHtml(hostileModel());

  it('emits only the tags the templates write: no script, img, iframe or link from data', () => {
    const found = new Set(tags(html).map((t) => t.name));
    expect(found.has('svg')).toBe(true);
    for (const t of found) expect(ALLOWED_TAGS.has(t), `unexpected <${t}>`).toBe(true);
    expect(html.match(/<script/g)).toHaveLength(1);
  });

  it('writes no event-handler attribute, no javascript: URL and no inline style attribute', () => {
    const all = tags(html);
    expect(all.length).toBeGreaterThan(100);
    for (const { raw, attrs } of all) {
      for (const a of attrs) {
        expect(a.name, raw).not.toMatch(/^on|^style$|^srcdoc$|^formaction$/);
        if (/^(href|src|xlink:href|action)$/.test(a.name)) expect(a.value, raw).toMatch(/^(#[\w-]+|data:image\/png;base64,[A-Za-z0-9+/=]+)$/);
      }
    }
  });

  it('shows hostile strings as text: escaped markup, literal {{handlebars}}, bidi controls neutralised', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt; b');
    expect(html).toContain('&lt;img src&#61;x onerror&#61;alert(3)&gt;');
    expect(html).toContain('&quot; onmouseover&#61;&quot;alert(4)');
    expect(html).toContain('{{constructor.constructor(&quot;alert(7)&quot;)()}}');
    expect(html).toContain('{{{raw}}} {{&gt; partial}}');
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
  });

  it('stays small with a 1 MB string in a cell, a preview, a headline and a warning', () => {
    expect(BIG.length).toBeGreaterThan(1 << 20);
    expect(html.length).toBeLessThan(150_000);
    expect(html).toContain('…');
  });

  it('allows exactly its inline style and script by sha256 in a CSP that forbids every load', () => {
    const policy = csp(html);
    expect(policy).toMatch(/^default-src 'none';/);
    expect(policy).not.toContain('unsafe');
    const [style] = inline(html, 'style');
    const [script] = inline(html, 'script');
    expect(policy).toContain(`style-src '${sha(style)}'`);
    expect(policy).toContain(`script-src '${sha(script)}'`);
    expect(inline(html, 'style')).toHaveLength(1);
  });

  it('renders an unknown block kind as escaped raw JSON instead of failing', () => {
    expect(html).toMatch(/<pre class="raw-json">[^<]*&quot;type&quot;: &quot;sankey&quot;[^<]*&lt;script&gt;/);
  });

  it('links every table-of-contents entry and verdict card to an element id', () => {
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    const hrefs = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(5);
    for (const h of hrefs) expect(ids.has(h), `#${h}`).toBe(true);
    expect(html).toMatch(/<li class="card tone-\w+"><a class="card-body" href="#/);
  });

  it('shows the gates with their outcome', () => {
    expect(html).toContain('id="gates"');
    expect(html).toContain('1 of 1 gate(s) failed');
    expect(html).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;&gt;1</code>');
  });
});

describe('renderHtml options and bounds', () => {
  it('--static emits no script at all and a CSP that allows none', async () => {
    const html = await renderHtml(hostileModel(), { static: true });
    expect(html).not.toMatch(/<script/i);
    expect(csp(html)).not.toContain('script-src');
    expect(html).toContain('contains no script');
  });

  it(`caps a table at ${MAX_TABLE_ROWS} rows and says where the rest is`, async () => {
    const rows = Array.from({ length: MAX_TABLE_ROWS + 100 }, (_, i) => [`r${i}`, i]);
    const block: Block = { type: 'table', caption: 'big', columns: [{ label: 'id' }, { label: 'i', format: 'int' }], rows };
    const model = hostileModel({ sections: [{ id: 's', title: 't', description: 'd', status: 'ok', headline: 'h', warnings: [], blocks: [block] }] });
    const html = await renderHtml(model);
    expect(html.match(/<tr><td>r\d+<\/td>/g)).toHaveLength(MAX_TABLE_ROWS);
    expect(html).toContain('100 more rows are in summary.json and the scores file.');
  });

  it('is deterministic', async () => {
    expect(await renderHtml(hostileModel())).toBe(await renderHtml(hostileModel()));
  });

  it('gives the same page when some charts were drawn ahead (ChartQueue.drawWhenIdle)', async () => {
    const chartOf = (m: ReturnType<typeof hostileModel>) => m.sections.flatMap((s) => (s.status === 'ok' ? s.blocks : [])).find((b) => b.type === 'chart')!;
    // Two sections with charts; the second one's (in a grid) is drawn ahead, as an analysis that ran early.
    const page = () => {
      const base = chartOf(hostileModel()) as Extract<Block, { type: 'chart' }>;
      const other = { ...base, caption: 'second', chart: { kind: 'bars' as const, items: [{ label: '<b>x</b>', value: 0.5 }], xLabel: '', yLabel: 'v' } };
      return hostileModel({
        sections: [
          { id: 'one', title: 'one', description: 'd', status: 'ok', headline: 'h', warnings: [], blocks: [base] },
          { id: 'two', title: 'two', description: 'd', status: 'ok', headline: 'h', warnings: [], blocks: [{ type: 'grid', blocks: [other] }] },
        ],
      });
    };
    const model = page();
    const base = chartOf(model) as Extract<Block, { type: 'chart' }>;
    const order: string[] = [];
    const charts = new ChartQueue((b) => (order.push(b.caption), drawChart(b)));
    charts.drawWhenIdle((model.sections[1] as Extract<(typeof model.sections)[number], { status: 'ok' }>).blocks);
    for (let i = 0; i < 200 && order.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    charts.stop();
    const html = await renderHtml(model, {}, charts);
    expect(order).toEqual(['second', base.caption]); // drawn ahead, then the other when the page asked for it
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).toBe(await renderHtml(page()));
  });
});
