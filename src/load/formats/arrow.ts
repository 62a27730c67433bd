/** Arrow IPC tables (file or stream format, e.g. `pyarrow.feather.write_feather` or `df.to_feather`) via arquero. */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { InputError } from '../../messages.ts';
import { readWholeFile } from '../read-whole.ts';
import { beyondDouble, integerText } from './int64.ts';

export async function readArrow(file: string, key = 'dataset.file'): Promise<ColumnTable> {
  const bytes = await readWholeFile(file, key);
  let table: ColumnTable;
  try {
    // 64-bit integers as BigInts: flechette's numbers refuse values beyond 2^53 (database ids).
    table = aq.fromArrow(bytes, { useBigInt: true });
  } catch (e) {
    throw new InputError(file, 'an Arrow IPC file or stream', `bytes that do not parse (${String((e as Error)?.message ?? e).split('\n')[0]}; truncated?)`);
  }
  // Only the 64-bit integer columns (by their Arrow type) are looked at: the others stay as read.
  const integers = Object.fromEntries(table.columnNames().flatMap((name) => (isInt64(table.column(name)) ? [[name, exactIntegers(table.array(name) as ArrayLike<unknown>)]] : [])));
  return Object.keys(integers).length ? table.assign(aq.table(integers)) : table;
}

/** An Arrow Int64/Uint64 column (flechette's column type: Int is type id 2). */
function isInt64(column: unknown): boolean {
  const type = (column as { type?: { typeId?: number; bitWidth?: number } }).type;
  return type?.typeId === 2 && type.bitWidth === 64;
}

/** A column of 64-bit integers as numbers when every one fits a double exactly, else as their decimal text (ids). */
function exactIntegers(values: ArrayLike<unknown>): unknown[] {
  const text = Array.prototype.some.call(values, beyondDouble);
  return Array.from(values, (v) => (typeof v !== 'bigint' ? v : text ? integerText(v) : Number(v)));
}
