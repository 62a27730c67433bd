/**
 * `npm run demo`: rebuilds each bundled example's model inputs when missing, then audits it into
 * reports/<name>.{html,json,md}. The report time is pinned (SOURCE_DATE_EPOCH) so the committed
 * reports are byte-identical on every run; a test checks that they are up to date.
 */
import { spawnSync } from 'node:child_process';
import { run } from '../src/cli.ts';

/** Each example: its folder and the script that rebuilds uncommitted inputs. */
export const EXAMPLES = [
  { name: 'mnist', dir: 'examples/mnist', prepare: 'examples/mnist/prepare.ts' },
  { name: 'spam', dir: 'examples/spam', prepare: 'examples/spam/prepare.ts' },
  { name: 'penguins', dir: 'examples/penguins', prepare: 'examples/penguins/prepare.ts' },
];

/** 2026-11-28T00:00:00Z, the date of the bundled example runs. */
export const DEMO_EPOCH = '1795824000';

export function demoArgs(name: string, dir: string, outDir = 'reports'): string[] {
  return ['audit', dir, '--out', `${outDir}/${name}.html`, '--json', `${outDir}/${name}.json`, '--md', `${outDir}/${name}.md`];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.SOURCE_DATE_EPOCH ??= DEMO_EPOCH;
  for (const ex of EXAMPLES) {
    const prep = spawnSync(process.execPath, ['--import', 'tsx', ex.prepare], { stdio: 'inherit' });
    if (prep.status !== 0) process.exit(prep.status ?? 3);
    await run(demoArgs(ex.name, ex.dir));
    if (process.exitCode) process.exit(process.exitCode);
  }
}
