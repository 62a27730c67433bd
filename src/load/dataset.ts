/**
 * Reads the records table with arquero (reader chosen by file extension) and decodes the id,
 * label, split and groupBy columns into typed arrays. Knows file formats, nothing about metrics.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { Config } from '../config.ts';
import { InputError, messages } from '../messages.ts';
import type { Dataset } from '../types.ts';

const MISSING = '(missing)';

export async function loadDataset(cfg: Config['dataset'], onWarn: (w: string) => void = () => {}): Promise<Dataset> {
  const table = await readTable(cfg.file, [cfg.id, cfg.label]);
  for (const [key, col] of [['dataset.id', cfg.id], ['dataset.label', cfg.label], ['dataset.split', cfg.split], ...cfg.groupBy.map((g) => ['dataset.groupBy', g])] as const) {
    if (col && !table.columnNames().includes(col)) {
      throw new InputError(`${cfg.file} (${key} = "${col}")`, `a column named "${col}"`, `columns ${table.columnNames().join(', ')}`);
    }
  }
  const n = table.numRows();
  if (n === 0) throw new InputError(cfg.file, 'at least one record', 'an empty table');
  const ids = asText(table, cfg.id);
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    if (id === MISSING) throw new InputError(`${cfg.file} row ${i + 1}`, `a value in the id column "${cfg.id}"`, 'an empty cell');
    const prev = seen.get(id);
    if (prev !== undefined) throw new InputError(`${cfg.file} (column "${cfg.id}")`, 'unique record ids', `"${id}" on rows ${prev + 1} and ${i + 1}`);
    seen.set(id, i);
  });

  const rawLabels = asText(table, cfg.label);
  const classes = cfg.classes ?? [...new Set(rawLabels.filter((l) => l !== MISSING))].sort(naturalCompare);
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const labels = new Int32Array(n);
  const unknownLabels: Dataset['unknownLabels'] = [];
  rawLabels.forEach((l, i) => {
    const k = classIndex.get(l);
    if (k !== undefined) labels[i] = k;
    else {
      labels[i] = -1;
      if (cfg.onUnknownLabel === 'error') {
        throw new InputError(`${cfg.file} row ${i + 1} (id "${ids[i]}", column "${cfg.label}")`, `a label in dataset.classes [${classes.join(', ')}]`, `"${l}" (set dataset.onUnknownLabel to "unscorable" to audit the rest)`);
      }
      unknownLabels.push({ index: i, label: l });
    }
  });
  if (unknownLabels.length) onWarn(messages.unscorable(unknownLabels.length));

  const splitText = cfg.split ? asText(table, cfg.split) : Array<string>(n).fill('all');
  const splitNames = [...new Set(splitText)];
  const splitIndex = new Map(splitNames.map((s, i) => [s, i]));
  const split = Int32Array.from(splitText, (s) => splitIndex.get(s)!);

  const groups: Record<string, string[]> = {};
  for (const g of cfg.groupBy) groups[g] = asText(table, g);

  return { file: cfg.file, table, n, ids, labels, classes, split, splitNames, groups, unknownLabels };
}

/** Read a CSV, TSV, JSON (array of objects) or JSONL table; `textColumns` are never type-inferred. */
export async function readTable(file: string, textColumns: string[] = []): Promise<ColumnTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw messages.missingFile('dataset.file', file);
  }
  const parse = Object.fromEntries(textColumns.map((c) => [c, (v: string) => v]));
  const ext = extname(file).toLowerCase();
  try {
    switch (ext) {
      case '.csv':
        return aq.fromCSV(text, { parse });
      case '.tsv':
        return aq.fromCSV(text, { delimiter: '\t', parse });
      case '.json':
        return aq.from(JSON.parse(text) as object[]);
      case '.jsonl':
      case '.ndjson':
        return aq.from(text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as object));
    }
  } catch (e) {
    throw new InputError(file, `a well-formed ${ext.slice(1).toUpperCase()} table`, `a parse error (${(e as Error).message})`);
  }
  throw new InputError(file, 'a table with extension .csv, .tsv, .json, .jsonl or .ndjson', `"${ext || 'no extension'}"`);
}

function asText(table: ColumnTable, column: string): string[] {
  const out: string[] = new Array(table.numRows());
  const col = table.column(column)!;
  for (let i = 0; i < out.length; i++) {
    const v = col.at(i);
    out[i] = v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v)) ? MISSING : String(v);
  }
  return out;
}

/** "2" sorts before "10"; otherwise plain string order. */
function naturalCompare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
