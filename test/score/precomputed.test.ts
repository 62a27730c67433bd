import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src/config.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { encodeNpy, parseNpy } from '../../src/load/formats/npy.ts';
import { silentProgress } from '../../src/progress.ts';
import { classOrder, createPrecomputedRuntime, indexInputs, readPredictions } from '../../src/score/precomputed.ts';
import { scoreRun } from '../../src/score/score.ts';
import { emptyColumn, writeParquet } from '../helpers/parquet-writer.ts';

/** Every Parquet read's omitted column (undefined: all read), to see when a file's ids were left unread. */
const parquetReads: { file: string; omit: string | undefined }[] = [];
vi.mock('../../src/load/formats/parquet.ts', async (original) => {
  const m = await original<typeof import('../../src/load/formats/parquet.ts')>();
  return {
    ...m,
    openParquet: async (file: string) => {
      const reader = await m.openParquet(file);
      return { ...reader, read: (omit?: string) => (parquetReads.push({ file, omit }), reader.read(omit)) };
    },
  };
});

// The ONNX fixture's records (ids not in row order) and PyTorch's probabilities for them.
const DIR = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));
const probs = parseNpy(new Uint8Array(readFileSync(join(DIR, 'torch-probs-epoch-03.npy'))), 'p').data as Float32Array;
const K = 3;
const dataset = await loadDataset({ file: join(DIR, 'records.csv'), id: 'id', label: 'label', split: 'split', classes: null, groupBy: [], onUnknownLabel: 'error' });
const n = dataset.n;
const model = (over: Partial<Config['model']> = {}): Config['model'] => ({
  type: 'precomputed', checkpoints: '*', output: 'auto', batchSize: 64, byPosition: false,
  predictions: { id: null, columns: null, ids: null }, ...over,
});
const tmp = () => mkdtempSync(join(tmpdir(), 'pre-'));
/** Rows in reverse order, so matching by id is what puts them right. */
const reversed = Array.from({ length: n }, (_, r) => n - 1 - r);
const row = (i: number) => Array.from(probs.subarray(i * K, (i + 1) * K));
const csv = (rows: number[], head = 'id,p_a,p_b,p_c', cell = (i: number) => [dataset.ids[i], ...row(i)].join(',')) => `${head}\n${rows.map(cell).join('\n')}\n`;
const file = (name: string, data: string | Uint8Array) => {
  const p = join(tmp(), name);
  writeFileSync(p, data);
  return p;
};
const expectAligned = (values: Float32Array) => {
  expect(values.length).toBe(n * K);
  for (let i = 0; i < n * K; i++) expect(Math.abs(values[i] - probs[i])).toBeLessThan(1e-7);
};

describe('precomputed predictions', () => {
  it("leaves a Parquet part's ids unread when they are stored as the last checkpoint's same part stored them", async () => {
    const dir = tmp();
    // A dataset of its own: what a part's ids matched is kept per dataset.
    const ds = await loadDataset({ file: join(DIR, 'records.csv'), id: 'id', label: 'label', split: 'split', classes: null, groupBy: [], onUnknownLabel: 'error' });
    const value = (i: number, j: number, epoch: number) => ((i * 5 + j * 3 + epoch) % 7) - 3;
    // Two parts of interleaved records; at epoch 3 part 1 lists its records in another order.
    const partRows = (part: number) => reversed.filter((i) => i % 2 === part);
    const checkpoint = (epoch: number) => {
      mkdirSync(join(dir, `epoch=${epoch}`));
      for (const part of [0, 1]) {
        const rows = epoch === 3 && part === 1 ? partRows(1).reverse() : partRows(part);
        const cols: Record<string, string[] | number[]> = { id: rows.map((i) => ds.ids[i]) };
        for (let j = 0; j < K; j++) cols[`logit_${j}`] = rows.map((i) => value(i, j, epoch));
        writeFileSync(join(dir, `epoch=${epoch}`, `part-0000${part}.parquet`), writeParquet(cols, 4));
      }
      return join(dir, `epoch=${epoch}`, 'part-00000.parquet');
    };
    const omitted: (string | undefined)[][] = [];
    for (const epoch of [1, 2, 3]) {
      parquetReads.length = 0;
      const { values } = await readPredictions(checkpoint(epoch), model({ output: 'logits' }), ds, 'id');
      omitted.push(parquetReads.map((r) => r.omit));
      expect(Array.from(values)).toEqual(Array.from({ length: n * K }, (_, x) => value(Math.floor(x / K), x % K, epoch)));
    }
    expect(omitted).toEqual([
      [undefined, undefined],
      ['id', 'id'],
      ['id', undefined],
    ]);
  });

  it('reads past an empty part file (an empty partition), and refuses a checkpoint whose parts are all empty', async () => {
    const dir = tmp();
    const ds = await loadDataset({ file: join(DIR, 'records.csv'), id: 'id', label: 'label', split: 'split', classes: null, groupBy: [], onUnknownLabel: 'error' });
    mkdirSync(join(dir, 'epoch=1'));
    const rows = (list: number[]) => {
      const cols: Record<string, string[] | number[]> = { id: list.map((i) => ds.ids[i]) };
      for (let j = 0; j < K; j++) cols[`logit_${j}`] = list.length ? list.map((i) => i + j) : emptyColumn('double');
      return writeParquet(cols, 8);
    };
    writeFileSync(join(dir, 'epoch=1', 'part-00000.parquet'), rows(Array.from({ length: n }, (_, i) => i)));
    writeFileSync(join(dir, 'epoch=1', 'part-00001.parquet'), rows([]));
    const read = await readPredictions(join(dir, 'epoch=1', 'part-00000.parquet'), model({ output: 'logits' }), ds, 'id');
    expect(Array.from(read.values.subarray(0, K))).toEqual(Array.from({ length: K }, (_, j) => j));
    mkdirSync(join(dir, 'epoch=2'));
    for (const p of ['part-00000.parquet', 'part-00001.parquet']) writeFileSync(join(dir, 'epoch=2', p), rows([]));
    await expect(readPredictions(join(dir, 'epoch=2', 'part-00000.parquet'), model({ output: 'logits' }), ds, 'id')).rejects.toThrow(/epoch=2: expected part files holding predictions, found 2 part files, all empty/);
  });

  it('names a record id that two parts both hold, also when one part is known by its stored ids', async () => {
    const dir = tmp();
    const ds = await loadDataset({ file: join(DIR, 'records.csv'), id: 'id', label: 'label', split: 'split', classes: null, groupBy: [], onUnknownLabel: 'error' });
    const half = Math.floor(n / 2);
    const write = (epoch: number, parts: number[][]) => {
      mkdirSync(join(dir, `epoch=${epoch}`));
      parts.forEach((rows, part) => {
        const cols: Record<string, string[] | number[]> = { id: rows.map((i) => ds.ids[i]) };
        for (let j = 0; j < K; j++) cols[`logit_${j}`] = rows.map((i) => i + j);
        writeFileSync(join(dir, `epoch=${epoch}`, `part-0000${part}.parquet`), writeParquet(cols, 8));
      });
      return join(dir, `epoch=${epoch}`, 'part-00000.parquet');
    };
    const first = Array.from({ length: half }, (_, i) => i);
    const second = Array.from({ length: n - half }, (_, i) => half + i);
    const m = model({ output: 'logits' });
    await readPredictions(write(1, [first, second]), m, ds, 'id');
    // Part 1 as before (known by its stored ids); part 0 now also holds part 1's first record.
    parquetReads.length = 0;
    const err = await readPredictions(write(2, [[...first.slice(1), half], second]), m, ds, 'id').catch((e: unknown) => e);
    expect(parquetReads.map((r) => r.omit)).toEqual([undefined, 'id']);
    expect((err as Error).message).toContain(`expected one prediction per record id, found id "${ds.ids[half]}" twice`);
  });

  it('matches CSV, TSV, JSON, JSONL (array column) and Parquet (columns, or a list column) rows to records by id, not position', async () => {
    expectAligned((await readPredictions(file('p.csv', csv(reversed)), model(), dataset, 'id')).values);
    expectAligned((await readPredictions(file('p.tsv', csv(reversed).replaceAll(',', '\t')), model(), dataset, 'id')).values);
    const objects = reversed.map((i) => ({ id: dataset.ids[i], probs: row(i) }));
    expectAligned((await readPredictions(file('p.json', JSON.stringify(objects)), model(), dataset, 'id')).values);
    expectAligned((await readPredictions(file('p.jsonl', objects.map((o) => JSON.stringify(o)).join('\n')), model(), dataset, 'id')).values);
    const pq = writeParquet({ id: reversed.map((i) => dataset.ids[i]), a: reversed.map((i) => row(i)[0]), b: reversed.map((i) => row(i)[1]), c: reversed.map((i) => row(i)[2]) }, 50);
    expectAligned((await readPredictions(file('p.parquet', pq), model(), dataset, 'id')).values);
    // Spark's array<float> column: a Parquet LIST, one column however many classes.
    const listed = writeParquet({ id: reversed.map((i) => dataset.ids[i]), probs: reversed.map((i) => row(i)) }, 40);
    expectAligned((await readPredictions(file('l.parquet', listed), model(), dataset, 'id')).values);
  });

  it('matches INT64 ids beyond 2^53 in Parquet predictions to the same ids as text in a CSV dataset', async () => {
    const dir = tmp();
    const ids = Array.from({ length: 6 }, (_, i) => 1234567890123456780n + BigInt(i)); // adjacent: one double for several
    writeFileSync(join(dir, 'records.csv'), `id,label,split\n${ids.map((id, i) => `${id},${['a', 'b'][i % 2]},val`).join('\n')}\n`);
    const ds = await loadDataset({ file: join(dir, 'records.csv'), id: 'id', label: 'label', split: 'split', classes: ['a', 'b'], groupBy: [], onUnknownLabel: 'error' });
    const order = [3, 0, 5, 1, 4, 2];
    const pq = writeParquet({ id: order.map((i) => ids[i]), logit_0: order.map((i) => i), logit_1: order.map((i) => -i) });
    const { values } = await readPredictions(file('big.parquet', pq), model({ output: 'logits' }), ds, 'id');
    expect(Array.from(values)).toEqual(ids.flatMap((_, i) => [i, -i]));
  });

  it('refuses prediction ids that are JSON numbers beyond 2^53, naming the file and row', async () => {
    const lines = [`{"id":"${dataset.ids[0]}","probs":[0.2,0.3,0.5]}`, '{"id":1234567890123456789,"probs":[0.2,0.3,0.5]}'];
    const f = file('big-ids.jsonl', lines.join('\n'));
    await expect(readPredictions(f, model(), dataset, 'id')).rejects.toThrow(`${f} row 2 (column "id"): expected ids that a number holds exactly`);
  });

  it('takes inferred columns in class order: by class name, by the number in their names, else as the file has them', async () => {
    const classes = ['cat', 'dog', 'owl'];
    expect(classOrder(['owl', 'cat', 'dog'], classes)).toEqual({ columns: classes, by: 'name' });
    const twelve = Array.from({ length: 12 }, (_, j) => `c${j}`);
    const sortedNames = Array.from({ length: 12 }, (_, j) => `logit_${j}`).sort(); // logit_0, logit_1, logit_10, logit_11, logit_2, …
    expect(sortedNames[2]).toBe('logit_10');
    expect(classOrder(sortedNames, twelve)).toEqual({ columns: Array.from({ length: 12 }, (_, j) => `logit_${j}`), by: 'number' });
    for (const asIs of [
      ['p_a', 'p_b', 'p_c'], // neither
      ['x1', 'y0', 'x2'], // two prefixes
      ['p_00', 'p_01', 'p_02'], // zero-padded
      ['p_1', 'p_2', 'p_3'], // out of range
      ['p_0', 'p_0', 'p_1'], // repeated
      ['cat', 'dog'], // fewer than the classes
    ]) expect(classOrder(asIs, classes)).toEqual({ columns: asIs, by: 'file' });
    // The fixture's classes (a, b, c) as column names in reverse order: matched by name, and said so.
    expect(dataset.classes).toEqual(['a', 'b', 'c']);
    const byName = csv(reversed, 'id,c,b,a', (i) => [dataset.ids[i], ...row(i).reverse()].join(','));
    const read = await readPredictions(file('named.csv', byName), model(), dataset, 'id');
    expectAligned(read.values);
    expect(read.warnings).toEqual(['the prediction columns c, b, a were taken in class order, a, b, c (matched by class name)']);
    // In file order already: no warning.
    expect((await readPredictions(file('p.csv', csv(reversed)), model(), dataset, 'id')).warnings).toEqual([]);
  });

  it('reuses the previous file\'s id matching only when every row still names the same record', async () => {
    // Checkpoint after checkpoint in the same order, then two rows swapped, then one id unknown.
    expectAligned((await readPredictions(file('a.csv', csv(reversed)), model(), dataset, 'id')).values);
    expectAligned((await readPredictions(file('b.csv', csv(reversed)), model(), dataset, 'id')).values);
    const swapped = [...reversed];
    [swapped[3], swapped[n - 2]] = [swapped[n - 2], swapped[3]];
    expectAligned((await readPredictions(file('c.csv', csv(swapped)), model(), dataset, 'id')).values);
    const stranger = csv(swapped).replace(`\n${dataset.ids[swapped[5]]},`, '\nnot-a-record,');
    await expect(readPredictions(file('d.csv', stranger), model(), dataset, 'id')).rejects.toThrow(new RegExp(`d\\.csv: expected a prediction for every dataset record.*"${dataset.ids[swapped[5]]}"`));
    expectAligned((await readPredictions(file('e.csv', csv(swapped)), model(), dataset, 'id')).values);
  });

  it('reads .npy with a file of ids, or by position when asked; named columns and id column are honoured', async () => {
    const npy = file('p.npy', encodeNpy({ dtype: 'float32', shape: [n, K], data: probs }));
    const byPosition = (await readPredictions(npy, model({ byPosition: true }), dataset, 'id')).values;
    expectAligned(byPosition);
    // By position from one file: the float32 rows as read, a view after the .npy header, not a copy.
    expect(byPosition.byteOffset).toBeGreaterThan(0);
    const ids = file('ids.txt', dataset.ids.join('\n') + '\n');
    expectAligned((await readPredictions(npy, model({ predictions: { id: null, columns: null, ids } }), dataset, 'id')).values);
    const renamed = file('q.csv', csv(reversed, 'record,junk,x,y,z', (i) => [dataset.ids[i], 7, ...row(i)].join(',')));
    const p = await readPredictions(renamed, model({ predictions: { id: 'record', columns: ['x', 'y', 'z'], ids: null } }), dataset, 'id');
    expectAligned(p.values);
  });

  it('plugs into the scoring loop; logits are softmaxed like model outputs', async () => {
    const logits = Array.from(probs, (p) => Math.log(p) + 5); // shifted log-probabilities: same softmax
    const path = file('l.csv', `id,a,b,c\n${dataset.ids.map((id, i) => [id, ...logits.slice(i * K, (i + 1) * K)].join(',')).join('\n')}\n`);
    const runtime = createPrecomputedRuntime(model(), dataset, 'id');
    const run = await scoreRun(runtime, [{ id: 'l', step: 0, path }], dataset, indexInputs(n), { batchSize: 64, output: 'auto', progress: silentProgress });
    expect(run.backend).toBe('precomputed');
    expect(run.outputKind).toEqual(['logits']);
    for (let i = 0; i < n * K; i++) expect(Math.abs(run.scores[0].probs![i] - probs[i])).toBeLessThan(1e-5);
  });

  it('names missing ids, duplicate ids and ids outside the dataset', async () => {
    const some = reversed.slice(5);
    await expect(readPredictions(file('m.csv', csv(some)), model(), dataset, 'id')).rejects.toThrow(/expected a prediction for every dataset record \(matched on id\), found 5 of 240 records without one \(e\.g\. "/);
    await expect(readPredictions(file('d.csv', csv([...reversed, 0])), model(), dataset, 'id')).rejects.toThrow(/one prediction per record id, found id "r000" twice/);
    // Ids written otherwise by the file (here without the dataset's leading "r"): its own ids are shown beside the dataset's.
    const bare = csv(reversed, undefined, (i) => [dataset.ids[i].slice(1), ...row(i)].join(','));
    await expect(readPredictions(file('b.csv', bare), model(), dataset, 'id')).rejects.toThrow(/240 of 240 records without one \(e\.g\. "r\d+".*\); the file's ids not in the dataset include "\d+"/);
    const extra = await readPredictions(file('e.csv', csv(reversed) + 'zz-1,0.2,0.3,0.5\n'), model(), dataset, 'id');
    expect(extra.warnings[0]).toMatch(/1 prediction\(s\) for ids not in the dataset were ignored \(e\.g\. "zz-1"\)/);
    await expect(readPredictions(file('n.csv', csv(reversed, 'key,a,b,c')), model(), dataset, 'id')).rejects.toThrow(/expected an id column "id"/);
    const npy = file('p.npy', encodeNpy({ dtype: 'float32', shape: [n, K], data: probs }));
    await expect(readPredictions(npy, model(), dataset, 'id')).rejects.toThrow(/set model\.predictions\.ids.*or set model\.byPosition/);
    await expect(readPredictions(npy.replace('p.npy', 'absent.npy'), model({ byPosition: true }), dataset, 'id')).rejects.toThrow(/no such file/);
  });

  it('needs no prediction for records the scoring loop skips (non-finite inputs)', async () => {
    const inputs = { file: 'x', n, shape: [1], rowSize: 1, data: Float32Array.from({ length: n }, (_, i) => (i === 4 ? Number.NaN : 0)) };
    const without = reversed.filter((i) => i !== 4);
    const runtime = createPrecomputedRuntime(model(), dataset, 'id', inputs);
    const loaded = await runtime.load({ id: 'p', step: 0, path: file('m.csv', csv(without)) });
    expect(Array.from(await loaded.predict(Float32Array.from([0, 3]), 1))).toEqual(row(3).map((v) => Math.fround(v)));
    // Through the scoring loop, the record is unscorable with its real input position in the reason.
    const run = await scoreRun(runtime, [{ id: 'p', step: 0, path: file('m.csv', csv(without)) }], dataset, indexInputs(n, inputs), { batchSize: 64, output: 'auto', progress: silentProgress });
    expect(run.unscorable).toEqual([{ index: 4, id: dataset.ids[4], reason: 'input value 0 is NaN' }]);
    await expect(createPrecomputedRuntime(model(), dataset, 'id', null).load({ id: 'p', step: 0, path: file('m.csv', csv(without)) })).rejects.toThrow(/1 of 240 records without one/);
  });

  it('rejects wrong widths: too few columns, ragged arrays, a wrong row count by position', async () => {
    const two = file('w.csv', csv(reversed, 'id,a,b', (i) => [dataset.ids[i], ...row(i).slice(0, 2)].join(',')));
    await expect(readPredictions(two, model(), dataset, 'id')).rejects.toThrow(/expected 3 values per record \(one per class: a, b, c\), found 2 \(columns a, b\)/);
    const ragged = reversed.map((i, r) => JSON.stringify({ id: dataset.ids[i], probs: r === 7 ? row(i).slice(0, 2) : row(i) })).join('\n');
    await expect(readPredictions(file('r.jsonl', ragged), model(), dataset, 'id')).rejects.toThrow(/row 8, id "[^"]+", column "probs"\): expected 3 values like the first row, found 2 values/);
    // The same in a Parquet list column: the one short row (in the third row group of 50) is named.
    const raggedPq = writeParquet({ id: reversed.map((i) => dataset.ids[i]), probs: reversed.map((i, r) => (r === 107 ? row(i).slice(0, 2) : row(i))) }, 50);
    await expect(readPredictions(file('r.parquet', raggedPq), model(), dataset, 'id')).rejects.toThrow(/row 108, id "[^"]+", column "probs"\): expected 3 values like the first row, found 2 values/);
    const short = file('s.npy', encodeNpy({ dtype: 'float32', shape: [n - 1, K], data: probs.slice(0, (n - 1) * K) }));
    await expect(readPredictions(short, model({ byPosition: true }), dataset, 'id')).rejects.toThrow(/expected 240 rows .* found 239 rows/);
  });

  it('rejects probabilities that do not sum to 1, and non-finite values', async () => {
    const halved = file('h.csv', csv(reversed, 'id,a,b,c', (i) => [dataset.ids[i], ...row(i).map((p) => p / 2)].join(',')));
    await expect(readPredictions(halved, model(), dataset, 'id')).rejects.toThrow(/expected probabilities that sum to 1 \(±0\.001\), found a sum of 0\.500000 \(if these are scores.*set model\.output to "logits"\)/);
    // Declared logits: the same numbers are accepted.
    expect((await readPredictions(halved, model({ output: 'logits' }), dataset, 'id')).width).toBe(3);
    const over = file('o.csv', csv(reversed, 'id,a,b,c', (i) => [dataset.ids[i], ...row(i).map((p) => p * 2)].join(',')));
    await expect(readPredictions(over, model({ output: 'probabilities' }), dataset, 'id')).rejects.toThrow(/expected probabilities in \[0, 1\]/);
    const nan = file('x.csv', csv(reversed, 'id,a,b,c', (i) => [dataset.ids[i], i === 3 ? 'NaN' : row(i)[0], row(i)[1], row(i)[2]].join(',')));
    await expect(readPredictions(nan, model(), dataset, 'id')).rejects.toThrow(new RegExp(`\\(record "${dataset.ids[3]}"\\): expected finite predictions, found NaN in column 1$`));
    // The first non-finite value in dataset order is named, also a later column and in logits.
    const inf = file('i.csv', csv(reversed, 'id,a,b,c', (i) => [dataset.ids[i], row(i)[0], row(i)[1], i === 9 ? '-Infinity' : i === 20 ? 'NaN' : row(i)[2]].join(',')));
    // … and how many records beyond it hold one too (record 20 here).
    await expect(readPredictions(inf, model({ output: 'logits' }), dataset, 'id')).rejects.toThrow(`(record "${dataset.ids[9]}"): expected finite predictions, found -Infinity in column 3, and non-finite values in 1 more record(s)`);
  });

  it('reads a float32 .npy in place and converts other dtypes to the same Float32 values', async () => {
    const logits = Float64Array.from({ length: n * K }, (_, x) => Math.sin(x) * 7.3);
    const f64 = file('l64.npy', encodeNpy({ dtype: 'float64', shape: [n, K], data: logits }));
    const f32 = file('l32.npy', encodeNpy({ dtype: 'float32', shape: [n, K], data: Float32Array.from(logits) }));
    const byPos = model({ byPosition: true, output: 'logits' });
    const a = await readPredictions(f64, byPos, dataset, 'id');
    const b = await readPredictions(f32, byPos, dataset, 'id');
    expect(Array.from(a.values)).toEqual(Array.from(Float32Array.from(logits)));
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
  });

  it('rejects a corrupt Parquet file with an InputError naming it', async () => {
    const pq = writeParquet({ id: dataset.ids, a: Array.from({ length: n }, (_, i) => row(i)[0]), b: Array.from({ length: n }, (_, i) => row(i)[1]), c: Array.from({ length: n }, (_, i) => row(i)[2]) });
    const cut = file('cut.parquet', pq.subarray(0, pq.length - 40));
    await expect(readPredictions(cut, model(), dataset, 'id')).rejects.toThrow(/cut\.parquet: expected a readable Parquet file, found a read error/);
  });
});
