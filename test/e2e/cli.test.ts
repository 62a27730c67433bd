/** End-to-end tests of the CLI on the tiny fixture: outputs, determinism, and every user error. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/load/formats/npy.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'test/fixtures/tiny');

function losslens(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/losslens.mjs'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SOURCE_DATE_EPOCH: '1795824000', LOSSLENS_BACKEND: 'tfjs-wasm' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A private copy of the tiny fixture that a test may break. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'losslens-e2e-'));
  cpSync(FIXTURE, join(dir, 'run'), { recursive: true });
  return dir;
}

describe('losslens audit (tiny fixture)', () => {
  it('writes the report, summary and scores with the contract keys, and nothing else', () => {
    const dir = copy();
    const r = losslens(['audit', 'run', '--scores', 'out/scores.csv', '--quiet'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(join(dir, 'reports')).sort()).toEqual(['tiny.html', 'tiny.json']);
    const summary = JSON.parse(readFileSync(join(dir, 'reports/tiny.json'), 'utf8'));
    expect(summary.schemaVersion).toBe(1);
    expect(summary.run.backend).toBe('tfjs-wasm');
    expect(summary.dataset).toMatchObject({ n: 40, classes: ['cat', 'dog', 'owl'], splits: { train: 30, val: 10 }, unscorable: 0 });
    expect(summary.checkpoints.map((c: { id: string; step: number }) => [c.id, c.step])).toEqual([['step-0000', 0], ['step-0100', 100]]);
    expect(summary.final).toMatchObject({ checkpoint: 'step-0100', split: 'val' });
    for (const key of ['accuracy', 'macroF1', 'nll', 'brier', 'ece', 'mce']) expect(typeof summary.final[key]).toBe('number');
    for (const key of ['perClass', 'confusion', 'outliers', 'baselines', 'sections']) expect(summary).toHaveProperty(key);
    // The planted wrong label (r05: a cat labelled as the next class) is the worst training record.
    expect(summary.outliers.find((o: { split: string }) => o.split === 'train').id).toBe('r05');
    const csv = readFileSync(join(dir, 'out/scores.csv'), 'utf8').trim().split('\n');
    expect(csv[0].startsWith('id,split,label,predicted,confidence,loss,p:cat,p:dog,p:owl,loss@step-0000,loss@step-0100')).toBe(true);
    expect(csv).toHaveLength(41);
    expect(csv[1].startsWith('r00,train,cat,cat,')).toBe(true);
    const html = readFileSync(join(dir, 'reports/tiny.html'), 'utf8');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<svg');
  });

  it('gives byte-identical outputs for the same inputs', () => {
    const dir = copy();
    expect(losslens(['audit', 'run', '--out', 'a.html', '--json', 'a.json', '--quiet'], dir).code).toBe(0);
    expect(losslens(['audit', 'run', '--out', 'b.html', '--json', 'b.json', '--quiet'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'a.html'), 'utf8') === readFileSync(join(dir, 'b.html'), 'utf8')).toBe(true);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
  });
});

describe('losslens audit: user errors exit 2 with one line naming the file, and write nothing', () => {
  const cases: [string, (run: string) => void, RegExp][] = [
    ['missing config', () => {}, /nope: expected a losslens\.config\.json file/],
    ['missing dataset file', (run) => rmSync(join(run, 'records.csv')), /dataset\.file \(.*records\.csv\): expected an existing file, found no such file/],
    ['empty dataset file', (run) => writeFileSync(join(run, 'records.csv'), ''), /records\.csv: expected a table with a header row and at least one record, found an empty file/],
    ['unknown label', (run) => writeFileSync(join(run, 'records.csv'), readFileSync(join(run, 'records.csv'), 'utf8').replace('r03,cat', 'r03,emu')), /records\.csv row 4 \(id "r03", column "label"\): expected a label in dataset\.classes \[cat, dog, owl\], found "emu"/],
    ['wrong input shape', (run) => writeFileSync(join(run, 'inputs.npy'), encodeNpy({ dtype: 'float32', shape: [40, 5], data: new Float32Array(200) })), /step-0000\/model\.json: expected inputs of shape \[4\] per record \(4 values\), found \[5\] \(5 values\)/],
    ['wrong row count', (run) => writeFileSync(join(run, 'inputs.npy'), encodeNpy({ dtype: 'float32', shape: [39, 4], data: new Float32Array(156) })), /inputs\.npy: expected 40 rows \(one per dataset record, in dataset order\), found 39 rows/],
    ['truncated weights', (run) => truncateSync(join(run, 'checkpoints/step-0100/weights.bin'), 30), /step-0100\/weights\.bin: expected 60 bytes of weights \(per model\.json\), found 30 bytes/],
    ['bad config value', (run) => writeFileSync(join(run, 'losslens.config.json'), readFileSync(join(run, 'losslens.config.json'), 'utf8').replace('"topK": 5', '"topK": "five"')), /analysis\.topK: expected an integer ≥ 1, found "five"/],
  ];
  for (const [name, breakIt, message] of cases) {
    it(name, () => {
      const dir = copy();
      breakIt(join(dir, 'run'));
      writeFileSync(join(dir, 'previous.html'), 'the previous report');
      const target = name === 'missing config' ? 'nope' : 'run';
      const r = losslens(['audit', target, '--out', 'previous.html', '--quiet'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
      expect(readFileSync(join(dir, 'previous.html'), 'utf8')).toBe('the previous report');
      expect(existsSync(join(dir, 'reports'))).toBe(false);
    });
  }

  it('rejects an unknown command and bad arguments with exit 2', () => {
    const dir = copy();
    expect(losslens(['frobnicate'], dir).code).toBe(2);
    const r = losslens(['audit', 'run', '--seed', 'x'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--seed: expected a non-negative integer, found "x"/);
  });
});
