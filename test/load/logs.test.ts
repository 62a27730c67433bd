/** Reader selection by format, merging of two sources, tolerant JSONL and the CSV experiment log. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLogs, mergeSources, metricsFormat, parseJsonLine } from '../../src/load/logs.ts';
import { InputError } from '../../src/messages.ts';
import { tfeventsFile } from '../helpers/tfevents-writer.ts';

const FIX = join(import.meta.dirname, '../fixtures/logs');
const tmp = () => mkdtempSync(join(tmpdir(), 'losslens-logs-'));

describe('metricsFormat', () => {
  it('picks the reader from the name', () => {
    expect(metricsFormat('a/metrics.jsonl', false)).toBe('jsonl');
    expect(metricsFormat('a/training.csv', false)).toBe('keras-csv');
    expect(metricsFormat('a/events.out.tfevents.1.host', false)).toBe('tfevents');
    expect(metricsFormat('a/runs', true)).toBe('tfevents');
  });
});

describe('loadLogs', () => {
  it('reads an event file of a long run (150 000 steps) without spreading its rows as arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logs-long-'));
    const file = join(dir, 'events.out.tfevents.1.host');
    writeFileSync(file, tfeventsFile(Array.from({ length: 150_000 }, (_, step) => ({ step, tag: 'loss', value: 1 / (1 + step) }))));
    const logs = await loadLogs({ metrics: file, experiments: null, tensorboard: null });
    expect(logs.metrics!.length).toBe(150_000);
    expect(logs.metrics![149_999]).toMatchObject({ step: 149_999, split: 'train', loss: Math.fround(1 / 150_000) });
  });

  it('reads a TensorBoard folder, taking the split from train/ and validation/', async () => {
    const logs = await loadLogs({ metrics: join(FIX, 'keras-tb'), experiments: null, tensorboard: null });
    expect(logs.metricsSources).toEqual([{ file: join(FIX, 'keras-tb'), format: 'tfevents', rows: 8 }]);
    const val = logs.metrics!.filter((r) => r.split === 'val');
    expect(val.map((r) => r.step)).toEqual([0, 1, 2, 3]);
    expect(val[0].loss).toBeCloseTo(0.85, 6);
  });
  it('merges a JSONL log with an event file and reports disagreements', async () => {
    const d = tmp();
    writeFileSync(join(d, 'm.jsonl'), '{"step":1,"split":"train","Loss":0}\n{"step":0,"split":"train","loss":9}\n');
    const logs = await loadLogs({ metrics: join(d, 'm.jsonl'), tensorboard: join(FIX, 'pytorch'), experiments: null });
    const step0 = logs.metrics!.find((r) => r.step === 0 && r.split === 'train')!;
    expect(step0.loss).toBe(9); // the first source wins
    expect(step0.lr).toBeCloseTo(2e-4, 9); // filled in from the event file
    expect(logs.metricsNotes![0]).toMatch(/loss = 1\.15 at train step 0/);
  });
  it('accepts Python-style NaN / Infinity and null in JSONL, but not in strings', async () => {
    expect(parseJsonLine('{"a":NaN,"b":-Infinity,"note":"NaN stays"}')).toEqual({ a: NaN, b: -Infinity, note: 'NaN stays' });
    const d = tmp();
    writeFileSync(join(d, 'm.jsonl'), '{"step":0,"loss":NaN,"lr":null}\n');
    const logs = await loadLogs({ metrics: join(d, 'm.jsonl'), tensorboard: null, experiments: null });
    expect(logs.metrics![0]).toMatchObject({ step: 0, split: 'train' });
    expect(Number.isNaN(logs.metrics![0].loss)).toBe(true);
  });
  it('names the line of bad JSON and a missing step', async () => {
    const d = tmp();
    writeFileSync(join(d, 'm.jsonl'), '{"step":0}\n{oops\n');
    await expect(loadLogs({ metrics: join(d, 'm.jsonl'), tensorboard: null, experiments: null })).rejects.toThrow(/line 2/);
    writeFileSync(join(d, 'n.jsonl'), '\n{"loss":1}\n');
    await expect(loadLogs({ metrics: join(d, 'n.jsonl'), tensorboard: null, experiments: null })).rejects.toThrow(/n\.jsonl line 2: expected a numeric "step"/);
    writeFileSync(join(d, 'e.jsonl'), '{"id":"e1","change":"lr"}\n\n{"id":"e2"}\n');
    await expect(loadLogs({ metrics: null, tensorboard: null, experiments: join(d, 'e.jsonl') })).rejects.toThrow(/e\.jsonl line 3: expected a string "change"/);
    await expect(loadLogs({ metrics: join(d, 'missing.jsonl'), tensorboard: null, experiments: null })).rejects.toThrow(InputError);
  });
  it('keeps the numbers of a metrics row (numeric text and null read as numbers, other values dropped), and reads a file written with a byte-order mark', async () => {
    const d = tmp();
    writeFileSync(join(d, 'm.jsonl'), '\ufeff{"split":"val","a":null,"b":"nan","c":"x","d":true,"e":[1],"f":{"g":1},"h":"0.5","step":3}\n{"step":4,"split":7,"a":1}\n');
    const rows = (await loadLogs({ metrics: join(d, 'm.jsonl'), tensorboard: null, experiments: null })).metrics!;
    expect(rows).toEqual([
      { split: 'val', a: NaN, b: NaN, c: 'x', h: 0.5, step: 3 },
      { step: 4, split: 'train', a: 1 },
    ]);
  });
  it('reads a CSV experiment log with quoted changes and tag lists', async () => {
    const d = tmp();
    writeFileSync(join(d, 'e.csv'), 'date,id,change,metric,value,note,tags\n2026-01-01,e1,"lr 1e-3, no warmup",val_acc,0.8,,baseline;linear\n');
    const logs = await loadLogs({ metrics: null, tensorboard: null, experiments: join(d, 'e.csv') });
    expect(logs.experiments![0]).toMatchObject({ id: 'e1', change: 'lr 1e-3, no warmup', value: 0.8, tags: ['baseline', 'linear'] });
  });
});

describe('mergeSources', () => {
  it('keeps a single source as is', () => {
    const rows = [{ step: 0, split: 'train', loss: 1 }];
    expect(mergeSources([{ file: 'a', format: 'jsonl', rows }]).rows).toBe(rows);
  });
});
