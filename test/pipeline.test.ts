/** runAudit's stages as the user sees them: ready scores (a merge) are read, not scored, and give the same summary. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { runAudit } from '../src/pipeline.ts';
import { stableJson } from '../src/report/json-text.ts';

const TINY = fileURLToPath(new URL('./fixtures/tiny', import.meta.url));

function recorder() {
  const stages: string[] = [];
  const warnings: string[] = [];
  return { stages, warnings, progress: { stage: (s: string) => void stages.push(s), tick() {}, warn: (w: string) => void warnings.push(w), done() {} } };
}

describe('runAudit', () => {
  it('says "scoring" when it scores and "reading the ready scores" when handed them, with the same summary', async () => {
    const config = loadConfig(TINY);
    config.cache.enabled = false;
    const scored = recorder();
    const first = await runAudit(config, { progress: scored.progress, now: new Date(0) });
    expect(scored.stages.find((s) => s.startsWith('scoring'))).toMatch(/^scoring 40 records × 2 checkpoints on /);
    const ready = recorder();
    const second = await runAudit(config, { progress: ready.progress, now: new Date(0), scores: async () => first.ctx.run });
    expect(ready.stages).toContain('reading the ready scores of 40 records × 2 checkpoints');
    expect(ready.stages.some((s) => s.startsWith('scoring'))).toBe(false);
    const strip = (summary: Record<string, unknown>) => stableJson({ ...summary, run: { ...(summary.run as object), wallTimeMs: null } });
    expect(strip(second.summary)).toBe(strip(first.summary));
  }, 60_000);

  it('tells of score-cache trouble on stderr only: the report is the one a healthy cache gives', async () => {
    const config = loadConfig(TINY);
    config.cache.enabled = false;
    const plain = await runAudit(config, { progress: recorder().progress, now: new Date(0) });
    config.cache = { enabled: true, dir: join(mkdtempSync(join(tmpdir(), 'cache-file-')), 'cache') };
    writeFileSync(config.cache.dir, 'a file where the cache folder should be');
    const broken = recorder();
    const cached = await runAudit(config, { progress: broken.progress, now: new Date(0) });
    expect(broken.warnings.filter((w) => /score cache/.test(w))).toHaveLength(1);
    expect(cached.html).toBe(plain.html);
    expect(stableJson(cached.summary)).toBe(stableJson(plain.summary));
  }, 60_000);

  it('refuses a labelIssueSplits entry the dataset lacks before scoring (it failed four sections and exited 0)', async () => {
    const config = loadConfig(TINY);
    config.analysis.labelIssueSplits = ['tset'];
    const r = recorder();
    await expect(runAudit(config, { progress: r.progress, now: new Date(0) })).rejects.toThrow(/analysis\.labelIssueSplits: expected splits of the dataset \(.*\), found "tset"/);
    expect(r.stages.some((s) => s.startsWith('scoring'))).toBe(false);
  });

  it('refuses display columns the dataset lacks before scoring (every preview was blank, exit 0)', async () => {
    const config = loadConfig(TINY);
    config.display = { type: 'fields', columns: ['site', 'nope'] };
    await expect(runAudit(config, { progress: recorder().progress, now: new Date(0) })).rejects.toThrow(/display\.columns: expected columns of .*records\.csv \(id, label, split, site.*\), found "nope"/);
    config.display = { type: 'text', column: 'body', maxChars: 100 };
    await expect(runAudit(config, { progress: recorder().progress, now: new Date(0) })).rejects.toThrow(/display\.column: expected columns of .*found "body"/);
  });

  it('reports a broken dataset before a missing inputs file, though the inputs are read first', async () => {
    const config = loadConfig(TINY);
    config.dataset.file = join(TINY, 'no-such-records.csv');
    config.inputs = { ...config.inputs!, file: join(TINY, 'no-such-inputs.npy') };
    await expect(runAudit(config, { now: new Date(0) })).rejects.toThrow(/no-such-records\.csv/);
    config.dataset = loadConfig(TINY).dataset;
    await expect(runAudit(config, { now: new Date(0) })).rejects.toThrow(/inputs\.file.*no-such-inputs\.npy/);
  });
});
