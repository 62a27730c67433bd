import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as aq from 'arquero';
import { loadDataset, readTable, recordPieces } from '../../src/load/dataset.ts';
import { png } from '../helpers/images.ts';
import { writeParquet } from '../helpers/parquet-writer.ts';

function file(name: string, text: string | Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'ds-'));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}
const idsOf = (d: { ids: readonly string[] }) => [...d.ids];
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

  it('shares repeated label, split and group strings in the table without changing a value or type', async () => {
    const f = file('r.csv', 'id,label,split,site,ward,note,n\na,x,train,h1,3,p,1\nb,y,train,h1,3,p,2\nc,x,val,h2,4,q,3\n');
    const ds = await loadDataset({ ...base, file: f, groupBy: ['site', 'ward'] });
    // Group columns are names (text, as written); other columns keep the reader's types.
    expect(ds.table.objects()).toEqual([
      { id: 'a', label: 'x', split: 'train', site: 'h1', ward: '3', note: 'p', n: 1 },
      { id: 'b', label: 'y', split: 'train', site: 'h1', ward: '3', note: 'p', n: 2 },
      { id: 'c', label: 'x', split: 'val', site: 'h2', ward: '4', note: 'q', n: 3 },
    ]);
    expect(ds.table.columnNames()).toEqual(['id', 'label', 'split', 'site', 'ward', 'note', 'n']);
    expect(ds.groups).toEqual({ site: ['h1', 'h1', 'h2'], ward: ['3', '3', '4'] });
    expect(ds.splitNames).toEqual(['train', 'val']);
  });

  it('reads split and group names as written in a CSV: no number or date guessed from them', async () => {
    const f = file('z.csv', 'id,label,split,ward,day\na,x,01,7,2024-01-01\nb,y,02,007,2024-01-02\nc,x,03,07.0,2024-01-01\n');
    const ds = await loadDataset({ ...base, file: f, groupBy: ['ward', 'day'] });
    expect(ds.splitNames).toEqual(['01', '02', '03']);
    expect(ds.groups).toEqual({ ward: ['7', '007', '07.0'], day: ['2024-01-01', '2024-01-02', '2024-01-01'] });
  });

  it('reads JSONL and treats a missing split column as one split "all"', async () => {
    const f = file('r.jsonl', '{"id":"a","label":"x"}\n{"id":"b","label":"y"}\n');
    const ds = await loadDataset({ ...base, split: null, file: f });
    expect(ds.splitNames).toEqual(['all']);
    expect(ds.classes).toEqual(['x', 'y']);
  });

  it('JSONL and JSON arrays: a column for every key any row has, not only the first row\'s keys', async () => {
    const rows = ['{"id":"a","label":"x"}', '{"id":"b","label":"y","text":"free money","source":"s1"}', '{"id":"c","source":"s2","label":"x"}'];
    for (const f of [file('k.jsonl', `${rows.join('\n')}\n`), file('k.json', `[${rows.join(',')}]`)]) {
      const t = await readTable(f);
      expect(t.columnNames()).toEqual(['id', 'label', 'text', 'source']);
      expect(t.array('text')).toEqual([undefined, 'free money', undefined]);
      const ds = await loadDataset({ ...base, split: null, file: f, groupBy: ['source'] });
      expect(ds.groups.source).toEqual(['(missing)', 's1', 's2']);
    }
  });

  it('refuses JSON ids that are numbers beyond 2^53 (already rounded when parsed), naming the row; smaller ones are ids as text', async () => {
    const big = file('r.jsonl', '{"id":17,"label":"x"}\n{"id":1234567890123456789,"label":"y"}\n{"id":1234567890123456788,"label":"y"}\n');
    const err = await loadDataset({ ...base, split: null, file: big }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${big} row 2 (column "id"): expected ids that a number holds exactly (integers up to 2^53; write larger ids as strings), found the number 1234567890123456800, already rounded when the file was parsed`);
    const ok = await loadDataset({ ...base, split: null, file: file('s.jsonl', '{"id":9007199254740991,"label":"x"}\n{"id":"1234567890123456789","label":"y"}\n') });
    expect(idsOf(ok)).toEqual(['9007199254740991', '1234567890123456789']);
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
    // An empty id is named before any repeat (two empty cells would otherwise read as a repeat).
    await expect(loadDataset({ ...base, split: null, file: file('e.csv', 'id,label\na,1\na,2\n,1\n,2\n') })).rejects.toThrow(/row 3.*a value in the id column "id", found an empty cell/);
    await expect(loadDataset({ ...base, file: file('m.csv', 'id,label\na,1\n') })).rejects.toThrow(/dataset\.split = "split".*expected a column named "split"/);
    await expect(loadDataset({ ...base, file: file('x.xlsx', 'id') })).rejects.toThrow(/expected a table with extension/);
  });

  it('reads Arrow IPC and Parquet tables, and honours dataset.format over the extension', async () => {
    const rows = { id: ['007', '008', '009'], label: ['a', 'b', 'a'], split: ['train', 'val', 'val'] };
    const arrow = await loadDataset({ ...base, file: file('r.arrow', aq.toArrowIPC(aq.table(rows), { format: 'file' })) });
    const parquet = await loadDataset({ ...base, file: file('r.parquet', writeParquet(rows, 2)) });
    for (const ds of [arrow, parquet]) {
      expect(ds.ids).toEqual(['007', '008', '009']);
      expect(Array.from(ds.labels)).toEqual([0, 1, 0]);
      expect(ds.splitNames).toEqual(['train', 'val']);
    }
    const odd = await loadDataset({ ...base, split: null, format: 'tsv', file: file('r.data', 'id\tlabel\nx\t1\n') });
    expect(odd.ids).toEqual(['x']);
    await expect(loadDataset({ ...base, file: file('bad.parquet', 'id,label\n') })).rejects.toThrow(/bad\.parquet: expected a readable Parquet file/);
    await expect(loadDataset({ ...base, file: '/nonexistent/r.csv' })).rejects.toThrow(/dataset\.file \(\/nonexistent\/r\.csv\): expected an existing file, found no such file/);
  });

  it('reads a folder as an image dataset: id = relative path, label = class folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imgds-'));
    for (const [c, f] of [['cat', '1.png'], ['dog', '2.png']]) {
      mkdirSync(join(dir, c), { recursive: true });
      writeFileSync(join(dir, c, f), png(1, 1));
    }
    const ds = await loadDataset({ ...base, split: null, file: dir });
    expect(ds.ids).toEqual(['cat/1.png', 'dog/2.png']);
    expect(ds.classes).toEqual(['cat', 'dog']);
  });

  it('orders numeric class folders as torchvision and Keras do (0, 1, 10, 2), saying so; a table numerically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imgnum-'));
    for (const c of ['0', '1', '2', '10']) {
      mkdirSync(join(dir, c));
      writeFileSync(join(dir, c, 'a.png'), png(1, 1));
    }
    const warnings: string[] = [];
    const ds = await loadDataset({ ...base, split: null, file: dir }, (w) => warnings.push(w));
    expect(ds.classes).toEqual(['0', '1', '10', '2']);
    expect(warnings).toEqual([expect.stringMatching(/class folders taken in sorted order as torchvision's ImageFolder and Keras index them \(0, 1, 10, 2\), not in numeric order; set dataset\.classes/)]);
    expect((await loadDataset({ ...base, split: null, file: dir, classes: ['0', '1', '2', '10'] })).classes).toEqual(['0', '1', '2', '10']);
    const csv = join(dir, 't.csv');
    writeFileSync(csv, 'id,label\na,10\nb,2\nc,0\n');
    expect((await loadDataset({ ...base, split: null, file: csv })).classes).toEqual(['0', '2', '10']);
  });
});

describe('CSV and TSV as spreadsheets and pandas write them', () => {
  const BOM = '\ufeff';

  it('skips a UTF-8 byte-order mark (Excel "CSV UTF-8", pandas utf-8-sig): CSV, quoted CSV, TSV and JSON', async () => {
    for (const [name, text] of [
      ['b.csv', 'id,label\na,1\nb,2\n'],
      ['q.csv', 'id,label\n"a",1\nb,2\n'],
      ['b.tsv', 'id\tlabel\na\t1\nb\t2\n'],
      ['b.json', '[{"id":"a","label":"1"},{"id":"b","label":"2"}]'],
    ]) {
      const ds = await loadDataset({ ...base, split: null, file: file(name, BOM + text) });
      expect(ds.table.columnNames(), name).toEqual(['id', 'label']);
      expect(idsOf(ds), name).toEqual(['a', 'b']);
    }
  });

  it('reads CRLF files, and leaves out blank lines (trailing ones, and anywhere, as pandas does), quoted or not', async () => {
    for (const text of ['id,label,split\r\na,1,train\r\nb,2,val\r\n', 'id,label,split\na,1,train\n\nb,2,val\n\n\n', 'id,label,split\r\na,1,train\r\nb,2,val\r\n\r\n\r\n']) {
      for (const t of [text, text.replace('a,1', '"a",1')]) {
        const ds = await loadDataset({ ...base, file: file('r.csv', BOM + t) });
        expect(idsOf(ds), JSON.stringify(t)).toEqual(['a', 'b']);
        expect(ds.splitNames).toEqual(['train', 'val']);
        expect(Array.from(ds.labels)).toEqual([0, 1]);
      }
    }
  });

  it('refuses a header that names a column the config reads twice, naming it; warns of another repeated name', async () => {
    for (const text of ['id,label,split,source,f1,label\na,1,train,s,0.5,0\n', 'id,label,split,source,f1,label\n"a",1,train,s,0.5,0\n']) {
      const f = file('dup.csv', text);
      await expect(loadDataset({ ...base, file: f })).rejects.toThrow(`${f} (column "label"): expected each column name once in the header, found "label" 2 times (columns 2, 6)`);
    }
    const g = file('dup.csv', 'id,label,site,f1,f1\na,1,x,0.5,7\n');
    const warnings: string[] = [];
    const ds = await loadDataset({ ...base, split: null, file: g }, (w) => warnings.push(w));
    expect(warnings).toEqual([`${g}: the header names column "f1" 2 times (columns 4, 5); the last is read`]);
    expect(ds.table.get('f1', 0)).toBe(7);
  });

  it('reads a text column empty or numeric in its first 1 200 records as text, quoted or not (no true/NaN for later words)', async () => {
    const rows = ['id,label,text,code'];
    for (let r = 0; r < 1500; r++) rows.push(`r${r},${r % 2},${r < 1200 ? '' : `free money ${r}`},${r < 1200 ? 10000 + r : `code ${r}`}`);
    for (const text of [rows.join('\n'), rows.join('\n').replace('r0,', '"r0",')]) {
      const ds = await loadDataset({ ...base, split: null, file: file('t.csv', text) });
      expect([ds.table.get('text', 0), ds.table.get('text', 1300)]).toEqual([null, 'free money 1300']);
      expect([ds.table.get('code', 0), ds.table.get('code', 1300)]).toEqual(['10000', 'code 1300']);
    }
  });
});

describe('CSV read in pieces', () => {
  // Records with quoted fields holding commas, doubled quotes and CRLF line breaks.
  const record = (i: number) => `r${i},${i % 5},${i % 3 === 0 ? `"two\r\nlines, ""quoted"" ${'z'.repeat(i % 97)}"` : i % 3 === 1 ? `plain ${i}` : '""'},${(i * 0.37).toFixed(3)}\r\n`;

  it('cuts only at the end of a record, as arquero tokenizes it, and the pieces read as the whole text', async () => {
    // Also a quote in the middle of an unquoted field (a literal character for arquero), before quoted multi-line fields.
    let text = 'id,label,note,x\r\nh0,1,6 ft 2",1\r\n';
    for (let i = 0; i < 40; i++) text += record(i);
    const pieces: string[] = [];
    const reader = recordPieces(text, ',', 7).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBeGreaterThan(20);
    for (const p of pieces) expect(p.endsWith('\n')).toBe(true);
    const whole = aq.fromCSV(text);
    const streamed = await aq.fromCSVStream(recordPieces(text, ',', 7));
    expect(streamed.numRows()).toBe(41);
    for (const c of whole.columnNames()) expect(streamed.array(c)).toEqual(whole.array(c));
  });

  it('reads a CSV of several MiB cell for cell as arquero reads it whole, with a quoted field across the first MiB mark', async () => {
    let text = 'id,label,note,x\r\n';
    let i = 0;
    while (text.length < (1 << 20) - 40) text += record(i++);
    // A multi-line quoted note that starts before the 1 MiB mark and ends after it.
    text += `r${i++},1,"${'a'.repeat(30)}\r\n${'b'.repeat(60)}, ""end""",1.5\r\n`;
    while (text.length < 2.5 * (1 << 20)) text += record(i++);
    const file = join(mkdtempSync(join(tmpdir(), 'csv-pieces-')), 'big.csv');
    writeFileSync(file, text);
    const whole = aq.fromCSV(text, { parse: { id: (v: string) => v } });
    const read = await readTable(file, ['id']);
    expect(read.numRows()).toBe(i);
    expect(read.columnNames()).toEqual(whole.columnNames());
    for (const c of whole.columnNames()) expect(read.array(c)).toEqual(whole.array(c));
  });
});

describe('CSV pieces on odd input', () => {
  it('leaves out blank lines outside quoted fields, whatever the piece size', async () => {
    const text = '\na,b\n1,2\n\n\r\n3,"x\n\ny"\r\r4,5\r\n\n';
    const kept = 'a,b\n1,2\n3,"x\n\ny"\r4,5\r\n';
    for (const piece of [1, 2, 3, 5, 8, 1 << 20]) {
      const pieces: string[] = [];
      const reader = recordPieces(text, ',', piece).getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
      expect(pieces.join(''), String(piece)).toBe(kept);
      expect((await aq.fromCSVStream(recordPieces(text, ',', piece))).objects()).toEqual(aq.fromCSV(kept).objects());
    }
  });


  it.each([
    ['text after a closing quote, and a quote right after it', 'a,b\n"x"y"z\nw",1\nq,2\n'],
    ['CRLF after a quoted field, then a multi-line one', 'a,b\n"x"\r\n"y\nz",3\n4,5\n'],
    ['escaped quotes and a quoted field ending in a newline', 'a,b\n"p""q",1\n"r\n",2\n'],
    ['CRLF records with a quoted CRLF inside', 'a,b\r\n1,2\r\n"x\r\ny",3\r\n'],
  ])('reads %s as fromCSV does, whatever the piece size', async (_, text) => {
    const whole = aq.fromCSV(text);
    for (const piece of [1, 2, 3, 5, 8]) {
      const streamed = await aq.fromCSVStream(recordPieces(text, ',', piece));
      expect(streamed.objects()).toEqual(whole.objects());
    }
  });
});
