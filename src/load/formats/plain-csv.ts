/**
 * arquero's CSV/TSV table, built without arquero's tokenizer for the common file that has no quote
 * character: a million-row file of logits took ~7 s through arquero (a string per field, then a
 * row array per record, then the columns), and ~3× less this way. The table is the one
 * `aq.fromCSVStream(…, { delimiter, parse })` gives — the same column names and the same values:
 * empty fields read null, `parse` columns text, the others typed from their first 1 000 values as
 * arquero types them (`+v` for numbers, text when no type fits) — which
 * test/load/formats/plain-csv.test.ts checks against arquero on generated files.
 *
 * Whatever this reader does not reproduce exactly gets null, and the caller reads the file with
 * arquero: a quote anywhere (quoted fields), a record with more or fewer fields than the header
 * (blank lines too: arquero keeps them as records), duplicate column names, and columns arquero
 * would read as booleans or dates (or that are empty in their first 1 000 records: arquero reads
 * those as booleans).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';

const NEWLINE = 10;
const RETURN = 13;
const QUOTE = '"';
/** Values arquero types a column from (parse-text-rows.js autoMax). */
const INFER_FROM = 1000;
/** arquero's ISO date test (util/is-iso-date-string.js), for the columns it would read as dates. */
const ISO_DATE = /^([-+]\d{2})?\d{4}(-\d{2}(-\d{2})?)?(T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?(Z|[-+]\d{2}:\d{2})?)?$/;

type Kind = 'text' | 'number';

/** The table of `text` as arquero reads it, or null when arquero must read it (see above). */
export function readPlainDelimited(text: string, delimiter: string, textColumns: readonly string[]): ColumnTable | null {
  if (text.includes(QUOTE)) return null;
  const delim = delimiter.charCodeAt(0);
  const N = text.length;

  // The header: fields up to the first line end (\n, \r\n or \r).
  const returns = text.includes('\r'); // else every line ends with \n, and indexOf finds the fields (scanRecords)
  const lineEnd = Math.min(...(returns ? ['\n', '\r'] : ['\n']).map((c) => text.indexOf(c)).filter((at) => at >= 0), N);
  const names = text.slice(0, lineEnd).split(delimiter);
  const p = lineEnd + (text.startsWith('\r\n', lineEnd) ? 2 : 1);
  const n = names.length;
  if (new Set(names).size !== n) return null;

  // The first INFER_FROM records as text (null for empty fields), to type the columns from.
  const head: (string | null)[][] = names.map(() => []);
  const afterHead = scanRecords(text, p, n, delim, returns, INFER_FROM, (j, a, b) => void head[j].push(a === b ? null : text.slice(a, b)));
  if (afterHead < 0) return null;
  const textCols = new Set(textColumns);
  const kinds = names.map((name, j) => (textCols.has(name) ? 'text' : kindOf(head[j])));
  if (kinds.some((k) => k === null)) return null;

  // Then every record: numbers into Float64Arrays (unboxed, so a million of them cost the GC
  // nothing), text into arrays; empty fields noted as null.
  let capacity = head[0].length + countLineEnds(text, afterHead) + 1;
  const numbers: (Float64Array | null)[] = kinds.map((k) => (k === 'number' ? new Float64Array(capacity) : null));
  const texts = kinds.map((k) => (k === 'text' ? ([] as (string | null)[]) : null));
  const nulls = names.map(() => [] as number[]);
  head.forEach((values, j) =>
    values.forEach((v, r) => {
      if (v === null) nulls[j].push(r);
      if (numbers[j]) numbers[j][r] = v === null ? 0 : +v;
      else texts[j]!.push(v);
    }),
  );
  let record = head[0].length;
  const end = scanRecords(text, afterHead, n, delim, returns, Infinity, (j, a, b) => {
    if (j === 0 && record === capacity) {
      capacity *= 2;
      numbers.forEach((f, c) => f && (numbers[c] = grown(f, capacity)));
    }
    const f = numbers[j];
    if (a === b) {
      nulls[j].push(record);
      if (!f) texts[j]!.push(null);
    } else if (f) f[record] = numberAt(text, a, b);
    else texts[j]!.push(text.slice(a, b));
    if (j === n - 1) record++;
  });
  if (end < 0) return null;

  const columns = names.map((_, j): (string | number | null)[] => {
    if (texts[j]) return texts[j];
    const values: (number | null)[] = Array.from(numbers[j]!.subarray(0, record));
    for (const r of nulls[j]) values[r] = null;
    return values;
  });
  return aq.table(Object.fromEntries(names.map((name, j) => [name, columns[j]])), names);
}

/**
 * Calls `field(column, start, end)` for every field of up to `max` records from position `p`, where
 * each record is exactly `n` fields up to a line end (\n, \r\n or \r — `returns`: the text has a \r) or the end of the text;
 * returns the position after the last record read, or −1 at a record of another width.
 */
function scanRecords(text: string, p: number, n: number, delim: number, returns: boolean, max: number, field: (column: number, start: number, end: number) => void): number {
  if (!returns) return scanLines(text, p, n, String.fromCharCode(delim), max, field);
  const N = text.length;
  let col = 0;
  let start = p;
  let records = 0;
  for (; p <= N && records < max; p++) {
    const c = p < N ? text.charCodeAt(p) : -1;
    if (c !== delim && c !== NEWLINE && c !== RETURN && c !== -1) continue;
    if (c === -1 && col === 0 && start === p) break; // the text ends with a line end: no record after it
    const endOfLine = c !== delim;
    if (endOfLine ? col !== n - 1 : col === n - 1) return -1; // not exactly n fields
    field(col, start, p);
    col++;
    start = p + 1;
    if (!endOfLine) continue;
    col = 0;
    records++;
    if (c === RETURN && text.charCodeAt(p + 1) === NEWLINE) start = ++p + 1;
  }
  return Math.min(start, N);
}

/**
 * scanRecords for a text whose only line end is \n: lines and fields found with indexOf, which
 * scans natively — a JavaScript loop over every character cost ~5 ns a character here.
 */
function scanLines(text: string, p: number, n: number, delim: string, max: number, field: (column: number, start: number, end: number) => void): number {
  const N = text.length;
  // The first delimiter at or after a position, kept between records: looking for one past a
  // record's last field from scratch would rescan the rest of a one-column file on every line.
  let nextDelim = text.indexOf(delim, p);
  for (let records = 0; p < N && records < max; records++) {
    let end = text.indexOf('\n', p);
    if (end < 0) end = N;
    let start = p;
    for (let col = 0; col < n - 1; col++) {
      const at = text.indexOf(delim, start);
      if (at < 0 || at >= end) return -1; // fewer than n fields
      field(col, start, at);
      start = at + 1;
    }
    if (nextDelim >= 0 && nextDelim < start) nextDelim = text.indexOf(delim, start);
    if (nextDelim >= 0 && nextDelim < end) return -1; // more than n fields
    field(n - 1, start, end);
    p = end + 1;
  }
  return Math.min(p, N);
}

/** \n in `text` from `from` on: the records left, for files with \n or \r\n line ends (others grow). */
function countLineEnds(text: string, from: number): number {
  let count = 0;
  for (let at = text.indexOf('\n', from); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function grown(f: Float64Array, capacity: number): Float64Array {
  const out = new Float64Array(capacity);
  out.set(f);
  return out;
}

/** Powers of ten a double holds exactly. */
const POW10 = Float64Array.from({ length: 23 }, (_, e) => 10 ** e);

/**
 * `+text.slice(a, b)` — the correctly rounded double of the field — without making the string
 * when the field is a plain decimal (-?digits[.digits]) of at most 2^53 without its point and at
 * most 22 decimals: then digits ÷ 10^decimals is one correctly rounded division of two exact
 * doubles, the same double (Clinger's fast path). Anything else goes through `+`.
 */
export function numberAt(text: string, a: number, b: number): number {
  let i = a;
  const negative = text.charCodeAt(i) === 45; // '-'
  if (negative) i++;
  let digits = 0;
  let mantissa = 0;
  let decimals = -1; // −1: no point yet
  for (; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) decimals = 0; // '.'
    else return +text.slice(a, b);
  }
  // Below 2^53 every step above was exact; beyond, or without a digit, let `+` decide.
  if (digits === 0 || mantissa > Number.MAX_SAFE_INTEGER || decimals > 22) return +text.slice(a, b);
  const value = decimals > 0 ? mantissa / POW10[decimals] : mantissa;
  return negative ? -value : value;
}

/**
 * How arquero types a column from its first INFER_FROM values (util/parse-values.js: booleans,
 * then numbers, then ISO dates, else text): 'number', 'text', or null for booleans and dates.
 */
function kindOf(values: readonly (string | null)[]): Kind | null {
  // arquero reads the file in pieces until it has INFER_FROM rows, the header counted, so it types
  // from 999 or 1 000 values; where the 1 000th would change the type, leave the file to arquero.
  const kind = kindOfFirst(values, INFER_FROM);
  return kind === kindOfFirst(values, INFER_FROM - 1) ? kind : null;
}

function kindOfFirst(values: readonly (string | null)[], count: number): Kind | null {
  const first = values.slice(0, count).filter((v): v is string => v !== null);
  if (first.every((v) => v === 'true' || v === 'false')) return null; // booleans (every column of nulls too)
  if (first.every((v) => v === 'NaN' || +v === +v)) return 'number';
  if (first.every((v) => ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)))) return null;
  return 'text';
}
