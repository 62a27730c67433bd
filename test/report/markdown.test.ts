import { describe, expect, it } from 'vitest';
import { auditMarkdown, fitLimit, MD_LIMIT, mdCode, mdText } from '../../src/report/markdown.ts';
import { BIG, EVIL, hostileModel } from '../render/fixture.ts';

describe('mdText / mdCode', () => {
  it('keeps data from becoming markup, links, table cells or extra lines', () => {
    expect(mdText('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mdText('a|b*c*_d_`e`[f](javascript:x)~g~')).toBe('a\\|b\\*c\\*\\_d\\_\\`e\\`\\[f\\](javascript:x)\\~g\\~');
    expect(mdText('see https://evil.example')).toBe('see https:&#47;&#47;evil.example');
    // No notification, issue link, mail link, autolinked domain or math from data.
    expect(mdText('@octocat #1234 me@x.org WWW.evil.example $5-$10 a # b @ c')).toBe('@\u200boctocat #\u200b1234 me@\u200bx.org WWW\u200b.evil.example \\$5-\\$10 a # b @ c');
    expect(mdText('one\ntwo\u2028three')).toBe('one two three');
    expect(mdText('\u202Egnp')).toBe('\uFFFDgnp');
    expect(mdText('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`);
    // Names keep their ends: taxonomy paths differ at the leaf.
    expect(mdText('animalia/chordata/aves/passeriformes/corvidae/corvus', 20, 'middle')).toBe('animalia/c…ae/corvus');
    expect(mdCode('a`b|c')).toBe('aˋb¦c');
  });

  it('fitLimit cuts at a line boundary and says so', () => {
    const md = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const cut = fitLimit(md, 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).toMatch(/line \d+\n\n_… truncated/);
    expect(fitLimit('short', 200)).toBe('short');
  });
});

describe('auditMarkdown', () => {
  const md = auditMarkdown(hostileModel(), { reportLink: 'report.html' });

  it('has the verdicts, headline metrics, gates, top outliers, findings and warnings', () => {
    for (const h of ['### ❌ 1 of 1 gate(s) failed', '### Verdicts', '### Headline metrics', '### Top 10 records by loss', '### Findings', '### Warnings (2)']) expect(md).toContain(h);
    expect(md).toContain('| 90.0 % | 0.800 | 0.300 | 0.200 | 0.040 | 0.100 |');
    expect(md).toContain('[full report](report.html)');
    // The outlier table has exactly 10 rows after its header and separator.
    const table = md.split('### Top 10 records by loss\n\n')[1].split('\n\n')[0].split('\n');
    expect(table).toHaveLength(12);
  });

  it('renders hostile strings inert and stays under the PR-comment limit with a 1 MB string inside', () => {
    expect(BIG.length).toBeGreaterThan(MD_LIMIT);
    expect(md.length).toBeLessThan(MD_LIMIT);
    // Outside code spans (whose content GitHub shows literally, and which data cannot close) no tag survives.
    expect(md).toContain('`<script>alert(1)</script>`');
    expect(md.replace(/`[^`\n]*`/g, '')).not.toMatch(/<(script|img|a)\b/i);
    expect(md).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u2028\u2029]/);
    // Every table row keeps its column count: no `|` from data splits a cell.
    for (const line of md.split('\n').filter((l) => l.startsWith('| '))) {
      const cells = line.replace(/\\\|/g, '').split('|').length;
      expect([5, 6, 9, 8, 4, 7]).toContain(cells);
    }
    expect(EVIL.length).toBeGreaterThan(5);
  });

  it('does not link to a javascript: report', () => {
    expect(auditMarkdown(hostileModel(), { reportLink: 'javascript:alert(1)' })).toContain('[full report](#)');
    expect(auditMarkdown(hostileModel(), { reportLink: 'https://ci.example/r.html' })).toContain('[full report](https://ci.example/r.html)');
  });

  it('stays under the limit however many sections and warnings there are', () => {
    const model = hostileModel();
    model.warnings = Array.from({ length: 5000 }, (_, i) => `warning ${i} ${'w'.repeat(300)}`);
    model.sections = Array.from({ length: 2000 }, (_, i) => ({ id: `s${i}`, title: `section ${i}`, description: '', status: 'ok' as const, headline: 'h'.repeat(1000), blocks: [], warnings: [] }));
    const big = auditMarkdown(model);
    expect(big.length).toBeLessThanOrEqual(MD_LIMIT);
    expect(big).toContain('truncated to fit a pull-request comment');
  });
});
