/** `losslens log`: appends one row with the headline metrics and the split hash, never rewriting. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendLine, logCommand, nextId } from '../../src/commands/log.ts';
import { InputError } from '../../src/messages.ts';

const TINY = join(import.meta.dirname, '../fixtures/tiny');

function copyTiny(split = 'val'): string {
  const dir = mkdtempSync(join(tmpdir(), 'losslens-log-'));
  cpSync(TINY, dir, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(dir, 'losslens.config.json'), 'utf8'));
  cfg.logs = { experiments: 'experiments.jsonl' };
  cfg.evaluate = { split };
  writeFileSync(join(dir, 'losslens.config.json'), JSON.stringify(cfg));
  if (split === 'test') writeFileSync(join(dir, 'records.csv'), readFileSync(join(dir, 'records.csv'), 'utf8').replaceAll(',val,', ',test,'));
  return dir;
}

let out: string[];
beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.stubEnv('SOURCE_DATE_EPOCH', '1790000000');
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('losslens log', () => {
  it('appends a row with the audit headline metrics after the existing rows, byte for byte', async () => {
    const dir = copyTiny();
    const before = '{"date":"2026-01-01","id":"e1","change":"first","metric":"val_accuracy","value":0.5}'; // no final newline
    writeFileSync(join(dir, 'experiments.jsonl'), before);
    expect(await logCommand.run([dir, '--change', 'wider layer', '--note', 'looks better', '--tag', 'mlp', '--quiet'])).toBe(0);
    const text = readFileSync(join(dir, 'experiments.jsonl'), 'utf8');
    expect(text.startsWith(`${before}\n`)).toBe(true);
    const row = JSON.parse(text.trimEnd().split('\n')[1]);
    expect(row).toMatchObject({ date: '2026-09-21', id: 'audit-02', change: 'wider layer', note: 'looks better', tags: ['audit', 'mlp'], metric: 'val_accuracy', split: 'val', checkpoint: 'step-0100', n: 10 });
    expect(row.value).toBe(row.accuracy);
    expect(row.splitHash).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(out.join('')).toBe(`${JSON.stringify(row)}\n`);
  }, 60_000);

  it('scores as the audit does: a preprocess module\'s inputs (the spam example) give the accuracy of its committed report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'losslens-log-spam-'));
    cpSync(join(import.meta.dirname, '../../examples/spam'), dir, { recursive: true });
    expect(await logCommand.run([dir, '--change', 'same model', '--quiet'])).toBe(0);
    const row = JSON.parse(readFileSync(join(dir, 'experiments.jsonl'), 'utf8').trimEnd().split('\n').at(-1)!);
    const report = JSON.parse(readFileSync(join(import.meta.dirname, '../../reports/spam.json'), 'utf8'));
    expect(row).toMatchObject({ split: report.final.split, checkpoint: report.final.checkpoint, n: report.final.n });
    expect(row.accuracy).toBe(Number(report.final.accuracy.toFixed(6)));
  }, 120_000);

  it('warns on a repeated evaluation of the same test data', async () => {
    const dir = copyTiny('test');
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    await logCommand.run([dir, '--change', 'one', '--quiet']);
    await logCommand.run([dir, '--change', 'two', '--quiet']);
    const rows = readFileSync(join(dir, 'experiments.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.id)).toEqual(['audit-01', 'audit-02']);
    expect(rows[0].splitHash).toBe(rows[1].splitHash);
    expect(err.join('')).toMatch(/already evaluated 1 time\(s\) \(audit-01\)/);
  }, 60_000);

  it('refuses without --change or without logs.experiments', async () => {
    await expect(logCommand.run([copyTiny()])).rejects.toThrow(/--change/);
    await expect(logCommand.run([TINY, '--change', 'x'])).rejects.toThrow(InputError);
    await expect(logCommand.run([TINY, '--change', 'x'])).rejects.toThrow(/logs\.experiments/);
  });
});

describe('log helpers', () => {
  it('nextId skips taken ids', () => {
    expect(nextId([])).toBe('audit-01');
    expect(nextId(['a', 'audit-03', 'b'])).toBe('audit-04');
    expect(nextId(['audit-02', 'x'])).toBe('audit-03');
  });
  it('appendLine creates the file and adds exactly one line', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'losslens-append-')), 'e.jsonl');
    await appendLine(f, '{"a":1}');
    await appendLine(f, '{"a":2}');
    expect(readFileSync(f, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
  });
});
