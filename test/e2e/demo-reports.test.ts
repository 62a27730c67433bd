/**
 * The committed example reports must be what `npm run demo` produces now: regenerate them into a
 * temporary folder (backend pinned, as a machine with tfjs-node would otherwise name another one)
 * and compare byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_EPOCH, EXAMPLES, demoArgs } from '../../scripts/demo.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('committed demo reports', () => {
  for (const ex of EXAMPLES) {
    it(`reports/${ex.name}.* are up to date (run npm run demo if this fails)`, () => {
      const env = { ...process.env, SOURCE_DATE_EPOCH: DEMO_EPOCH, LOSSLENS_BACKEND: 'tfjs-wasm' };
      // Model inputs were rebuilt by test/global-setup.ts, as the demo's prepare step does.
      const out = mkdtempSync(join(tmpdir(), 'losslens-demo-'));
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/losslens.mjs'), ...demoArgs(ex.name, ex.dir, out), '--quiet'], { cwd: ROOT, env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const committed = readdirSync(join(ROOT, 'reports')).filter((f) => f.startsWith(`${ex.name}.`));
      expect(committed.length).toBeGreaterThanOrEqual(2);
      for (const f of readdirSync(out)) {
        expect(existsSync(join(ROOT, 'reports', f)), `reports/${f} is not committed`).toBe(true);
        const same = readFileSync(join(out, f), 'utf8') === readFileSync(join(ROOT, 'reports', f), 'utf8');
        expect(same, `reports/${f} differs from a fresh run`).toBe(true);
      }
    });
  }
});
