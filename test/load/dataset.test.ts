import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/load/dataset.ts';

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ds-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}
const base = { id: 'id', label: 'label', split: 'split', classes: null, groupBy: [], onUnknownLabel: 'error' as const, format: 'auto' as const };

describe('loadDataset', () => {
  it('decodes ids, labels (as text, natural class order), splits and groups', async () => {
    const f = file('r.csv', 'id,label,split,site\n001,10,train,a\n002,2,val,\n003,2,train,b\n');
    const ds = await loadDataset({ ...base, file: f, groupBy: ['site'] });
    expect(ds.ids).toEqual(['001', '002', '003']);
    expect(ds.classes).toEqual(['2', '10']);
    expect(Array.from(ds.labels)).toEqual([1, 0, 0]);
    expect(ds.splitNames).toEqual(['train', 'val']);
    expect(Array.from(ds.split)).toEqual([0, 1, 0]);
    expect(ds.groups.site).toEqual(['a', '(missing)', 'b']);
  });

  it('reads JSONL and treats a missing split column as one split "all"', async () => {
    const f = file('r.jsonl', '{"id":"a","label":"x"}\n{"id":"b","label":"y"}\n');
    const ds = await loadDataset({ ...base, split: null, file: f });
    expect(ds.splitNames).toEqual(['all']);
    expect(ds.classes).toEqual(['x', 'y']);
  });

  it('names the row, id and label of an unknown label, or lists it when asked', async () => {
    const f = file('r.csv', 'id,label\na,cat\nb,emu\n');
    await expect(loadDataset({ ...base, split: null, file: f, classes: ['cat', 'dog'] })).rejects.toThrow(/r\.csv row 2 \(id "b", column "label"\): expected a label in dataset\.classes \[cat, dog\], found "emu"/);
    const ds = await loadDataset({ ...base, split: null, file: f, classes: ['cat', 'dog'], onUnknownLabel: 'unscorable' });
    expect(ds.unknownLabels).toEqual([{ index: 1, label: 'emu' }]);
    expect(ds.labels[1]).toBe(-1);
  });

  it('rejects duplicate ids, missing columns and unknown extensions', async () => {
    await expect(loadDataset({ ...base, split: null, file: file('d.csv', 'id,label\na,1\na,2\n') })).rejects.toThrow(/unique record ids, found "a" on rows 1 and 2/);
    await expect(loadDataset({ ...base, file: file('m.csv', 'id,label\na,1\n') })).rejects.toThrow(/dataset\.split = "split".*expected a column named "split"/);
    await expect(loadDataset({ ...base, file: file('x.xlsx', 'id') })).rejects.toThrow(/expected a table with extension/);
  });
});
