/** `losslens audit` with --md and --fail-on, on the tiny fixture: outputs and exit codes. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MD_LIMIT } from '../../src/report/markdown.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const TINY = join(ROOT, 'test/fixtures/tiny');

function losslens(args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'losslens-audit-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/losslens.mjs'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1795824000', LOSSLENS_BACKEND: 'tfjs-wasm' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, cwd, read: (f: string) => readFileSync(join(cwd, f), 'utf8') };
}

describe('losslens audit --md --fail-on', () => {
  it('exits 1 listing the failed gates, still writing the report, summary and Markdown with the gates', () => {
    const r = losslens(['audit', TINY, '--out', 'r.html', '--json', 'r.json', '--md', 'pr/r.md', '--quiet', '--fail-on', 'final.ece>=0', '--fail-on', 'final.accuracy<0', '--fail-on', 'trainingCurves.steps>0']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    // A gate on a section that did not run (no metrics log here) fails, saying why, rather than being an unknown path.
    expect(r.stderr).toMatch(/2 of 3 --fail-on gate\(s\) failed:\n {2}✗ final\.ece>=0 {2}\(value: [\d.]+\)\n {2}✗ trainingCurves\.steps>0 {2}\(value: null — not computable, so the gate cannot pass \(section training-curves not applicable: no metrics log .*\)\)\n$/);
    const summary = JSON.parse(r.read('r.json'));
    expect(summary.gates.map((g: { expr: string; failed: boolean }) => [g.expr, g.failed])).toEqual([['final.ece>=0', true], ['final.accuracy<0', false], ['trainingCurves.steps>0', true]]);
    expect(summary.verdicts.map((v: { id: string }) => v.id)).toContain('calibration');
    const html = r.read('r.html');
    expect(html).toContain('id="gates"');
    expect(html).toContain('2 of 3 gate(s) failed');
    const md = r.read('pr/r.md');
    expect(md).toContain('### ❌ 2 of 3 gate(s) failed');
    expect(md).toContain('[full report](../r.html)');
    expect(md.length).toBeLessThan(MD_LIMIT);
  });

  it('exits 0 when every gate passes', () => {
    const r = losslens(['audit', TINY, '--out', 'r.html', '--json', 'r.json', '--quiet', '--fail-on', 'final.accuracy<0', '--fail-on', 'dataset.n!=40']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.read('r.json')).gates.every((g: { failed: boolean }) => !g.failed)).toBe(true);
  });

  it('exits 2 naming the expression for an unknown path or a malformed gate, writing nothing', () => {
    const unknown = losslens(['audit', TINY, '--out', 'r.html', '--quiet', '--fail-on', 'final.nope>1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^losslens: --fail-on "final.nope>1": expected a path to a number in summary.json .*found no key "nope" under final/);
    expect(existsSync(join(unknown.cwd, 'r.html'))).toBe(false);
    const typo = losslens(['audit', TINY, '--out', 'r.html', '--quiet', '--fail-on', 'baselinegap.accuracy<0.02']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no key "baselinegap" in summary\.json \(did you mean "baselineGap"\?\)/);
    const topK = losslens(['audit', TINY, '--out', 'r.html', '--quiet', '--fail-on', 'outliers.count>50']);
    expect(topK.code).toBe(2);
    expect(topK.stderr).toMatch(/expected outlierIds\.count for the number of flagged outliers, found outliers\.count, the length of the top-K/);
    expect(existsSync(join(typo.cwd, 'r.html')) || existsSync(join(topK.cwd, 'r.html'))).toBe(false);
    const malformed = losslens(['audit', TINY, '--out', 'r.html', '--quiet', '--fail-on', 'final.ece=>1']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--fail-on "final.ece=>1": expected path op number');
  });
});

describe('losslens audit output paths', () => {
  it('exits 2 before any loading for an output that would replace an input or another output, or is a directory, writing nothing', () => {
    const copy = mkdtempSync(join(tmpdir(), 'losslens-audit-tiny-'));
    cpSync(TINY, copy, { recursive: true });
    const records = readFileSync(join(copy, 'records.csv'));
    // Without --quiet, so the one line shows no stage ("loading …") ran before the check.
    const input = losslens(['audit', copy, '--out', join(copy, 'records.csv'), '--json', 'r.json']);
    expect(input.code).toBe(2);
    expect(input.stderr).toBe(`losslens: --out (${join(copy, 'records.csv')}): expected a file that is not one of the run's inputs (inputs are never overwritten), found dataset.file of ${join(copy, 'losslens.config.json')}\n`);
    expect(readFileSync(join(copy, 'records.csv'))).toEqual(records);
    expect(readdirSync(input.cwd)).toEqual([]);

    const same = losslens(['audit', copy, '--out', 'r', '--json', './r']);
    expect(same.code).toBe(2);
    expect(same.stderr).toBe(`losslens: --json (${join(same.cwd, 'r')}): expected a file of its own, found the same file as --out\n`);
    expect(readdirSync(same.cwd)).toEqual([]);

    const dir = losslens(['audit', copy, '--out', 'r.html', '--json', 'r.json', '--scores', copy]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toBe(`losslens: --scores (${copy}): expected a writable location, found a directory\n`);
    expect(readdirSync(dir.cwd)).toEqual([]);
  }, 60_000);
});
