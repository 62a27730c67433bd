/** JSON Lines read line by line from a stream, so the raw text is never held in memory at once. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../messages.ts';

/** Calls `onRow` for every non-blank line's object; errors name the line. */
export async function readJsonl(file: string, onRow: (row: Record<string, unknown>, line: number) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (!text.trim()) continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (e) {
      throw new InputError(`${file} line ${line}`, 'one JSON object per line', `a parse error (${(e as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new InputError(`${file} line ${line}`, 'a JSON object', JSON.stringify(row).slice(0, 60));
    onRow(row as Record<string, unknown>, line);
  }
}

/** All rows of a JSONL file as objects (for arquero.from). */
export async function readJsonlObjects(file: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  await readJsonl(file, (r) => rows.push(r));
  return rows;
}
