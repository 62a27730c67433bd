/** The output paths audit, merge and compare check before the work, and writing a run's outputs all or none. */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditOutputs, checkOutputs, configInputs, fileNameOf, writeAuditOutputs } from '../../src/commands/outputs.ts';
import { loadConfig } from '../../src/config.ts';
import { InputError } from '../../src/messages.ts';
import { runAudit } from '../../src/pipeline.ts';

const TINY = fileURLToPath(new URL('../fixtures/tiny', import.meta.url));
const quiet = { stage() {}, tick() {}, warn() {}, done() {} };

describe('checkOutputs', () => {
  it('refuses an output that is one of the config\'s inputs, naming the option and the input', async () => {
    const inputs = await configInputs(loadConfig(TINY));
    const tiny = (f: string) => join(TINY, f);
    expect(inputs.map((i) => i.path).sort()).toEqual(['checkpoints/step-0000/model.json', 'checkpoints/step-0100/model.json', 'inputs.npy', 'losslens.config.json', 'records.csv'].map(tiny));
    const out = (what: string, path: string) => checkOutputs([{ what, path }], inputs);
    await expect(out('--out', join(TINY, 'records.csv'))).rejects.toThrow(
      `--out (${join(TINY, 'records.csv')}): expected a file that is not one of the run's inputs (inputs are never overwritten), found dataset.file of ${join(TINY, 'losslens.config.json')}`,
    );
    await expect(out('--md', join(TINY, 'losslens.config.json'))).rejects.toThrow(/found the config file$/);
    await expect(out('--scores', join(TINY, 'inputs.npy'))).rejects.toThrow(/found inputs of /);
    const checkpoint = inputs.find((i) => i.what.startsWith('a checkpoint'))!;
    await expect(out('--json', checkpoint.path)).rejects.toThrow('found a checkpoint (model.checkpoints "checkpoints/*/model.json" of');
  });

  it('refuses two outputs naming one file, also through a symbolic link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outputs-'));
    mkdirSync(join(dir, 'reports'));
    symlinkSync(join(dir, 'reports'), join(dir, 'link'));
    const same = checkOutputs(auditOutputs({ out: join(dir, 'reports/r'), json: join(dir, 'link/r') }, 'tiny'), []);
    await expect(same).rejects.toThrow(InputError);
    await expect(same).rejects.toThrow(`--json (${join(dir, 'link/r')}): expected a file of its own, found the same file as --out`);
    await expect(checkOutputs(auditOutputs({ out: join(dir, 'r.html'), json: join(dir, 'r.json'), md: join(dir, 'new/./../r.html') }, 'tiny'), [])).rejects.toThrow('found the same file as --out');
    expect(readdirSync(dir).sort()).toEqual(['link', 'reports']);
  });

  it('passes good outputs, creating nothing, and refuses an unwritable one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outputs-'));
    writeFileSync(join(dir, 'file'), 'x');
    mkdirSync(join(dir, 'a'));
    await checkOutputs(auditOutputs({ out: join(dir, 'a/r.html'), json: join(dir, 'b/c/r.json') }, 'tiny'), []);
    expect(readdirSync(dir).sort()).toEqual(['a', 'file']);
    await expect(checkOutputs(auditOutputs({ out: join(dir, 'a'), json: join(dir, 'r.json') }, 'tiny'), [])).rejects.toThrow(`--out (${join(dir, 'a')}): expected a writable location, found a directory`);
    await expect(checkOutputs(auditOutputs({ out: join(dir, 'r.html'), json: join(dir, 'r.json'), scores: join(dir, 'file/s.csv') }, 'tiny'), [])).rejects.toThrow(/^--scores .*found a file in place of one of its folders$/);
  });
});

describe('default output names', () => {
  it('keep the run name inside reports/: no path separators, leading dots or control characters', () => {
    expect(fileNameOf('mnist')).toBe('mnist');
    expect(fileNameOf('../../escaped <b>x</b>')).toBe('-..-escaped -b-x--b-');
    expect(fileNameOf('a:b\u0000c')).toBe('a-b-c');
    expect(fileNameOf('..')).toBe('report');
    expect(auditOutputs({}, '../x').map((o) => o.path)).toEqual([join(process.cwd(), 'reports', '-x.html'), join(process.cwd(), 'reports', '-x.json')]);
  });
});

describe('writeAuditOutputs', () => {
  it('writes every output or none: one that cannot be written leaves the previous report, summary and scores', async () => {
    const config = loadConfig(TINY);
    config.cache.enabled = false;
    const result = await runAudit(config, { progress: quiet, now: new Date(0) });
    const dir = mkdtempSync(join(tmpdir(), 'outputs-'));
    for (const f of ['r.html', 'r.json', 'r.csv']) writeFileSync(join(dir, f), 'old');
    writeFileSync(join(dir, 'file'), 'x');
    const paths = { out: join(dir, 'r.html'), json: join(dir, 'r.json'), scores: join(dir, 'r.csv') };
    // The old code wrote the scores before the Markdown failed (and the report after it never).
    await expect(writeAuditOutputs(result, 'tiny', { ...paths, md: join(dir, 'file/r.md') }, quiet)).rejects.toThrow(InputError);
    expect(readdirSync(dir).sort()).toEqual(['file', 'r.csv', 'r.html', 'r.json']);
    expect(['r.html', 'r.json', 'r.csv'].map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(['old', 'old', 'old']);

    expect(await writeAuditOutputs(result, 'tiny', { ...paths, md: join(dir, 'pr/r.md') }, quiet)).toBe(0);
    expect(readFileSync(join(dir, 'r.html'), 'utf8')).toBe(result.html);
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).dataset.n).toBe(40);
    expect(readFileSync(join(dir, 'r.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(41);
    expect(readFileSync(join(dir, 'pr/r.md'), 'utf8')).toContain('[full report](../r.html)');

    // A PR comment links where the report will be seen; anything but an http(s) URL is refused before the work.
    const url = 'https://github.com/o/r/actions/runs/42';
    expect(await writeAuditOutputs(result, 'tiny', { ...paths, md: join(dir, 'pr/r.md'), 'report-url': url }, quiet)).toBe(0);
    expect(readFileSync(join(dir, 'pr/r.md'), 'utf8')).toContain(`[full report](${url})`);
    expect(() => auditOutputs({ 'report-url': 'javascript:alert(1)' }, 'tiny')).toThrow(/--report-url: expected an http\(s\) URL/);
  }, 60_000);
});
