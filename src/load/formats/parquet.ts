/**
 * Parquet tables via hyparquet, read one row group at a time from the file (never the whole file
 * in memory at once), into columns for arquero. BigInt columns become numbers, lists stay arrays.
 *
 * Columns are taken as hyparquet decodes them (onChunk: one array per column chunk), not as rows:
 * transposing to a row array per record and back cost ~0.3 s and most of the GC per million rows
 * of eleven columns. A column is one top-level field of the schema (a list column such as Spark's
 * `array<float>` is one column named after the field, not after its leaf).
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type Compressors } from 'hyparquet';
import { InputError } from '../../messages.ts';

let codecs: Promise<Compressors> | undefined;

/**
 * Every Parquet codec, not just hyparquet's built-in SNAPPY: Spark, Dask and Ray write SNAPPY by
 * default, Polars ZSTD, and GZIP, BROTLI and LZ4 are one option away (hyparquet-compressors, by
 * hyparquet's author). GZIP and BROTLI go to Node's own zlib, which is native. Imported on the
 * first Parquet file (its WebAssembly snappy costs ~20 ms at start-up, which CSV runs need not pay).
 */
function parquetCodecs(): Promise<Compressors> {
  codecs ??= import('hyparquet-compressors').then(({ compressors }) => ({
    ...compressors,
    GZIP: (input: Uint8Array) => gunzipSync(input),
    BROTLI: (input: Uint8Array) => brotliDecompressSync(input),
  }));
  return codecs;
}

const failure = (file: string) => (e: unknown): never => {
  throw new InputError(file, 'a readable Parquet file', `a read error (${String((e as Error)?.message ?? e).split('\n')[0]}; truncated or not Parquet?)`);
};

export async function readParquet(file: string): Promise<ColumnTable> {
  return parquetTable(await asyncBufferFromFile(file).catch(failure(file)), file);
}

/** The table in `buffer` (named `file` in messages), its columns in the schema's order. */
export async function parquetTable(buffer: AsyncBuffer, file: string): Promise<ColumnTable> {
  const fail = failure(file);
  const metadata = await parquetMetadataAsync(buffer).catch(fail);
  let names: string[] = [];
  try {
    names = parquetSchema(metadata).children.map((c) => c.element.name);
  } catch (e) {
    fail(e);
  }
  const compressors = await parquetCodecs();
  const total = Number(metadata.num_rows);
  // Numeric columns without nulls arrive as typed arrays and stay one Float64Array (off the JS heap:
  // a million rows of ten prediction columns as JS arrays were most of the reader's GC); any other
  // column, or a numeric one with a chunk that is not (nulls), is a plain array.
  const columns: Record<string, Float64Array | unknown[]> = {};
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    const filled: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    await parquetRead({
      file: buffer,
      metadata,
      rowStart: start,
      rowEnd: end,
      compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        if (!(columnName in filled)) return;
        // A chunk may hold rows outside the group's range: each value is placed by its row number.
        const from = Math.max(start, rowStart);
        const to = Math.min(end, rowStart + columnData.length);
        const numeric = isNumeric(columnData);
        let col = columns[columnName];
        if (col === undefined) col = columns[columnName] = numeric ? new Float64Array(total) : new Array<unknown>(total);
        else if (col instanceof Float64Array && !numeric) col = columns[columnName] = Array.from(col); // rows not read yet are overwritten below
        if (col instanceof Float64Array) for (let r = from; r < to; r++) col[r] = Number(columnData[r - rowStart]);
        else for (let r = from; r < to; r++) col[r] = plain(columnData[r - rowStart]);
        filled[columnName] += Math.max(0, to - from);
      },
    }).catch(fail);
    const short = names.find((n) => filled[n] !== end - start);
    if (short !== undefined) fail(new Error(`column ${short} has ${filled[short]} of the ${end - start} rows of the row group at row ${start}`));
    start = end;
  }
  // Chunks arrive in the order their reads complete, not the schema's: the table takes the schema's
  // order, which readers of unnamed prediction columns rely on (logit_0 … logit_9 are classes 0 … 9).
  return aq.table(Object.fromEntries(names.map((n) => [n, columns[n] ?? []])) as Record<string, unknown[]>);
}

/** A typed array of numbers (not bytes of a string, not a list's values). */
function isNumeric(data: ArrayLike<unknown>): boolean {
  return data instanceof Float64Array || data instanceof Float32Array || data instanceof Int32Array || data instanceof BigInt64Array || data instanceof Uint32Array;
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}
