/**
 * `npm run demo`: rebuilds each bundled example's model inputs when missing, then audits it into
 * reports/<name>.{html,json,md}. The report time (SOURCE_DATE_EPOCH) and the backend
 * (LOSSLENS_BACKEND=tfjs-wasm) are pinned so the committed reports are byte-identical on every run
 * and machine; a test checks that they are up to date.
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
  process.env.SOURCE_DATE_EPOCH ||= DEMO_EPOCH;
  // The committed reports name the backend and carry its float rounding: pin the one every machine
  // has, so `npm run demo` reproduces them byte for byte (your own audits use the fastest available).
  process.env.LOSSLENS_BACKEND ||= 'tfjs-wasm';
  for (const ex of EXAMPLES) {
    const prep = spawnSync(process.execPath, ['--import', 'tsx', ex.prepare], { stdio: 'inherit' });
    if (prep.status !== 0) process.exit(prep.status ?? 3);
    await run(demoArgs(ex.name, ex.dir));
    if (process.exitCode) process.exit(process.exitCode);
  }
}
