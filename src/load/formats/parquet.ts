/**
 * Parquet tables via hyparquet, read one row group at a time from the file (never the whole file
 * in memory at once), into columns for arquero. BigInt columns become numbers, lists stay arrays.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { InputError } from '../../messages.ts';

export async function readParquet(file: string): Promise<ColumnTable> {
  const fail = (e: unknown): never => {
    throw new InputError(file, 'a readable Parquet file', `a read error (${String((e as Error)?.message ?? e).split('\n')[0]}; truncated or not Parquet?)`);
  };
  const buffer = await asyncBufferFromFile(file).catch(fail);
  const metadata = await parquetMetadataAsync(buffer).catch(fail);
  const names = metadata.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name);
  const columns: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    let rows: unknown[][] = [];
    await parquetRead({ file: buffer, metadata, rowStart: start, rowEnd: end, onComplete: (r) => (rows = r) }).catch(fail);
    for (const row of rows) names.forEach((n, j) => columns[n].push(plain(row[j])));
    start = end;
  }
  return aq.table(columns);
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}
