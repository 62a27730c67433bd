/**
 * `tsx bench/cache.ts [--reps 3] [--example examples/mnist]`: wall time of the demo audit with a
 * cold score cache (empty folder: every checkpoint is scored and stored) against a warm one (every
 * checkpoint read back), each in a fresh process so tfjs start-up is counted both times. Prints
 * the median of each and the speed-up as a markdown table (the figure quoted in the README).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);

/** Child: one full audit (load → score → analyses → render) with the cache in `cacheDir`. */
async function child(example: string, cacheDir: string): Promise<void> {
  const { loadConfig } = await import('../src/config.ts');
  const { runAudit } = await import('../src/pipeline.ts');
  const config = loadConfig(example);
  config.cache = { dir: cacheDir, enabled: true };
  const hits: string[] = [];
  const t0 = performance.now();
  // The scoring stage runs from "scoring …" to the next stage line (the cache summary).
  let scoreStart = NaN;
  let scoreMs = NaN;
  const stage = (s: string) => {
    if (s.startsWith('scoring')) scoreStart = performance.now();
    else if (Number.isNaN(scoreMs) && !Number.isNaN(scoreStart)) scoreMs = performance.now() - scoreStart;
    if (s.startsWith('score cache')) hits.push(s);
  };
  await runAudit(config, { progress: { stage, tick() {}, warn() {}, done() {} } });
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0, scoreMs, cache: hits[0] ?? '' })}\n`);
}

function timeChild(example: string, cacheDir: string): { wallMs: number; auditMs: number; scoreMs: number; cache: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', '--example', example, '--cache-dir', cacheDir], { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1795824000' } });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`audit failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; scoreMs: number; cache: string };
  return { wallMs, auditMs: out.ms, scoreMs: out.scoreMs, cache: out.cache };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { child: { type: 'boolean', default: false }, example: { type: 'string', default: 'examples/mnist' }, 'cache-dir': { type: 'string' }, reps: { type: 'string', default: '3' } } });
  if (values.child) return child(values.example!, values['cache-dir']!);
  const reps = Number(values.reps);
  const cold: ReturnType<typeof timeChild>[] = [];
  const warm: ReturnType<typeof timeChild>[] = [];
  for (let i = 0; i < reps; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'losslens-bench-cache-'));
    try {
      cold.push(timeChild(values.example!, dir));
      warm.push(timeChild(values.example!, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    process.stderr.write(`  rep ${i + 1}/${reps}: cold ${(cold[i].wallMs / 1000).toFixed(2)} s (${cold[i].cache}), warm ${(warm[i].wallMs / 1000).toFixed(2)} s (${warm[i].cache})\n`);
  }
  const c = median(cold.map((r) => r.wallMs));
  const w = median(warm.map((r) => r.wallMs));
  const ca = median(cold.map((r) => r.auditMs));
  const wa = median(warm.map((r) => r.auditMs));
  const cs = median(cold.map((r) => r.scoreMs));
  const ws = median(warm.map((r) => r.scoreMs));
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`### Score cache: ${values.example} audit, median of ${reps}\n`);
  console.log('| | cold cache | warm cache | speed-up |');
  console.log('|---|---:|---:|---:|');
  console.log(`| process wall time | ${s(c)} | ${s(w)} | ${(c / w).toFixed(1)}× |`);
  console.log(`| runAudit only | ${s(ca)} | ${s(wa)} | ${(ca / wa).toFixed(1)}× |`);
  console.log(`| scoring stage | ${s(cs)} | ${s(ws)} | ${(cs / ws).toFixed(1)}× |`);
}

await main();
