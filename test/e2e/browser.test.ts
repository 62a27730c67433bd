/**
 * Opens real reports in headless Chromium (Debian's `chromium`, through playwright-core): the
 * MNIST example report, the hostile-records report, their static variants and a compare page.
 * No dialog, no console error, no script error, no request leaves the page; every chart is
 * there as SVG (with and without JavaScript); the table of contents resolves; the optional script
 * sorts, filters and shows tooltips.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/index.ts';
import { renderCompareHtml } from '../../src/render/compare.ts';
import { renderHtml } from '../../src/render/html.ts';
import { compareSummaries } from '../../src/report/compare.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../', import.meta.url).pathname;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const NOW = new Date('2026-11-28T00:00:00Z');

if (!HAVE_CHROMIUM) console.warn(`browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium, as .ci/run does)`);

interface Opened {
  page: Page;
  url: string;
  problems: string[];
}

const pages: Record<string, { file: string; html: string }> = {};
let contexts: BrowserContext[] = [];

async function launch(javaScriptEnabled: boolean): Promise<BrowserContext> {
  // A fresh profile per context: nothing from an earlier run can leak in.
  const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'losslens-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS, javaScriptEnabled, offline: true });
  contexts.push(ctx);
  return ctx;
}

/** Open a report, recording every dialog, console error, page error and request that leaves it. */
async function open(ctx: BrowserContext, name: string): Promise<Opened> {
  const { file } = pages[name];
  const url = pathToFileURL(file).href;
  const problems: string[] = [];
  await ctx.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    problems.push(`request: ${u}`);
    return route.abort();
  });
  const page = await ctx.newPage();
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url && !r.url().startsWith('data:')) problems.push(`request event: ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, problems };
}

const figureCount = (html: string) => (html.match(/<figure class="chart/g) ?? []).length;

describe.skipIf(!HAVE_CHROMIUM)('reports in headless Chromium', () => {
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'losslens-browser-'));
    const mnist = await audit(join(ROOT, 'examples/mnist'), { now: NOW, failOn: ['final.ece>0.5'] });
    const hostile = await audit(join(ROOT, 'test/fixtures/hostile'), { now: NOW });
    const write = (name: string, html: string) => {
      const file = join(dir, `${name}.html`);
      writeFileSync(file, html);
      pages[name] = { file, html };
    };
    write('mnist', mnist.html);
    write('hostile', hostile.html);
    write('hostile-static', await renderHtml(hostile.model, { static: true }));
    write('compare', renderCompareHtml(compareSummaries(hostile.summary, mnist.summary)));
    // A negative control: a page without our CSP that does everything a report must not.
    write('control', '<!doctype html><title>control</title><img src="http://127.0.0.1:9/x.png"><script>console.error("boom"); alert(1); null.x;</script>');
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    contexts = [];
  });

  for (const name of ['mnist', 'hostile', 'hostile-static', 'compare']) {
    it(`${name}: no dialog, console error, script error or request; every chart and ToC link present`, async () => {
      const ctx = await launch(true);
      const { page, problems } = await open(ctx, name);
      const { html } = pages[name];
      const figures = figureCount(html);
      if (name !== 'compare') expect(figures).toBeGreaterThan(0);
      expect(await page.locator('figure.chart svg').count()).toBe(figures);
      for (const svg of await page.locator('figure.chart svg').all()) {
        const box = await svg.boundingBox();
        expect(box && box.width > 50 && box.height > 30).toBe(true);
      }
      const hrefs = await page.locator('a[href^="#"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      expect(hrefs.length).toBeGreaterThan(3);
      for (const h of hrefs) expect(await page.locator(`[id="${h.slice(1)}"]`).count(), h).toBe(1);
      // Exercise the script where there is one: hover every kind of chart mark, sort, filter.
      if (!name.includes('static')) {
        const marks = page.locator('figure.chart [role="graphics-symbol"][aria-label]:not(g)');
        for (const mark of (await marks.all()).slice(0, 40)) {
          const b = await mark.boundingBox();
          if (b && b.width * b.height > 4) {
            await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
            break;
          }
        }
      }
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('the checks catch a dialog, a console error, a script error and a request (negative control)', async () => {
    const ctx = await launch(true);
    const { problems } = await open(ctx, 'control');
    await expect.poll(() => problems.length).toBeGreaterThanOrEqual(4);
    expect(problems.some((p) => p.startsWith('dialog: alert'))).toBe(true);
    expect(problems.some((p) => p.startsWith('console error: boom'))).toBe(true);
    expect(problems.some((p) => p.startsWith('page error:'))).toBe(true);
    expect(problems.some((p) => p.includes('127.0.0.1:9/x.png'))).toBe(true);
  });

  it('the hostile report shows hostile strings as text and runs none of them', async () => {
    const ctx = await launch(true);
    const { page, problems } = await open(ctx, 'hostile');
    const body = await page.locator('body').innerText();
    for (const probe of [
      '<script>alert(document.domain)</script>',
      'before </script><script>alert("breakout")</script> after',
      '<img src=x onerror=alert(2)>',
      '<a href="javascript:alert(6)">click me</a>',
      "' onmouseover='alert(7)' x='",
      '{{#each this}}{{this}}{{/each}} {{{raw}}} {{> partial}}',
      '<script>alert("big")</script>', // from the 1 MB string, clipped
      'bad bytes: \uFFFD', // invalid UTF-8 decoded as replacement characters
      '<script>alert("description")</script> {{description}}',
      '"><img src=x onerror=alert(1)>', // class names
      "{{constructor.constructor('alert(1)')()}}",
    ]) {
      expect(body, probe).toContain(probe);
    }
    expect(body).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    // Only our own script element exists, and no element carries an event handler or javascript: URL.
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img, iframe, object, embed, link, svg a, [onerror], [onload], [onmouseover], [onfocus], [href^="javascript:" i]').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('the script sorts and filters tables and shows chart tooltips', async () => {
    const ctx = await launch(true);
    const { page, problems } = await open(ctx, 'mnist');
    const table = page.locator('table.data').filter({ has: page.locator('th[data-type="num"]') }).filter({ has: page.locator('tbody tr:nth-child(9)') }).first();
    const numHeader = table.locator('th[data-type="num"]').last();
    const col = await table.locator('thead th').evaluateAll((ths, target) => ths.findIndex((th) => th.textContent === target), await numHeader.textContent());
    await numHeader.locator('button.sort').click();
    expect(await numHeader.getAttribute('aria-sort')).toBe('descending');
    const values = await table.locator(`tbody tr td:nth-child(${col + 1})`).evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-sort'))));
    expect(values.length).toBeGreaterThan(8);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    await numHeader.locator('button.sort').click();
    expect(await numHeader.getAttribute('aria-sort')).toBe('ascending');

    const filter = page.locator('.table-filter input').first();
    await filter.fill('zzz-no-such-record');
    await expect.poll(() => page.locator('.table-filter .filter-status').first().textContent()).toMatch(/^0 of \d+ rows$/);
    await filter.fill('');

    const bar = page.locator('figure.chart [role="graphics-symbol"][aria-label]:not(g)').first();
    await bar.scrollIntoViewIfNeeded();
    const marks = await page.locator('figure.chart [role="graphics-symbol"][aria-label]:not(g)').all();
    let hovered = false;
    for (const m of marks) {
      const b = await m.boundingBox();
      if (b && b.width > 3 && b.height > 3) {
        await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
        hovered = true;
        break;
      }
    }
    expect(hovered).toBe(true);
    await expect.poll(() => page.locator('.tooltip').isVisible()).toBe(true);
    expect((await page.locator('.tooltip').textContent())?.length).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  });

  it('with JavaScript disabled every chart is still there and every table readable', async () => {
    const ctx = await launch(false);
    for (const name of ['mnist', 'hostile']) {
      const { page, problems } = await open(ctx, name);
      expect(await page.locator('figure.chart svg').count()).toBe(figureCount(pages[name].html));
      expect(await page.locator('button.sort, .table-filter').count()).toBe(0);
      const rows = page.locator('table.data tbody tr');
      expect(await rows.count()).toBeGreaterThan(5);
      expect(await rows.first().isVisible()).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
      await ctx.unroute('**/*');
    }
  });
});
