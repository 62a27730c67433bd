/** Arrow IPC tables (file or stream format, e.g. `pyarrow.feather.write_feather` or `df.to_feather`) via arquero. */
import { readFile } from 'node:fs/promises';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { InputError } from '../../messages.ts';

export async function readArrow(file: string): Promise<ColumnTable> {
  const bytes = new Uint8Array(await readFile(file));
  try {
    return aq.fromArrow(bytes); // int64 columns arrive as numbers (flechette's default)
  } catch (e) {
    throw new InputError(file, 'an Arrow IPC file or stream', `bytes that do not parse (${String((e as Error)?.message ?? e).split('\n')[0]}; truncated?)`);
  }
}
