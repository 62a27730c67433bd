/**
 * Parquet tables via hyparquet, read one row group at a time from the file (never the whole file
 * in memory at once), into columns for arquero. BigInt columns become numbers, lists stay arrays.
 *
 * Columns are taken as hyparquet decodes them (onChunk: one array per column chunk), not as rows:
 * transposing to a row array per record and back cost ~0.3 s and most of the GC per million rows
 * of eleven columns. A column is one top-level field of the schema (a list column such as Spark's
 * `array<float>` is one column named after the field, not after its leaf).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type ColumnMetaData, type Compressors, type FileMetaData, type RowGroup, type SchemaTree } from 'hyparquet';
import { InputError } from '../../messages.ts';
import { beyondDouble, integerText } from './int64.ts';
import { isNumberListField, readNumberListChunk } from './parquet-lists.ts';

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

/**
 * A list column whose every row is `width` numbers (Spark's `array<double>` of logits), kept flat:
 * row r is values[r·width, (r + 1)·width). Regular chunks are decoded flat (parquet-lists.ts); a
 * chunk hyparquet assembled (a JS array per row) is flattened as it arrives — a million row arrays
 * kept until the whole file was read made the reader spend most of its time in GC.
 */
export class NumberLists {
  constructor(
    readonly width: number,
    readonly values: Float64Array,
  ) {}
  get length(): number {
    return this.values.length / this.width;
  }
  /** Row r as a plain array, as a list column's rows read elsewhere. */
  at(r: number): number[] {
    return Array.from(this.values.subarray(r * this.width, (r + 1) * this.width));
  }
}

/** A column as read: numbers without nulls, lists of numbers of one width, or plain values. */
export type ParquetColumn = Float64Array | NumberLists | unknown[];

/** A Parquet file's columns, in the schema's order. */
export interface ParquetColumns {
  rows: number;
  names: string[];
  columns: ParquetColumn[];
}

/** The file as an arquero table (list columns as arrays per row). */
export async function readParquet(file: string): Promise<ColumnTable> {
  return tableOf(await readParquetColumns(file));
}

/** The file's columns as read, for readers that take the flat forms as they are (precomputed predictions). */
export async function readParquetColumns(file: string): Promise<ParquetColumns> {
  const reader = await openParquet(file);
  try {
    return await reader.read();
  } finally {
    await reader.close();
  }
}

/** An open Parquet file: its schema's column names and row count, read on demand. */
export interface ParquetReader {
  names: string[];
  rows: number;
  /**
   * A digest of column `name` as stored — every row group's chunk of it, page headers included, with
   * its type, codec and value count: files with equal digests hold equal values in that column,
   * which can then be left unread (precomputed.ts: a checkpoint's ids, the same as the last one's).
   * Null for a column that is not one chunk per row group (absent, or nested with several leaves).
   */
  digest(name: string): Promise<string | null>;
  /** Every column but `omit`, in the schema's order. */
  read(omit?: string): Promise<ParquetColumns>;
  close(): Promise<void>;
}

export async function openParquet(file: string): Promise<ParquetReader> {
  const { buffer, close } = await fileBuffer(file).catch(failure(file));
  return parquetReader(buffer, file, close);
}

/** A reader of the Parquet bytes in `buffer` (named `file` in messages); `close` releases them, also when they are not Parquet. */
async function parquetReader(buffer: AsyncBuffer, file: string, close: () => Promise<void> = async () => {}): Promise<ParquetReader> {
  const fail = failure(file);
  try {
    const metadata = await parquetMetadataAsync(buffer).catch(fail);
    const schema = schemaOf(metadata, fail);
    const names = schema.children.map((c) => c.element.name);
    return {
      names,
      rows: Number(metadata.num_rows),
      async digest(name) {
        const hash = createHash('sha1');
        for (const group of metadata.row_groups) {
          const chunk = columnChunk(group, name);
          if (!chunk) return null; // not one stored chunk per row group: no digest that could vouch for its values
          const { meta, from, to } = chunk;
          hash.update(JSON.stringify([meta.path_in_schema, meta.type, meta.codec, String(meta.num_values), String(meta.total_compressed_size)]));
          hash.update(new Uint8Array(await buffer.slice(from, to)));
        }
        return hash.digest('hex');
      },
      read: (omit) => parquetColumns(buffer, file, metadata, schema, omit),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The file as hyparquet's AsyncBuffer: each slice is one positioned read into its own ArrayBuffer.
 * hyparquet's asyncBufferFromFile streams every slice in 64 kB pieces and concatenates them — an
 * allocation and a copy more per byte, ~0.15 s per 100 MB of part files here.
 */
async function fileBuffer(file: string): Promise<{ buffer: AsyncBuffer; close: () => Promise<void> }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const slice = async (start: number, end = size): Promise<ArrayBuffer> => {
      const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - start));
      for (let at = 0; at < bytes.length; ) {
        const { bytesRead } = await handle.read(bytes, at, bytes.length - at, start + at);
        if (bytesRead === 0) throw new Error(`the file ended at byte ${start + at} of ${size}`);
        at += bytesRead;
      }
      return bytes.buffer;
    };
    return { buffer: { byteLength: size, slice }, close: () => handle.close() };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** The schema's tree, or the file's read error. */
function schemaOf(metadata: FileMetaData, fail: (e: unknown) => never): SchemaTree {
  try {
    return parquetSchema(metadata);
  } catch (e) {
    return fail(e);
  }
}

/** The table in `buffer` (named `file` in messages), its columns in the schema's order. */
export async function parquetTable(buffer: AsyncBuffer, file: string): Promise<ColumnTable> {
  return tableOf(await (await parquetReader(buffer, file)).read());
}

function tableOf({ names, columns }: ParquetColumns): ColumnTable {
  return aq.table(Object.fromEntries(names.map((n, c) => [n, columns[c] instanceof NumberLists ? rowArrays(columns[c]) : columns[c]])) as Record<string, unknown[]>);
}

function rowArrays(lists: NumberLists): number[][] {
  return Array.from({ length: lists.length }, (_, r) => lists.at(r));
}

async function parquetColumns(buffer: AsyncBuffer, file: string, metadata: FileMetaData, schema: SchemaTree, omit?: string): Promise<ParquetColumns> {
  const fail = failure(file);
  const fields = schema.children.map((c) => c.element.name);
  const names = fields.filter((n) => n !== omit);
  const compressors = await parquetCodecs();
  const total = Number(metadata.num_rows);
  // Numeric columns without nulls arrive as typed arrays and stay one Float64Array (off the JS heap:
  // a million rows of ten prediction columns as JS arrays were most of the reader's GC), lists of
  // numbers of one width become NumberLists as each chunk arrives; any other column, or one with a
  // chunk that does not fit its form (nulls, another width), is a plain array.
  const columns: (ParquetColumn | undefined)[] = names.map(() => undefined);
  const asText = new Set<number>(); // columns of 64-bit integers too large for doubles
  // Regular list columns of numbers are decoded flat straight from their chunks (parquet-lists.ts);
  // hyparquet reads the rest, and a list column any chunk of which is not regular.
  for (const [c, name] of names.entries()) {
    if (isNumberListField(schema, name)) columns[c] = (await flatLists(buffer, metadata, schema, name, compressors, total)) ?? undefined;
  }
  const general = names.filter((_, c) => columns[c] === undefined);
  // Chunks arrive in the order their reads complete, not the schema's: each is placed by its
  // column's schema position, which readers of unnamed prediction columns rely on (logit_0 …
  // logit_9 are classes 0 … 9).
  const position = new Map(general.map((n) => [n, names.indexOf(n)]));
  let start = 0;
  for (const group of general.length > 0 ? metadata.row_groups : []) {
    const end = start + Number(group.num_rows);
    const filled = names.map(() => 0); // rows placed, per column of `names` (only the general ones count)
    await parquetRead({
      file: buffer,
      metadata,
      rowStart: start,
      rowEnd: end,
      ...(general.length === fields.length ? {} : { columns: general }),
      compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const c = position.get(columnName);
        if (c === undefined) return;
        // A chunk may hold rows outside the group's range: each value is placed by its row number.
        const from = Math.max(start, rowStart);
        const to = Math.min(end, rowStart + columnData.length);
        if (to <= from) return;
        // 64-bit integers beyond 2^53 (database and Snowflake-style ids) are not exact as numbers:
        // such a column becomes the integers' decimal text, every row of it.
        if (!asText.has(c) && beyondDoubles(columnData, from - rowStart, to - rowStart)) {
          asText.add(c);
          const read = columns[c];
          if (read !== undefined) columns[c] = Array.from(read instanceof NumberLists ? rowArrays(read) : (read as ArrayLike<unknown>), integerText);
        }
        if (asText.has(c)) {
          const col = (columns[c] ??= new Array<unknown>(total)) as unknown[];
          for (let r = from; r < to; r++) col[r] = integerText(columnData[r - rowStart]);
          filled[c] += to - from;
          return;
        }
        const numeric = isNumeric(columnData);
        const width = numeric ? -1 : listWidth(columnData, from - rowStart, to - rowStart);
        let col = columns[c];
        if (col === undefined) col = columns[c] = numeric ? new Float64Array(total) : width > 0 ? new NumberLists(width, new Float64Array(total * width)) : new Array<unknown>(total);
        // A chunk that does not fit the column's form turns it plain; rows not read yet are overwritten below.
        else if (col instanceof Float64Array && !numeric) col = columns[c] = Array.from(col);
        else if (col instanceof NumberLists && width !== col.width) col = columns[c] = rowArrays(col);
        if (col instanceof Float64Array && columnData instanceof Float64Array) col.set(columnData.subarray(from - rowStart, to - rowStart), from);
        else if (col instanceof Float64Array) for (let r = from; r < to; r++) col[r] = Number(columnData[r - rowStart]);
        else if (col instanceof NumberLists) {
          const { values } = col;
          for (let r = from; r < to; r++) {
            const row = columnData[r - rowStart] as number[];
            for (let j = 0; j < width; j++) values[r * width + j] = row[j];
          }
        } else for (let r = from; r < to; r++) col[r] = plain(columnData[r - rowStart]);
        filled[c] += to - from;
      },
    }).catch(fail);
    const short = general.find((n) => filled[position.get(n)!] !== end - start);
    if (short !== undefined) fail(new Error(`column ${short} has ${filled[position.get(short)!]} of the ${end - start} rows of the row group at row ${start}`));
    start = end;
  }
  return { rows: total, names, columns: columns.map((c) => c ?? []) };
}

/** Column `name` of every row group read flat (parquet-lists.ts), or null when some chunk is not regular or cannot be read that way. */
async function flatLists(buffer: AsyncBuffer, metadata: FileMetaData, schema: SchemaTree, name: string, compressors: Compressors, total: number): Promise<NumberLists | null> {
  let lists: NumberLists | null = null;
  let start = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const chunk = columnChunk(group, name);
    if (!chunk) return null;
    let read: ReturnType<typeof readNumberListChunk>;
    try {
      read = readNumberListChunk(await buffer.slice(chunk.from, chunk.to), chunk.meta, schema, compressors, rows);
    } catch {
      return null; // the general reader reports what is wrong with it
    }
    if (!read) return null;
    lists ??= new NumberLists(read.width, new Float64Array(total * read.width));
    if (read.width !== lists.width) return null;
    lists.values.set(read.values, start * lists.width);
    start += rows;
  }
  return lists;
}

/** Whether rows [from, to) hold a 64-bit integer that a double cannot hold exactly. */
function beyondDoubles(data: ArrayLike<unknown>, from: number, to: number): boolean {
  if (!(data instanceof BigInt64Array || data instanceof BigUint64Array || Array.isArray(data))) return false;
  for (let r = from; r < to; r++) if (beyondDouble(data[r])) return true;
  return false;
}

/** Column `name`'s chunk in a row group (its one top-level leaf) and its bytes' range, or null (none, several, or in another file). */
function columnChunk(group: RowGroup, name: string): { meta: ColumnMetaData; from: number; to: number } | null {
  const chunks = group.columns.filter((chunk) => chunk.meta_data?.path_in_schema[0] === name);
  const meta = chunks.length === 1 && !chunks[0].file_path ? chunks[0].meta_data : undefined;
  if (!meta) return null;
  // Where hyparquet starts reading a chunk (some writers leave a dictionary offset of 0).
  const from = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return { meta, from, to: from + Number(meta.total_compressed_size) };
}

/** The common length of rows [from, to) when each is a non-empty array of numbers of one length, else −1. */
function listWidth(data: ArrayLike<unknown>, from: number, to: number): number {
  const first = data[from];
  if (!Array.isArray(first) || first.length === 0) return -1;
  const width = first.length;
  for (let r = from; r < to; r++) {
    const row = data[r];
    if (!Array.isArray(row) || row.length !== width) return -1;
    for (let j = 0; j < width; j++) if (typeof row[j] !== 'number') return -1;
  }
  return width;
}

/** A typed array of numbers (not bytes of a string, not a list's values). */
function isNumeric(data: ArrayLike<unknown>): boolean {
  return data instanceof Float64Array || data instanceof Float32Array || data instanceof Int32Array || data instanceof BigInt64Array || data instanceof Uint32Array;
}

/** BigInts as numbers, also inside lists; a list without any is kept as hyparquet made it (a copy of each of a million rows' lists was most of a list column's GC). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'bigint' || Array.isArray(x)) return v.map(plain);
  }
  return v;
}
