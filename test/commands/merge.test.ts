import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../../src/load/formats/npy.ts';
import { shardRange } from '../../src/score/shard.ts';

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

/**
 * Audit `dir` unsharded and as `count` shards (scored concurrently, merged out of order), both with
 * the same extra report options (`--seed`, `--md` when asked); return both outputs. Each run writes
 * into a folder of its own under the same file names, so the Markdown's link to its report matches.
 */
async function auditBothWays(dir: string, count: number, opts: { seed?: string; md?: boolean } = {}) {
  const out = mkdtempSync(join(tmpdir(), 'losslens-merge-'));
  const f = (run: string, name: string) => join(out, run, name);
  mkdirSync(join(out, 'full'));
  mkdirSync(join(out, 'merged'));
  const outputs = (run: string) => ['--out', f(run, 'report.html'), '--json', f(run, 'summary.json'), '--scores', f(run, 'scores.csv'), ...(opts.md ? ['--md', f(run, 'summary.md')] : []), ...(opts.seed ? ['--seed', opts.seed] : [])];
  const shards = Array.from({ length: count }, (_, i) => count - i);
  const partial = (i: number) => join(out, `p${i}.partial`);
  const runs = await Promise.all([
    losslens(['audit', dir, ...outputs('full'), '--no-cache']),
    ...shards.map((i) => losslens(['audit', dir, '--shard', `${i}/${count}`, '--partial', partial(i)])),
  ]);
  for (const r of runs) expect(r.stderr.replace(/losslens: warning: .*\n/g, '')).toBe('');
  expect(runs.map((r) => r.code)).toEqual(runs.map(() => 0));
  const merged = await losslens(['merge', ...shards.map(partial), '--config', dir, ...outputs('merged')]);
  expect(merged.code).toBe(0);
  const read = (run: string) => ({ html: readFileSync(f(run, 'report.html')), json: readFileSync(f(run, 'summary.json')), csv: readFileSync(f(run, 'scores.csv')), md: opts.md ? readFileSync(f(run, 'summary.md')) : null });
  return { full: read('full'), merged: read('merged') };
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

  it('merges shards with empty record ranges (more shards than records), and takes --seed and --md as audit does', async () => {
    // Five records of the tiny fixture (three train, two val) in seven shards: shards 1 and 4 hold no record.
    const dir = join(mkdtempSync(join(tmpdir(), 'losslens-few-')), 'run');
    cpSync(join(ROOT, 'test/fixtures/tiny'), dir, { recursive: true });
    const keep = [0, 1, 2, 30, 31];
    const lines = readFileSync(join(dir, 'records.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(dir, 'records.csv'), `${[lines[0], ...keep.map((i) => lines[i + 1])].join('\n')}\n`);
    const npy = parseNpy(readFileSync(join(dir, 'inputs.npy')), 'inputs.npy');
    const d = npy.shape.slice(1).reduce((a, b) => a * b, 1);
    const data = new Float32Array(keep.length * d);
    keep.forEach((row, r) => data.set((npy.data as Float32Array).subarray(row * d, row * d + d), r * d));
    writeFileSync(join(dir, 'inputs.npy'), encodeNpy({ dtype: npy.dtype, shape: [keep.length, ...npy.shape.slice(1)], data }));
    expect([1, 4].map((index) => shardRange(5, { index, count: 7 }))).toEqual([{ start: 0, end: 0 }, { start: 2, end: 2 }]);

    const r = await auditBothWays(dir, 7, { seed: '9', md: true });
    expect(r.merged.html.equals(r.full.html)).toBe(true);
    expect(r.merged.json.equals(r.full.json)).toBe(true);
    expect(r.merged.csv.equals(r.full.csv)).toBe(true);
    expect(r.merged.md!.equals(r.full.md!)).toBe(true);
    expect(JSON.parse(r.merged.json.toString()).run.seed).toBe(9);
    expect(r.full.md!.length).toBeGreaterThan(100);
  });

  it('precomputed logits by position in .npy files: shards read their own rows only, and merge into the unsharded report', async () => {
    // The tiny fixture's 40 records with seeded logits for two checkpoints; no model inputs.
    const dir = join(mkdtempSync(join(tmpdir(), 'losslens-pre-')), 'run');
    mkdirSync(dir);
    cpSync(join(ROOT, 'test/fixtures/tiny/records.csv'), join(dir, 'records.csv'));
    let seed = 7;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const writeLogits = (epoch: number, nanAt = -1) => {
      const logits = Float32Array.from({ length: 40 * 3 }, (_, j) => (Math.floor(j / 3) === nanAt ? Number.NaN : rand() * 4 - 2));
      mkdirSync(join(dir, 'preds', `epoch-${epoch}`), { recursive: true });
      writeFileSync(join(dir, 'preds', `epoch-${epoch}`, 'logits.npy'), encodeNpy({ dtype: 'float32', shape: [40, 3], data: logits }));
    };
    writeLogits(1);
    writeLogits(2);
    const config = { name: 'tiny-precomputed', dataset: { file: 'records.csv', split: 'split', classes: ['cat', 'dog', 'owl'], groupBy: ['site'] }, model: { type: 'precomputed', checkpoints: 'preds/*/logits.npy', output: 'logits', byPosition: true }, analysis: { topK: 5 }, seed: 3 };
    writeFileSync(join(dir, 'losslens.config.json'), JSON.stringify(config));
    const r = await auditBothWays(dir, 3);
    expect(r.merged.html.equals(r.full.html)).toBe(true);
    expect(r.merged.json.equals(r.full.json)).toBe(true);
    expect(r.merged.csv.equals(r.full.csv)).toBe(true);

    // A NaN in record 35's row (shard 3 of 3: records 26–39) fails that shard only, naming the record.
    writeLogits(2, 35);
    const p = (i: number) => join(dir, '..', `nan${i}.partial`);
    expect((await losslens(['audit', dir, '--shard', '1/3', '--partial', p(1)])).code).toBe(0);
    const third = await losslens(['audit', dir, '--shard', '3/3', '--partial', p(3)]);
    expect(third.code).toBe(2);
    expect(third.stderr).toMatch(/logits\.npy \(record "r35"\): expected finite predictions, found NaN in column 1/);
  }, 120_000);

  it('merges a partial listing 130 000 unscorable records (no spread of them as arguments)', async () => {
    // The tiny fixture's 40 records plus 130 000 with NaN inputs: one shard's header lists them all.
    const dir = join(mkdtempSync(join(tmpdir(), 'losslens-unscorable-')), 'run');
    cpSync(join(ROOT, 'test/fixtures/tiny'), dir, { recursive: true });
    const extra = 130_000;
    const lines = readFileSync(join(dir, 'records.csv'), 'utf8').trimEnd().split('\n');
    const added = Array.from({ length: extra }, (_, i) => `x${i},cat,train,north`);
    writeFileSync(join(dir, 'records.csv'), `${[...lines, ...added].join('\n')}\n`);
    const npy = parseNpy(readFileSync(join(dir, 'inputs.npy')), 'inputs.npy');
    const data = new Float32Array((npy.shape[0] + extra) * npy.shape[1]).fill(Number.NaN);
    data.set(npy.data as Float32Array);
    writeFileSync(join(dir, 'inputs.npy'), encodeNpy({ dtype: npy.dtype, shape: [npy.shape[0] + extra, npy.shape[1]], data }));

    const partial = join(dir, '..', 'p.partial');
    const json = join(dir, '..', 'summary.json');
    expect((await losslens(['audit', dir, '--shard', '1/1', '--partial', partial])).code).toBe(0);
    const merged = await losslens(['merge', partial, '--config', dir, '--out', join(dir, '..', 'report.html'), '--json', json]);
    expect(merged.code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8')).dataset.unscorable).toBe(extra);
  }, 120_000);

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

    // Report options belong to merge: with --shard they would be lost, so they are refused before any scoring.
    const refused = await losslens(['audit', run, '--shard', '1/2', '--partial', join(dir, 'x.partial'), '--scores', join(dir, 's.csv'), '--seed', '4']);
    expectError(refused, /--scores: expected to be given to losslens merge .*found --scores, --seed with --shard/);
    expect(existsSync(join(dir, 'x.partial'))).toBe(false);

    expectError(await merge(p(1)), /no partial for shard 2\/2/);
    // The set is checked before the dataset is loaded: a missing shard is named even when the dataset is gone.
    const csv0 = join(run, 'records.csv');
    renameSync(csv0, `${csv0}.away`);
    expectError(await merge(p(2)), /no partial for shard 1\/2/);
    renameSync(`${csv0}.away`, csv0);
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

    // A checkpoint re-written under its name: between the shards, or since they ran.
    const weights = join(run, 'checkpoints/step-0100/weights.bin');
    const trained = readFileSync(weights);
    const retrained = Buffer.from(trained);
    retrained[0] ^= 1;
    const other = join(dir, 'other');
    cpSync(run, other, { recursive: true });
    writeFileSync(join(other, 'checkpoints/step-0100/weights.bin'), retrained);
    expect((await losslens(['audit', other, '--shard', '2/2', '--partial', p(3)])).code).toBe(0);
    expectError(await merge(p(1), p(3)), /p3\.partial: expected checkpoints with the same contents as when .*p1\.partial was scored, found other contents for step-0100 \(a checkpoint changed between the shards/);
    writeFileSync(weights, retrained);
    expectError(await merge(p(1), p(2)), /losslens\.config\.json: expected the checkpoint files the shards scored .*found other contents for step-0100 now/);
    writeFileSync(weights, trained);
    // A checkpoint gone: the message shows the config's list as found.
    renameSync(join(run, 'checkpoints/step-0100'), join(dir, 'step-0100.away'));
    expectError(await merge(p(1), p(2)), /losslens\.config\.json: expected the same checkpoints as .*p1\.partial, found \[\{"id":"step-0000","step":0\}\]/);
    renameSync(join(dir, 'step-0100.away'), join(run, 'checkpoints/step-0100'));
    expectError(await losslens(['audit', run, '--shard', '1/99999999999999999999']), /--shard: expected i\/n with 1 ≤ i ≤ n ≤ 100,000/);

    const cfgPath = join(run, 'losslens.config.json');
    writeFileSync(cfgPath, readFileSync(cfgPath, 'utf8').replace('"seed": 3', '"seed": 4'));
    expectError(await merge(p(1), p(2)), /different config file/);
  });

  it('refuses an output that would replace a partial or an input of the config, before reading the partials (exit 2, one line)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'losslens-shards-'));
    const tiny = join(ROOT, 'test/fixtures/tiny');
    writeFileSync(join(dir, 'p1.partial'), 'not read: the output paths are checked first');
    const onPartial = await losslens(['merge', join(dir, 'p1.partial'), '--config', tiny, '--out', join(dir, 'r.html'), '--json', join(dir, 'p1.partial')]);
    expect(onPartial.code).toBe(2);
    expect(onPartial.stderr).toBe(`losslens: --json (${join(dir, 'p1.partial')}): expected a file that is not one of the run's inputs (inputs are never overwritten), found a partial result given to merge\n`);
    const onDataset = await losslens(['merge', join(dir, 'p1.partial'), '--config', tiny, '--out', join(dir, 'r.html'), '--json', join(dir, 'r.json'), '--scores', join(tiny, 'records.csv')]);
    expect(onDataset.code).toBe(2);
    expect(onDataset.stderr).toMatch(/^losslens: --scores \(.*records\.csv\): .*found dataset\.file of /);
    expect(readdirSync(dir)).toEqual(['p1.partial']);
  });
});
