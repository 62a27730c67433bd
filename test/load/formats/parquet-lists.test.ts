/** Regular list columns of numbers decoded flat: the values hyparquet's own assembly gives, or null to leave the column to it. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { NumberLists, readParquetColumns } from '../../../src/load/formats/parquet.ts';
import { isNumberListField, readNumberListChunk } from '../../../src/load/formats/parquet-lists.ts';
import { writeParquet } from '../../helpers/parquet-writer.ts';

const write = (bytes: Uint8Array) => {
  const p = join(mkdtempSync(join(tmpdir(), 'pql-')), 't.parquet');
  writeFileSync(p, bytes);
  return p;
};

/** hyparquet's own reading of the column, row by row. */
async function assembled(bytes: Uint8Array, name: string): Promise<unknown[]> {
  const file = new Uint8Array(bytes).buffer;
  return (await parquetReadObjects({ file, columns: [name] })).map((row) => Array.from(row[name] as ArrayLike<number>));
}

/** Every row group's chunk of the (only or named) list column, through readNumberListChunk. */
function flatChunks(bytes: Uint8Array, name: string) {
  const file = new Uint8Array(bytes).buffer;
  const metadata = parquetMetadata(file);
  return metadata.row_groups.map((group) => {
    const meta = group.columns.find((c) => c.meta_data!.path_in_schema[0] === name)!.meta_data!;
    const from = Number(meta.dictionary_page_offset || meta.data_page_offset);
    return readNumberListChunk(file.slice(from, from + Number(meta.total_compressed_size)), meta, parquetSchema(metadata), {}, Number(group.num_rows));
  });
}

const id = Array.from({ length: 23 }, (_, i) => `r${i}`);
const logits = id.map((_, i) => [i / 4, -i, i * i - 7.5]);

describe('parquet number lists', () => {
  it('takes lists of DOUBLE or FLOAT one level deep, not flat or string columns', () => {
    const schema = parquetSchema(parquetMetadata(new Uint8Array(writeParquet({ id, x: id.map((_, i) => i), logits })).buffer));
    expect(['id', 'x', 'logits', 'absent'].map((n) => isNumberListField(schema, n))).toEqual([false, false, true, false]);
    // Another writer's list<float32> (test/fixtures/parquet, parquet-wasm): dictionary pages.
    expect(isNumberListField(parquetSchema(parquetMetadata(new Uint8Array(readFileSync('test/fixtures/parquet/logits-zstd.parquet')).buffer)), 'logits')).toBe(true);
  });

  it.each([
    ['one page per chunk', undefined],
    ['rows continuing on the next page', 7],
    ['a page per value', 1],
  ])('reads %s as hyparquet assembles them, row group by row group', async (_, listPageValues) => {
    const bytes = writeParquet({ id, logits }, 10, { listPageValues });
    const chunks = flatChunks(bytes, 'logits');
    expect(chunks.map((c) => c && c.width)).toEqual([3, 3, 3]);
    expect(chunks.flatMap((c) => Array.from(c!.values))).toEqual((await assembled(bytes, 'logits')).flat());
    const read = await readParquetColumns(write(bytes));
    const lists = read.columns[1];
    expect(lists).toBeInstanceOf(NumberLists);
    expect((lists as NumberLists).width).toBe(3);
    expect(Array.from({ length: id.length }, (_, r) => (lists as NumberLists).at(r))).toEqual(await assembled(bytes, 'logits'));
    expect(Array.from((lists as NumberLists).values)).toEqual(logits.flat());
  });

  it('returns null for a chunk that is not regular: rows of different lengths, or fewer rows than the group', () => {
    const chunkOf = (rows: number[][], groupRows = rows.length) => {
      const file = new Uint8Array(writeParquet({ logits: rows }, 1000, { listPageValues: 4 })).buffer;
      const metadata = parquetMetadata(file);
      const meta = metadata.row_groups[0].columns[0].meta_data!;
      const from = Number(meta.data_page_offset);
      return readNumberListChunk(file.slice(from, from + Number(meta.total_compressed_size)), meta, parquetSchema(metadata), {}, groupRows);
    };
    expect(chunkOf([[1, 2], [3, 4], [5, 6]])).toEqual({ width: 2, values: Float64Array.from([1, 2, 3, 4, 5, 6]) });
    expect(chunkOf([[1, 2], [3, 4, 5], [6, 7]])).toBeNull(); // a longer row in the middle
    expect(chunkOf([[1, 2], [3, 4], [5]])).toBeNull(); // a short last row
    expect(chunkOf([[1, 2], [3, 4]], 3)).toBeNull();
  });

  it("reads another writer's dictionary-encoded list<float32> chunks (parquet-wasm, every codec) as hyparquet assembles them", async () => {
    const { compressors } = await import('hyparquet-compressors');
    for (const codec of ['uncompressed', 'snappy', 'gzip', 'brotli', 'zstd', 'lz4_raw']) {
      const bytes = new Uint8Array(readFileSync(`test/fixtures/parquet/logits-${codec}.parquet`));
      const file = bytes.buffer;
      const metadata = parquetMetadata(file);
      const flat = metadata.row_groups.map((group) => {
        const meta = group.columns.find((c) => c.meta_data!.path_in_schema[0] === 'logits')!.meta_data!;
        const from = Number(meta.dictionary_page_offset || meta.data_page_offset);
        return readNumberListChunk(file.slice(from, from + Number(meta.total_compressed_size)), meta, parquetSchema(metadata), compressors, Number(group.num_rows));
      });
      expect(flat.every((c) => c?.width === 3)).toBe(true);
      const want = (await parquetReadObjects({ file, columns: ['logits'], compressors })).map((row) => Array.from(row.logits as ArrayLike<number>));
      expect(flat.flatMap((c) => Array.from(c!.values))).toEqual(want.flat());
    }
  });

  it('leaves a ragged column to the general reader, every row as written', async () => {
    const ragged = logits.map((l, i) => (i === 14 ? l.slice(0, 2) : l));
    const bytes = writeParquet({ id, logits: ragged }, 10, { listPageValues: 5 });
    const read = await readParquetColumns(write(bytes));
    expect(read.columns[1]).not.toBeInstanceOf(NumberLists);
    expect(read.columns[1]).toEqual(ragged);
  });
});
