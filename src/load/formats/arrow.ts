/** Arrow IPC tables (file or stream format, e.g. `pyarrow.feather.write_feather` or `df.to_feather`) via arquero. */
import { readFile } from 'node:fs/promises';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { InputError } from '../../messages.ts';

export async function readArrow(file: string): Promise<ColumnTable> {
  const bytes = new Uint8Array(await readFile(file));
  let table: ColumnTable;
  try {
    // 64-bit integers as BigInts: flechette's numbers refuse values beyond 2^53 (database ids).
    table = aq.fromArrow(bytes, { useBigInt: true });
  } catch (e) {
    throw new InputError(file, 'an Arrow IPC file or stream', `bytes that do not parse (${String((e as Error)?.message ?? e).split('\n')[0]}; truncated?)`);
  }
  const integers = Object.fromEntries(table.columnNames().flatMap((name) => {
    const values = table.array(name) as ArrayLike<unknown>;
    return hasBigInts(values) ? [[name, exactIntegers(values)]] : [];
  }));
  return Object.keys(integers).length ? table.assign(aq.table(integers)) : table;
}

function hasBigInts(values: ArrayLike<unknown>): boolean {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) return true;
  for (let i = 0; i < values.length; i++) if (typeof values[i] === 'bigint') return true;
  return false;
}

/** A column of 64-bit integers as numbers when every one fits a double exactly, else as their decimal text (ids). */
function exactIntegers(values: ArrayLike<unknown>): unknown[] {
  const limit = 9007199254740991n;
  let fits = true;
  for (let i = 0; i < values.length && fits; i++) {
    const v = values[i];
    if (typeof v === 'bigint' && (v > limit || v < -limit)) fits = false;
  }
  return Array.from(values, (v) => (typeof v === 'bigint' ? (fits ? Number(v) : String(v)) : v));
}
