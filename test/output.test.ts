import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/messages.ts';
import { checkWritable, liveTemps, removeLiveTemps, stage, writeAllAtomic, writeAtomic } from '../src/output.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const OUTPUT = join(ROOT, 'src/output.ts');

/** Run `code` (an ES module importing OUTPUT) in a child node process with `sh` setup before it (e.g. a ulimit). */
function script(code: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'out-script-')), 'script.mts');
  writeFileSync(file, code);
  return file;
}

describe('atomic output', () => {
  it('creates folders, replaces the file whole and leaves no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const path = join(dir, 'a/b/report.html');
    await writeAtomic(path, 'one');
    await writeAtomic(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'a/b'))).toEqual(['report.html']);
  });

  it('keeps the previous file when the stream of chunks fails midway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const path = join(dir, 'scores.csv');
    writeFileSync(path, 'previous');
    let before: string[] = [];
    function* chunks() {
      before = readdirSync(dir);
      yield 'id,loss\n';
      throw new Error('disk on fire');
    }
    await expect(writeAtomic(path, chunks())).rejects.toThrow('disk on fire');
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['scores.csv']);
    // The temporary file was open before the first chunk was read, so the clean-up cannot run
    // ahead of its creation (it did, under load, when the stream opened the file in the background).
    expect(before).toHaveLength(2);
    expect(before.some((f) => f.startsWith('scores.csv.tmp-'))).toBe(true);
  });

  it('streams many chunks in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const path = join(dir, 'big.csv');
    const parts = Array.from({ length: 2000 }, (_, i) => `${i},${'x'.repeat(100)}\n`);
    await writeAtomic(path, parts);
    expect(readFileSync(path, 'utf8')).toBe(parts.join(''));
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('a write error while streaming (here the file size limit) is one InputError naming the file, and removes the temporary file', () => {
    // A full disk, as a unit test can make one: past `ulimit -f` a write fails with EFBIG as it
    // would with ENOSPC. The error came while no one listened: an unhandled 'error' event, exit 1.
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const file = script(`
      import { writeAtomic } from ${JSON.stringify(OUTPUT)};
      const chunks = Array.from({ length: 2000 }, () => 'x'.repeat(1000) + '\\n');
      try { await writeAtomic(${JSON.stringify(join(dir, 'r.csv'))}, chunks, '--scores'); } catch (e) { console.log(e.name + ': ' + e.message); }
    `);
    const r = spawnSync('sh', ['-c', 'ulimit -f 256 && exec "$0" --import tsx "$1"', process.execPath, file], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`InputError: --scores (${join(dir, 'r.csv')}): expected a writable location, found the file size limit (ulimit -f) reached\n`);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('a directory or a file in place of a folder is an InputError naming the option, leaving no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'file'), 'x');
    const isDir = writeAtomic(join(dir, 'taken'), 'report', '--out');
    await expect(isDir).rejects.toThrow(InputError);
    await expect(isDir).rejects.toThrow(`--out (${join(dir, 'taken')}): expected a writable location, found a directory`);
    await expect(writeAtomic(join(dir, 'file/sub/r.json'), '{}', '--json')).rejects.toThrow(`--json (${join(dir, 'file/sub/r.json')}): expected a writable location, found a file in place of one of its folders`);
    expect(readdirSync(dir).sort()).toEqual(['file', 'taken']);
    expect(liveTemps()).toEqual([]);
  });

  it('writes a set of files all or none: one that cannot be written leaves every old file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    for (const f of ['r.html', 'r.json']) writeFileSync(join(dir, f), 'old');
    writeFileSync(join(dir, 'file'), 'x');
    const files = [
      { path: join(dir, 'r.html'), content: 'new' },
      { path: join(dir, 'r.json'), content: ['n', 'e', 'w'] },
      { path: join(dir, 'file/r.md'), content: 'new', what: '--md' },
    ];
    await expect(writeAllAtomic(files)).rejects.toThrow(/^--md .*found a file in place of one of its folders$/);
    expect(readdirSync(dir).sort()).toEqual(['file', 'r.html', 'r.json']);
    expect([readFileSync(join(dir, 'r.html'), 'utf8'), readFileSync(join(dir, 'r.json'), 'utf8')]).toEqual(['old', 'old']);
    await writeAllAtomic(files.slice(0, 2));
    expect([readFileSync(join(dir, 'r.html'), 'utf8'), readFileSync(join(dir, 'r.json'), 'utf8')]).toEqual(['new', 'new']);
  });

  it('removes the temporary files of staged outputs on demand, and listens for SIGINT/SIGTERM only while there are some', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    const listeners = process.listenerCount('SIGINT');
    await stage(join(dir, 'a.html'), 'a');
    await stage(join(dir, 'b.json'), ['b']);
    expect(liveTemps()).toHaveLength(2);
    expect(readdirSync(dir)).toHaveLength(2);
    expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
    removeLiveTemps();
    expect(readdirSync(dir)).toEqual([]);
    expect(liveTemps()).toEqual([]);
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} while an output is staged removes its temporary file and exits ${code}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'out-'));
      writeFileSync(join(dir, 'r.html'), 'old');
      const file = script(`
        import { stage } from ${JSON.stringify(OUTPUT)};
        await stage(${JSON.stringify(join(dir, 'r.html'))}, 'new');
        console.log('staged');
        setInterval(() => {}, 1000); // waits for the signal
      `);
      const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      let staged = '';
      await new Promise<void>((resolve) => child.stdout.on('data', (d) => { staged += d; if (staged.includes('staged')) resolve(); }));
      expect(readdirSync(dir)).toHaveLength(2);
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(readdirSync(dir)).toEqual(['r.html']);
      expect(readFileSync(join(dir, 'r.html'), 'utf8')).toBe('old');
    }, 60_000);
  }

  it('checks a place before the work, creating nothing: a directory or a file in place of a folder refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'));
    writeFileSync(join(dir, 'file'), 'x');
    mkdirSync(join(dir, 'a'));
    await checkWritable(join(dir, 'a/b/c/r.html'), '--out');
    expect(readdirSync(join(dir, 'a'))).toEqual([]);
    await expect(checkWritable(join(dir, 'a'), '--out')).rejects.toThrow(`--out (${join(dir, 'a')}): expected a writable location, found a directory`);
    await expect(checkWritable(join(dir, 'file/sub/r.md'), '--md')).rejects.toThrow(`--md (${join(dir, 'file/sub/r.md')}): expected a writable location, found a file in place of one of its folders`);
  });
});
