import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bodyKind, buildEmails, DIR } from '../../examples/spam/prepare.ts';

describe('examples/spam', () => {
  it('classifies what a bag-of-words model can read in a body', () => {
    const words = 'word '.repeat(20);
    expect(bodyKind('Subject: hi', words)).toBe('plain');
    expect(bodyKind('Subject: hi', ' \n <p>&nbsp;</p> ok')).toBe('near-empty');
    expect(bodyKind('Content-Type: text/html', `<html><body>${words}</body></html>`)).toBe('html-only');
    expect(bodyKind('Content-Type: text/plain\nContent-Transfer-Encoding: base64', 'SGVsbG8gd29ybGQh'.repeat(10))).toBe('encoded');
    const multipart = `--b\nContent-Type: text/plain\n\n${words}\n--b\nContent-Type: text/html\n\n<p>${words}</p>`;
    expect(bodyKind('Content-Type: multipart/alternative; boundary=b', multipart)).toBe('plain');
  });

  it('prepare.ts rebuilds the committed records.csv from the corpus, byte for byte', () => {
    const emails = buildEmails();
    const committed = readFileSync(join(DIR, 'records.csv'), 'utf8').trimEnd().split('\n');
    expect(committed.length - 1).toBe(emails.length);
    expect(committed[1]).toBe([emails[0].id, emails[0].label, emails[0].group, emails[0].split, emails[0].body].join(','));
    const groups = new Set(emails.map((e) => e.group));
    expect([...groups].sort()).toEqual(['easy-ham', 'hard-ham', 'spam']);
    for (const kind of ['plain', 'html-only', 'encoded', 'near-empty']) expect(emails.some((e) => e.body === kind)).toBe(true);
  });
});
