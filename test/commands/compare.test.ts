/** `losslens compare`: outputs, stdout default, user errors. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

function setup() {
  const cwd = mkdtempSync(join(tmpdir(), 'losslens-compare-'));
  const base = { schemaVersion: 1, run: { name: 'r', generatedAt: 't' }, dataset: { n: 3, classes: ['a'], unscorable: 0 }, perClass: [{ class: 'a', f1: 0.5, recall: 0.5 }], warnings: [] };
  writeFileSync(join(cwd, 'old.json'), JSON.stringify({ ...base, final: { checkpoint: 'c1', split: 'val', accuracy: 0.5 }, outliers: [{ id: '<script>alert(1)</script>' }] }));
  writeFileSync(join(cwd, 'new.json'), JSON.stringify({ ...base, final: { checkpoint: 'c2', split: 'val', accuracy: 0.6 }, outliers: [{ id: 'x' }] }));
  writeFileSync(join(cwd, 'bad.json'), '{ nope');
  writeFileSync(join(cwd, 'other.json'), '[1, 2]');
  return cwd;
}

function losslens(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/losslens.mjs'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('losslens compare', () => {
  it('prints the Markdown diff to stdout when no output is named', () => {
    const cwd = setup();
    const r = losslens(['compare', 'old.json', 'new.json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('| accuracy | 0.500 | 0.600 | +0.100 | 🟢 improved |');
    expect(r.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('writes the HTML and Markdown diffs', () => {
    const cwd = setup();
    const r = losslens(['compare', 'old.json', 'new.json', '--out', 'd/diff.html', '--md', 'd/diff.md', '--quiet'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const html = readFileSync(join(cwd, 'd/diff.html'), 'utf8');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(readFileSync(join(cwd, 'd/diff.md'), 'utf8')).toContain('### Outliers: 1 fixed, 1 new');
    expect(losslens(['compare', 'old.json', 'new.json', '--out', 's.html', '--static', '--quiet'], cwd).code).toBe(0);
    expect(readFileSync(join(cwd, 's.html'), 'utf8')).not.toContain('<script');
  });

  it('exits 2 with one line naming the file for missing, malformed or foreign input', () => {
    const cwd = setup();
    for (const [file, found] of [['missing.json', 'no such file'], ['bad.json', 'a parse error'], ['other.json', 'other JSON']]) {
      const r = losslens(['compare', 'old.json', file], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${join(cwd, file)}: expected`);
      expect(r.stderr).toContain(found);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(losslens(['compare', 'old.json'], cwd).code).toBe(2);
  });

  it('refuses an output that would replace one of the two summaries or the other output (exit 2, one line, nothing written)', () => {
    const cwd = setup();
    const old = readFileSync(join(cwd, 'old.json'), 'utf8');
    const onInput = losslens(['compare', 'old.json', 'new.json', '--md', './old.json'], cwd);
    expect(onInput.code).toBe(2);
    expect(onInput.stderr).toBe(`losslens: --md (${join(cwd, 'old.json')}): expected a file that is not one of the run's inputs (inputs are never overwritten), found the old summary (first argument)\n`);
    expect(readFileSync(join(cwd, 'old.json'), 'utf8')).toBe(old);
    const same = losslens(['compare', 'old.json', 'new.json', '--out', 'd/diff', '--md', 'd/diff'], cwd);
    expect(same.code).toBe(2);
    expect(same.stderr).toBe(`losslens: --md (${join(cwd, 'd/diff')}): expected a file of its own, found the same file as --out\n`);
    expect(readdirSync(cwd).sort()).toEqual(['bad.json', 'new.json', 'old.json', 'other.json']);
  });
});
