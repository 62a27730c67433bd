/**
 * Before any test file runs: rebuild the examples' uncommitted model inputs (e.g.
 * examples/mnist/inputs.npy) once, as `npm run demo` would, so tests on a clean clone find them and
 * no two test files race to write them. The tests' temporary files go to one folder of this run
 * (TMPDIR, which the test processes and the CLIs they spawn inherit), removed at the end: every
 * run left hundreds of folders in /tmp.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES } from '../scripts/demo.ts';

export default function setup(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'losslens-tests-'));
  process.env.TMPDIR = scratch;
  const root = new URL('../', import.meta.url).pathname;
  for (const ex of EXAMPLES) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', ex.prepare], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${ex.prepare} failed (exit ${r.status}):\n${r.stderr}`);
  }
  return () => rmSync(scratch, { recursive: true, force: true });
}
