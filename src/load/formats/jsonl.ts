/** JSON Lines read line by line from a stream, so the raw text is never held in memory at once. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../messages.ts';
import { readFailure, withoutBom } from '../read-whole.ts';

export interface JsonlOptions {
  /** Parses one line (default JSON.parse; the metrics log also takes Python's bare NaN / Infinity). */
  parse?: (line: string) => unknown;
  /** The config key naming the file, for a read failure (missing, a folder, permission). */
  key?: string;
}

/** Calls `onRow` for every non-blank line's object; errors name the line. A leading byte-order mark is skipped. */
export async function readJsonl(file: string, onRow: (row: Record<string, unknown>, line: number) => void, { parse = JSON.parse, key = 'file' }: JsonlOptions = {}): Promise<void> {
  const input = createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (let text of lines) {
      line++;
      if (line === 1) text = withoutBom(text);
      if (!text.trim()) continue;
      let row: unknown;
      try {
        row = parse(text);
      } catch (e) {
        throw new InputError(`${file} line ${line}`, 'one JSON object per line', `${JSON.stringify(text.slice(0, 40))} (${(e as Error).message})`);
      }
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new InputError(`${file} line ${line}`, 'a JSON object', JSON.stringify(row).slice(0, 60));
      onRow(row as Record<string, unknown>, line);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw readFailure(key, file, e);
  } finally {
    input.destroy();
  }
}

/** All rows of a JSONL file as objects (for arquero.from). */
export async function readJsonlObjects(file: string, key?: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  await readJsonl(file, (r) => rows.push(r), { key });
  return rows;
}
