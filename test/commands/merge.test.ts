import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/messages.ts';
import { parseShard, shardRange } from '../../src/score/shard.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The CLI in a fresh process per command, as shards run in practice (one process or machine each).
 * A pinned time makes reports byte-comparable; the runtime is whatever the machine picks.
 */
async function losslens(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/losslens.mjs'), ...args, '--quiet'], { env: { ...process.env, SOURCE_DATE_EPOCH: '1795824000' } });
    return { code: 0, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stderr?: string };
    return { code: err.code ?? -1, stderr: err.stderr ?? '' };
  }
}

/** Audit `dir` unsharded and as `count` shards (scored concurrently, merged out of order); return both outputs. */
async function auditBothWays(dir: string, count: number) {
  const out = mkdtempSync(join(tmpdir(), 'losslens-merge-'));
  const f = (name: string) => join(out, name);
  const shards = Array.from({ length: count }, (_, i) => count - i);
  const runs = await Promise.all([
    losslens(['audit', dir, '--out', f('full.html'), '--json', f('full.json'), '--scores', f('full.csv'), '--no-cache']),
    ...shards.map((i) => losslens(['audit', dir, '--shard', `${i}/${count}`, '--partial', f(`p${i}.partial`)])),
  ]);
  for (const r of runs) expect(r.stderr.replace(/losslens: warning: .*\n/g, '')).toBe('');
  expect(runs.map((r) => r.code)).toEqual(runs.map(() => 0));
  const merged = await losslens(['merge', ...shards.map((i) => f(`p${i}.partial`)), '--config', dir, '--out', f('merged.html'), '--json', f('merged.json'), '--scores', f('merged.csv')]);
  expect(merged.code).toBe(0);
  const read = (name: string) => readFileSync(f(name));
  return { full: { html: read('full.html'), json: read('full.json'), csv: read('full.csv') }, merged: { html: read('merged.html'), json: read('merged.json'), csv: read('merged.csv') } };
}

describe('losslens audit --shard + losslens merge', () => {
  it('reproduces the unsharded report, summary.json and scores byte for byte (tiny fixture, 3 shards)', async () => {
    const r = await auditBothWays(join(ROOT, 'test/fixtures/tiny'), 3);
    expect(r.full.html.length).toBeGreaterThan(1000);
    expect(r.merged.html.equals(r.full.html)).toBe(true);
    expect(r.merged.json.equals(r.full.json)).toBe(true);
    expect(r.merged.csv.equals(r.full.csv)).toBe(true);
  });

  it('reproduces the MNIST example report byte for byte (2 shards)', async () => {
    const r = await auditBothWays(join(ROOT, 'examples/mnist'), 2);
    expect(r.merged.json.equals(r.full.json)).toBe(true);
    expect(r.merged.html.equals(r.full.html)).toBe(true);
    expect(r.merged.csv.equals(r.full.csv)).toBe(true);
  });

  it('refuses an incomplete set, a duplicate shard, a corrupt partial and another config (exit 2, one line)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'losslens-shards-'));
    cpSync(join(ROOT, 'test/fixtures/tiny'), join(dir, 'run'), { recursive: true });
    const run = join(dir, 'run');
    const p = (i: number) => join(dir, `p${i}.partial`);
    for (const i of [1, 2]) expect((await losslens(['audit', run, '--shard', `${i}/2`, '--partial', p(i)])).code).toBe(0);
    const merge = (...files: string[]) => losslens(['merge', ...files, '--config', run, '--out', join(dir, 'x.html'), '--json', join(dir, 'x.json')]);
    const expectError = (r: { code: number; stderr: string }, pattern: RegExp) => {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    };

    expectError(await merge(p(1)), /no partial for shard 2\/2/);
    expectError(await merge(p(1), p(1), p(2)), /shard 1\/2 once/);

    const corrupt = join(dir, 'corrupt.partial');
    const bytes = readFileSync(p(2));
    bytes[bytes.length - 40] ^= 0xff;
    writeFileSync(corrupt, bytes);
    expectError(await merge(p(1), corrupt), /checksum mismatch/);

    // Relabelled records: the partials' earlier-checkpoint columns were computed with the old labels.
    const csv = join(run, 'records.csv');
    const original = readFileSync(csv, 'utf8');
    writeFileSync(csv, original.replace('r01,dog,', 'r01,cat,'));
    expectError(await merge(p(1), p(2)), /p1\.partial.*other labels \(records were relabelled since the shard was scored/);
    writeFileSync(csv, original);

    const cfgPath = join(run, 'losslens.config.json');
    writeFileSync(cfgPath, readFileSync(cfgPath, 'utf8').replace('"seed": 3', '"seed": 4'));
    expectError(await merge(p(1), p(2)), /different config file/);
  });

  it('parses i/n and tiles the records into contiguous ranges', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    for (const bad of ['0/3', '4/3', 'x', '1/0', '1-3']) expect(() => parseShard(bad)).toThrow(InputError);
    const ranges = [1, 2, 3].map((index) => shardRange(10, { index, count: 3 }));
    expect(ranges).toEqual([{ start: 0, end: 3 }, { start: 3, end: 6 }, { start: 6, end: 10 }]);
  });
});
