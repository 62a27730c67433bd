import { describe, expect, it } from 'vitest';
import { cellView, clip, MAX_CELL_TEXT, previewHtml, text } from '../../src/render/cells.ts';

describe('cells', () => {
  it('escapes and clips strings, never splitting a surrogate pair', () => {
    expect(text('<b>')).toBe('&lt;b&gt;');
    expect(clip('abcdef', 3)).toBe('abc…');
    const emoji = `${'a'.repeat(4)}😀`;
    expect(clip(emoji, 5)).toBe('aaaa…');
    expect(cellView('x'.repeat(10_000), undefined).html.length).toBe(MAX_CELL_TEXT + 1);
  });

  it('gives numbers a numeric sort key and text cells none (the script sorts by visible text)', () => {
    expect(cellView(0.12345, 'fixed3')).toEqual({ html: '0.123', sort: '0.12345', numeric: true });
    expect(cellView(Number.NaN, 'fixed3')).toEqual({ html: '–', sort: '', numeric: true });
    expect(cellView('"><script>', undefined)).toEqual({ html: '&quot;&gt;&lt;script&gt;', sort: '', numeric: false });
    expect(cellView({ text: '<i>', tone: 'nope' as 'bad' }, undefined).html).toBe('<span class="tone-muted">&lt;i&gt;</span>');
  });

  it('refuses an image preview whose src is not a PNG data URI', () => {
    expect(previewHtml({ kind: 'image', src: 'javascript:alert(1)', width: 1, height: 1, alt: 'x' })).toContain('invalid image');
    expect(previewHtml({ kind: 'image', src: 'data:image/png;base64,AAAA"onerror=x', width: 1, height: 1, alt: 'x' })).toContain('invalid image');
    expect(previewHtml({ kind: 'image', src: 'data:image/png;base64,AAAA', width: 2, height: 2, alt: '<x>' })).toBe('<img class="preview" src="data:image/png;base64,AAAA" width="4" height="4" alt="&lt;x&gt;">');
  });
});
