/**
 * The score cache must never return scores for a different checkpoint, input or backend: every
 * test here changes one thing the scores depend on and checks the entry is not used.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, normalizeConfig } from '../../src/config.ts';
import { discoverCheckpoints } from '../../src/load/checkpoints.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { loadInputs } from '../../src/load/inputs.ts';
import { isShared } from '../../src/load/shared-file.ts';
import { silentProgress } from '../../src/progress.ts';
import { createScoreCache, decodeEntry, encodeEntry, hashCheckpoint, hashInputs } from '../../src/score/cache.ts';
import type { ScoringRuntime } from '../../src/score/runtime.ts';
import { scoreRun } from '../../src/score/score.ts';
import { createTfjsRuntime } from '../../src/score/tfjs.ts';
import type { Dataset, ModelInputs, ScoredRun } from '../../src/types.ts';
import { scoreBytes } from '../helpers/scores.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'tiny');

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'losslens-cache-'));
  cpSync(FIXTURE, dir, { recursive: true });
  cacheDir = join(dir, 'cache');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Loaded {
  dataset: Dataset;
  inputs: ModelInputs;
}
async function load(): Promise<Loaded> {
  const config = loadConfig(dir);
  const dataset = await loadDataset(config.dataset, () => {});
  const inputs = await loadInputs(config.inputs!, dataset.n);
  return { dataset, inputs };
}

/** The tfjs runtime, counting loads (a load = a checkpoint actually scored) and optionally renamed. */
async function counting(name?: string): Promise<{ runtime: ScoringRuntime; loads: string[] }> {
  const base = await createTfjsRuntime();
  const loads: string[] = [];
  return { loads, runtime: { name: name ?? base.name, warnings: [], load: (c) => (loads.push(c.id), base.load(c)) } };
}

async function audit(opts: { backend?: string; loaded?: Loaded; batchSize?: number; output?: 'auto' | 'probabilities' } = {}) {
  const { runtime, loads } = await counting(opts.backend);
  const warnings: string[] = [];
  const cache = createScoreCache(cacheDir, (w) => warnings.push(w));
  const { dataset, inputs } = opts.loaded ?? (await load());
  const checkpoints = await discoverCheckpoints('checkpoints/*/model.json', dir);
  const run = await scoreRun(runtime, checkpoints, dataset, inputs, { batchSize: opts.batchSize ?? 16, output: opts.output ?? 'auto', progress: silentProgress, cache });
  return { run, loads, warnings, cache };
}

function expectSameScores(a: ScoredRun, b: ScoredRun): void {
  expect(b.scores.length).toBe(a.scores.length);
  a.scores.forEach((s, c) => {
    expect(scoreBytes(b.scores[c]).equals(scoreBytes(s))).toBe(true);
    expect(Array.from(b.scores[c].pred)).toEqual(Array.from(s.pred));
    expect(Buffer.from(b.scores[c].loss.buffer).equals(Buffer.from(s.loss.buffer))).toBe(true);
    expect(Buffer.from(b.scores[c].conf.buffer).equals(Buffer.from(s.conf.buffer))).toBe(true);
  });
  expect(b.outputKind).toEqual(a.outputKind);
}

const entries = () => readdirSync(cacheDir).filter((f) => f.endsWith('.scores')).sort();

describe('score cache', () => {
  it('scores every checkpoint once, then reuses them with byte-identical results', async () => {
    const cold = await audit();
    expect(cold.loads).toEqual(['step-0000', 'step-0100']);
    expect(cold.cache.stats).toEqual({ hits: 0, misses: 2, rejected: 0 });
    expect(entries()).toHaveLength(2);
    expect(readFileSync(join(cacheDir, '.gitignore'), 'utf8')).toContain('*');

    const warm = await audit();
    expect(warm.loads).toEqual([]);
    expect(warm.cache.stats).toEqual({ hits: 2, misses: 0, rejected: 0 });
    expect(warm.warnings).toEqual([]);
    expectSameScores(cold.run, warm.run);
    expect(isShared(warm.run.scores[1].probs!)).toBe(true); // read into shared memory, as scoring writes them
  });

  it('re-scores a checkpoint whose weights changed by one byte, and only that one', async () => {
    await audit();
    const weights = join(dir, 'checkpoints', 'step-0100', 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[5] ^= 0x01;
    writeFileSync(weights, bytes);
    const after = await audit();
    expect(after.loads).toEqual(['step-0100']);
  });

  it('re-scores everything when one input value changes', async () => {
    await audit();
    const loaded = await load();
    loaded.inputs.data[3] += 0.5;
    const after = await audit({ loaded });
    expect(after.loads).toEqual(['step-0000', 'step-0100']);
  });

  it('re-scores everything on another backend, batch size or output interpretation', async () => {
    await audit();
    expect((await audit({ backend: 'other-backend' })).loads).toHaveLength(2);
    expect((await audit({ batchSize: 7 })).loads).toHaveLength(2);
    // (The fixture's model ends in a softmax: declaring "logits" would now be refused.)
    expect((await audit({ output: 'probabilities' })).loads).toHaveLength(2);
    // ... and each setup then has its own entry that is reused.
    expect((await audit({ backend: 'other-backend' })).loads).toHaveLength(0);
  });

  it('scores only a newly added checkpoint', async () => {
    await audit();
    cpSync(join(dir, 'checkpoints', 'step-0100'), join(dir, 'checkpoints', 'step-0200'), { recursive: true });
    const weights = join(dir, 'checkpoints', 'step-0200', 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[9] ^= 0x10;
    writeFileSync(weights, bytes);
    const after = await audit();
    expect(after.loads).toEqual(['step-0200']);
    expect(after.cache.stats.hits).toBe(2);
  });

  it('ignores a corrupt entry with a warning, re-scores it and repairs it', async () => {
    const cold = await audit();
    const [first] = entries();
    const file = join(cacheDir, first!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] ^= 0xff; // inside the probabilities
    writeFileSync(file, bytes);
    const after = await audit();
    expect(after.loads).toHaveLength(1);
    expect(after.cache.stats.rejected).toBe(1);
    expect(after.warnings).toHaveLength(1);
    expect(after.warnings[0]).toMatch(/checksum mismatch/);
    expectSameScores(cold.run, after.run);
    expect((await audit()).loads).toEqual([]); // rewritten
  });

  it('ignores an entry stored under another key, and a truncated one', async () => {
    await audit();
    const [a, b] = entries().map((f) => join(cacheDir, f));
    writeFileSync(a!, readFileSync(b!)); // a valid entry, but for the other checkpoint
    const swapped = await audit();
    expect(swapped.loads).toHaveLength(1);
    expect(swapped.warnings[0]).toMatch(/belongs to another key/);
    writeFileSync(b!, readFileSync(b!).subarray(0, 40));
    const truncated = await audit();
    expect(truncated.loads).toHaveLength(1);
    expect(truncated.warnings[0]).toMatch(/checksum mismatch|not a losslens score cache file/);
  });

  it('warns instead of failing when the cache cannot be written', async () => {
    writeFileSync(cacheDir, 'a file where the cache folder should be');
    const run = await audit();
    expect(run.loads).toHaveLength(2);
    expect(run.warnings).toHaveLength(1); // once, not per checkpoint
    expect(run.warnings[0]).toMatch(/could not write the score cache entry .*later entries that fail in this run are not listed/);
  });
});

describe('cache entries', () => {
  const header = { format: 1, key: 'k1', checkpoint: 'c', n: 2, k: 2, outputKind: 'probabilities' as const, endianness: 'LE' };
  const probs = Float32Array.from([0.25, 0.75, NaN, NaN]);
  const scorable = Uint8Array.from([1, 0]);

  it('round-trips, and rejects a wrong key, shape or a score on an unscored record', () => {
    const bytes = encodeEntry(header, probs);
    const ok = decodeEntry(bytes, 'k1', 2, 2, scorable);
    expect(typeof ok).not.toBe('string');
    expect(Array.from((ok as { probs: Float32Array }).probs.subarray(0, 2))).toEqual([0.25, 0.75]);
    expect(decodeEntry(bytes, 'k2', 2, 2, scorable)).toBe('the entry belongs to another key');
    expect(decodeEntry(bytes, 'k1', 2, 3, scorable)).toMatch(/shape 2×2, expected 2×3/);
    expect(decodeEntry(bytes, 'k1', 2, 2, Uint8Array.from([0, 0]))).toMatch(/unscored record 0 holds a score/);
    expect(decodeEntry(encodeEntry({ ...header, format: 99 }, probs), 'k1', 2, 2, scorable)).toMatch(/cache format 99/);
    expect(decodeEntry(Buffer.from('hello'), 'k1', 2, 2, scorable)).toBe('not a losslens score cache file');
  });

  it('keys uint8 inputs by their codes and the values the codes stand for: any value change changes the key', () => {
    const codes = (data: Uint8Array, scale: number, offset?: number): ModelInputs => ({ file: 'x.npy', n: 4, shape: [3], rowSize: 3, data, scale, offset });
    const data = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    const key = hashInputs(codes(data, 1 / 255));
    expect(hashInputs(codes(Uint8Array.from(data), 1 / 255))).toBe(key);
    const changed = Uint8Array.from(data);
    changed[7] ^= 1;
    expect(hashInputs(codes(changed, 1 / 255))).not.toBe(key);
    expect(hashInputs(codes(data, 1 / 256))).not.toBe(key); // same codes, other values
    expect(hashInputs(codes(data, 1 / 255, 0.5))).not.toBe(key);
    expect(hashInputs({ ...codes(data, 1 / 255), shape: [1, 3] })).not.toBe(key);
    // Float32 inputs: their values.
    const floats = (v: number[]): ModelInputs => ({ file: 'x.npy', n: 2, shape: [2], rowSize: 2, data: Float32Array.from(v) });
    expect(hashInputs(floats([0, 1, 2, 3]))).toBe(hashInputs(floats([0, 1, 2, 3])));
    expect(hashInputs(floats([0, 1, 2, 3]))).not.toBe(hashInputs(floats([0, 1, 2, 4])));
  });

  it('hashes model.json together with the weights files it names', async () => {
    const path = join(dir, 'checkpoints', 'step-0000', 'model.json');
    const before = await hashCheckpoint(path);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(dir, 'checkpoints', 'step-0000', 'unrelated.txt'), 'x');
    expect(await hashCheckpoint(path)).toBe(before);
    rmSync(join(dir, 'checkpoints', 'step-0000', 'weights.bin'));
    expect(await hashCheckpoint(path)).toBeNull();
    expect(await hashCheckpoint(join(dir, 'nope.json'))).toBeNull();
  });
});

describe('cache config', () => {
  const base = { dataset: { file: 'records.csv' }, model: { checkpoints: '*/model.json' } };

  it('defaults to an enabled .losslens-cache folder next to the config', () => {
    const c = normalizeConfig(base, '/runs/a/losslens.config.json');
    expect(c.cache).toEqual({ dir: '/runs/a/.losslens-cache', enabled: true });
  });

  it('takes a folder relative to the config and can be disabled', () => {
    const c = normalizeConfig({ ...base, cache: { dir: '../shared-cache', enabled: false } }, '/runs/a/losslens.config.json');
    expect(c.cache).toEqual({ dir: '/runs/shared-cache', enabled: false });
  });

  it('names the key of a bad value', () => {
    expect(() => normalizeConfig({ ...base, cache: { enabled: 'no' } }, '/x/losslens.config.json')).toThrow(/cache\.enabled/);
    expect(() => normalizeConfig({ ...base, cache: { folder: 'x' } }, '/x/losslens.config.json')).toThrow(/cache\.folder/);
  });
});
