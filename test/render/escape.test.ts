import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, sanitizeText } from '../../src/render/escape.ts';

describe('escapeHtml', () => {
  it('escapes every character that can open a tag or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`=`)).toBe('&lt;a href&#61;&quot;x&quot; onclick&#61;&#39;y&#39;&gt;&amp;&#96;&#61;');
  });
});

describe('jsonForScript', () => {
  it('escapes <, >, & and U+2028/U+2029 so JSON cannot end a <script> or a line', () => {
    const s = jsonForScript({ a: '</script><!-- \u2028\u2029 & >' });
    expect(s).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(s)).toEqual({ a: '</script><!-- \u2028\u2029 & >' });
  });
});

describe('sanitizeText', () => {
  it('replaces bidi controls and C0 control characters, keeps ordinary text', () => {
    expect(sanitizeText('a\u202Eb\u2066c\u2069d\u200Fe\u0000f\u0007g')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg');
    expect(sanitizeText('tab\tnew\nline ünïcødé')).toBe('tab\tnew\nline ünïcødé');
  });
});
