import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NumberLists, openParquet, parquetTable, readParquet, readParquetColumns } from '../../../src/load/formats/parquet.ts';
import { InputError } from '../../../src/messages.ts';
import { writeParquet } from '../../helpers/parquet-writer.ts';

/** Codecs of the fixtures in test/fixtures/parquet (every codec hyparquet-compressors reads but the deprecated LZ4 framing). */
const PARQUET_CODECS = ['uncompressed', 'snappy', 'gzip', 'brotli', 'zstd', 'lz4_raw'];

const write = (bytes: Uint8Array) => {
  const p = join(mkdtempSync(join(tmpdir(), 'pq-')), 't.parquet');
  writeFileSync(p, bytes);
  return p;
};

describe('parquet', () => {
  it('reads every row group, in order, with strings and doubles', async () => {
    const id = Array.from({ length: 23 }, (_, i) => `r${i}`);
    const x = id.map((_, i) => i / 4 - 2);
    const t = await readParquet(write(writeParquet({ id, x }, 5))); // 5 row groups
    expect(t.numRows()).toBe(23);
    expect(t.columnNames()).toEqual(['id', 'x']);
    expect(t.array('id')).toEqual(id);
    expect(Array.from(t.array('x') as number[])).toEqual(x);
  });

  it('keeps numbers without nulls as one Float64Array, and a column with nulls in some row group as plain values', async () => {
    const id = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const x = id.map((_, i) => i * 1.5 - 4);
    // Nulls only in the second and third row groups (rows 4–11): the first group's numbers arrive typed.
    const late = x.map((v, i) => (i === 5 || i === 9 ? null : v));
    const early = x.map((v, i) => (i === 0 ? null : v));
    const t = await readParquet(write(writeParquet({ id, x, late, early }, 4)));
    expect(t.columnNames()).toEqual(['id', 'x', 'late', 'early']);
    expect(t.column('x')).toBeInstanceOf(Float64Array);
    expect(Array.from(t.array('x') as Float64Array)).toEqual(x);
    for (const [name, values] of [['late', late], ['early', early]] as const) {
      const col = t.array(name) as unknown[];
      expect(Array.isArray(col)).toBe(true);
      expect(col.map((v) => (v === undefined ? null : v))).toEqual(values);
    }
  });

  it('reads a list column (Spark array<double>) as one column of plain arrays, named after the field', async () => {
    const id = Array.from({ length: 9 }, (_, i) => `r${i}`);
    const logits = id.map((_, i) => [i, -i / 2, i * i]);
    const t = await readParquet(write(writeParquet({ id, logits }, 4)));
    expect(t.columnNames()).toEqual(['id', 'logits']);
    const col = t.array('logits') as unknown[];
    expect(col.every((v) => Array.isArray(v))).toBe(true);
    expect(col).toEqual(logits);
  });

  it('keeps a list column of numbers of one width flat (NumberLists), and turns it plain from a row group that does not fit', async () => {
    const id = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const logits = id.map((_, i) => [i, -i / 2, i * i]);
    const flat = await readParquetColumns(write(writeParquet({ id, logits }, 4))); // 3 row groups
    expect(flat.names).toEqual(['id', 'logits']);
    expect(flat.rows).toBe(10);
    const lists = flat.columns[1] as NumberLists;
    expect(lists).toBeInstanceOf(NumberLists);
    expect(lists.width).toBe(3);
    expect(lists.length).toBe(10);
    expect(Array.from(lists.values)).toEqual(logits.flat());
    expect(lists.at(7)).toEqual(logits[7]);
    // A short row in the last row group (rows 8–9), then a row of another width in the second: plain arrays, every row as written.
    for (const r of [9, 5]) {
      const ragged = logits.map((l, i) => (i === r ? l.slice(0, 2) : l));
      const read = await readParquetColumns(write(writeParquet({ id, logits: ragged }, 4)));
      expect(read.columns[1]).not.toBeInstanceOf(NumberLists);
      expect(read.columns[1]).toEqual(ragged);
      expect((await readParquet(write(writeParquet({ id, logits: ragged }, 4)))).array('logits')).toEqual(ragged);
    }
  });

  it("digests a column as stored (the same ids give the same digest whatever the other columns hold) and reads without it", async () => {
    const id = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const digestOf = async (ids: string[], x: number[], rowGroup = 5) => {
      const reader = await openParquet(write(writeParquet({ id: ids, x }, rowGroup)));
      try {
        return { id: await reader.digest('id'), x: await reader.digest('x'), without: await reader.read('id') };
      } finally {
        await reader.close();
      }
    };
    const a = await digestOf(id, id.map((_, i) => i));
    const b = await digestOf(id, id.map((_, i) => -i));
    expect(b.id).toBe(a.id);
    expect(b.x).not.toBe(a.x);
    expect((await digestOf([...id].reverse(), id.map((_, i) => i))).id).not.toBe(a.id);
    expect((await digestOf(id, id.map((_, i) => i), 4)).id).not.toBe(a.id); // other row groups: other chunks
    expect(a.without.names).toEqual(['x']);
    expect(Array.from(a.without.columns[0] as Float64Array)).toEqual(id.map((_, i) => i));
  });

  it('reads 64-bit integers beyond 2^53 as their exact decimal text, the whole column, and smaller ones as numbers', async () => {
    const big = [12n, 1234567890123456789n, -9007199254740993n, 7n, 1234567890123456788n];
    const small = [1n, 2n, 9007199254740991n, -4n, 5n];
    // The first row group (rows 0–1) already has a large id; the second column's all fit a double.
    for (const bytes of [writeParquet({ id: big, n: small }, 2), writeParquet({ id: [small[0], ...big.slice(1)], n: small }, 1)]) {
      const t = await readParquet(write(bytes));
      const ids = t.array('id') as unknown[];
      expect(ids.every((v) => typeof v === 'string')).toBe(true);
      expect(ids.slice(1)).toEqual(big.slice(1).map(String));
      expect(Array.from(t.array('n') as ArrayLike<number>)).toEqual(small.map(Number));
    }
  });

  it("keeps the schema's column order when the column chunks' reads complete in another order", async () => {
    // hyparquet reads a row group's column chunks in runs of at most 2 MB; from a file those
    // reads complete in whatever order the I/O does. Here the later a chunk starts in the file, the
    // sooner its read completes: the reverse order.
    const n = 100_000; // three columns of 800 kB in one row group: read as two runs of chunks
    const cols = { logit_0: Array.from({ length: n }, (_, i) => i), logit_1: Array.from({ length: n }, (_, i) => -i), logit_2: Array.from({ length: n }, (_, i) => i / 2) };
    const bytes = new Uint8Array(writeParquet(cols, n)); // not a Buffer, whose slice() is a view
    const reads: number[] = [];
    const reversed = {
      byteLength: bytes.byteLength,
      slice: (start: number, end?: number) =>
        new Promise<ArrayBuffer>((resolve) => {
          reads.push(start);
          const copy = bytes.slice(start, end);
          setTimeout(() => resolve(copy.buffer), Math.round(((bytes.byteLength - start) / bytes.byteLength) * 60));
        }),
    };
    const t = await parquetTable(reversed, 'reversed.parquet');
    expect(new Set(reads).size).toBeGreaterThanOrEqual(3); // the footer and at least two runs of chunks
    expect(t.columnNames()).toEqual(['logit_0', 'logit_1', 'logit_2']);
    for (const [name, values] of Object.entries(cols)) expect(Array.from(t.array(name) as ArrayLike<unknown>)).toEqual(values);
  });

  it('rejects a truncated file, a file that is not Parquet and a missing file', async () => {
    const good = writeParquet({ id: ['a', 'b'], x: [1, 2] });
    for (const bytes of [good.subarray(0, good.length - 12), Buffer.from('id,x\na,1\n')]) {
      const err = await readParquet(write(bytes)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).expected).toBe('a readable Parquet file');
    }
    await expect(readParquet('/nonexistent/x.parquet')).rejects.toThrow(/expected a readable Parquet file/);
  });

  // Files from another writer (parquet-wasm, the Rust parquet crate: dictionary pages, 3 row groups),
  // one per codec; made by scripts/gen-parquet-codecs.mjs, whose values these are.
  const valueAt = (i: number, c: number) => ((i * 7 + c * 5) % 23) / 4 - 2;
  it.each(PARQUET_CODECS)('reads a %s-compressed file written by another Parquet writer', async (codec) => {
    const t = await readParquet(`test/fixtures/parquet/logits-${codec}.parquet`);
    expect(t.numRows()).toBe(40);
    expect(t.columnNames()).toEqual(['id', 'label', 'logits', 'logit_0', 'logit_1', 'logit_2']);
    const rows = Array.from({ length: 40 }, (_, i) => i);
    expect(t.array('id')).toEqual(rows.map((i) => `r${i}`));
    expect(t.array('label')).toEqual(rows.map((i) => ['cat', 'dog', 'bird'][i % 3]));
    expect(t.array('logits')).toEqual(rows.map((i) => [0, 1, 2].map((c) => valueAt(i, c))));
    for (const c of [0, 1, 2]) expect(Array.from(t.array(`logit_${c}`) as Float64Array)).toEqual(rows.map((i) => valueAt(i, c)));
  });
});
