/**
 * arquero's CSV/TSV table, built without arquero's tokenizer for the common file that has no quote
 * character: a million-row file of logits took ~7 s through arquero (a string per field, then a
 * row array per record, then the columns), and ~3× less this way. The table is the one readTable
 * builds from `aq.fromCSVStream(…, { delimiter, parse, autoType: false })` and typeColumn — the
 * same column names and the same values: empty fields read null, blank lines are no records,
 * `parse` columns text, the others typed from all their values (typeColumn) — which
 * test/load/formats/plain-csv.test.ts checks against arquero on generated files.
 *
 * Whatever this reader does not reproduce exactly gets null, and the caller reads the file with
 * arquero: a quote anywhere (quoted fields), a record with more or fewer fields than the header,
 * and duplicate column names.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';

const NEWLINE = 10;
const RETURN = 13;
const QUOTE = '"';
/** Records read as text first, to guess which columns are numbers (each later value is checked). */
const HEAD = 1000;
/** arquero's ISO date test (util/is-iso-date-string.js). */
const ISO_DATE = /^([-+]\d{2})?\d{4}(-\d{2}(-\d{2})?)?(T\d{2}:\d{2}(:\d{2}(\.\d{3})?)?(Z|[-+]\d{2}:\d{2})?)?$/;

/** The table of `text` as arquero reads it, or null when arquero must read it (see above). */
export function readPlainDelimited(text: string, delimiter: string, textColumns: readonly string[]): ColumnTable | null {
  if (text.includes(QUOTE)) return null;
  const delim = delimiter.charCodeAt(0);
  const N = text.length;

  // The header: fields up to the first line end (\n, \r\n or \r) after any blank lines.
  const returns = text.includes('\r'); // else every line ends with \n, and indexOf finds the fields (scanRecords)
  let h = 0;
  while (h < N && (text.charCodeAt(h) === NEWLINE || text.charCodeAt(h) === RETURN)) h++;
  const lineEnd = Math.min(...(returns ? ['\n', '\r'] : ['\n']).map((c) => text.indexOf(c, h)).filter((at) => at >= 0), N);
  const names = text.slice(h, lineEnd).split(delimiter);
  const p = lineEnd + (text.startsWith('\r\n', lineEnd) ? 2 : 1);
  const n = names.length;
  if (new Set(names).size !== n) return null;

  // The first HEAD records as text (null for empty fields): columns whose values there are all
  // numbers (or empty) are read as numbers, checked value by value; the others as text.
  const head: (string | null)[][] = names.map(() => []);
  const afterHead = scanRecords(text, p, n, delim, returns, HEAD, (j, a, b) => void head[j].push(a === b ? null : text.slice(a, b)));
  if (afterHead < 0 || head[0].length === 0) return null;
  const textCols = new Set(textColumns);
  const isNumber = names.map((name, j) => !textCols.has(name) && head[j].every((v) => v === null || fitsNumber(v)));

  // Then every record: numbers into Float64Arrays (unboxed, so a million of them cost the GC
  // nothing), text into arrays; empty fields noted as null.
  let capacity = head[0].length + countLineEnds(text, afterHead) + 1;
  const numbers: (Float64Array | null)[] = isNumber.map((yes) => (yes ? new Float64Array(capacity) : null));
  const texts = isNumber.map((yes) => (yes ? null : ([] as (string | null)[])));
  const nulls = names.map(() => [] as number[]);
  const misfit = names.map(() => false); // a number column with a later value that is no number
  head.forEach((values, j) =>
    values.forEach((v, r) => {
      if (v === null) nulls[j].push(r);
      if (numbers[j]) numbers[j][r] = v === null ? 0 : toNumber(v);
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
    } else if (f) {
      const x = (f[record] = numberAt(text, a, b));
      if (x !== x) {
        const v = text.slice(a, b);
        if (NON_FINITE.test(v)) f[record] = toNumber(v);
        else misfit[j] = true;
      }
    } else texts[j]!.push(text.slice(a, b));
    if (j === n - 1) record++;
  });
  if (end < 0) return null;

  const columns = names.map((name, j): unknown[] => {
    if (textCols.has(name)) return texts[j]!;
    // A word after the head: the column's text, read again, typed as a whole.
    if (misfit[j]) return typeColumn(columnTexts(text, p, n, delim, returns, j));
    if (texts[j]) return typeColumn(texts[j]);
    const values: (number | null)[] = Array.from(numbers[j]!.subarray(0, record));
    for (const r of nulls[j]) values[r] = null;
    return values;
  });
  return aq.table(Object.fromEntries(names.map((name, j) => [name, columns[j]])), names);
}

/** Column `j` of every record from position `p`, as text (null for empty fields). */
function columnTexts(text: string, p: number, n: number, delim: number, returns: boolean, j: number): (string | null)[] {
  const out: (string | null)[] = [];
  scanRecords(text, p, n, delim, returns, Infinity, (c, a, b) => void (c === j && out.push(a === b ? null : text.slice(a, b))));
  return out;
}

/**
 * Calls `field(column, start, end)` for every field of up to `max` records from position `p`, where
 * each record is exactly `n` fields up to a line end (\n, \r\n or \r — `returns`: the text has a \r) or the end of the text;
 * returns the position after the last record read, or −1 at a record of another width. Blank
 * lines are no records (as pandas skips them: a file's trailing ones read as empty records).
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
    if (c !== delim && col === 0 && start === p) {
      if (c === -1) break; // the text ends with a line end: no record after it
      if (c === RETURN && text.charCodeAt(p + 1) === NEWLINE) p++;
      start = p + 1; // a blank line
      continue;
    }
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
  for (let records = 0; p < N && records < max; ) {
    let end = text.indexOf('\n', p);
    if (end < 0) end = N;
    if (end === p) {
      p++; // a blank line
      continue;
    }
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
    records++;
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
 * NaN and infinities as Python, numpy and pandas write them (nan, -inf, Infinity…), which `+` reads
 * only in JavaScript's spelling: pandas reads them as numbers, and so does this (arquero took a
 * column with "nan" as text).
 */
const NON_FINITE = /^[-+]?(nan|inf|infinity)$/i;

/** `+v`, and NON_FINITE's spellings. */
function toNumber(v: string): number {
  const x = +v;
  if (x === x || !NON_FINITE.test(v)) return x;
  return /n$/i.test(v) ? Number.NaN : v.startsWith('-') ? -Infinity : Infinity;
}

/** arquero's tests for its types, in the order it tries them (util/parse-values.js), and its parsers. */
const fitsBoolean = (v: string) => v === 'true' || v === 'false';
const fitsNumber = (v: string) => +v === +v || NON_FINITE.test(v);
const fitsDate = (v: string) => ISO_DATE.test(v) && !Number.isNaN(Date.parse(v));
const TYPES: [(v: string) => boolean, (v: string) => unknown][] = [
  [fitsBoolean, (v) => v !== 'false'],
  [fitsNumber, toNumber],
  [fitsDate, (v) => new Date(Date.parse(v))],
];

/**
 * The column's text values (null or undefined where empty) as booleans, numbers or dates when
 * every value fits that type, else as they are — converted in place. arquero types a column from
 * its first 1 000 values: a text column empty or numeric there read `true`, or NaN, for every
 * later word, silently; pandas keeps such a column as strings, and so does this.
 */
export function typeColumn(values: (string | null | undefined)[]): unknown[] {
  const type = TYPES.find(([fits]) => values.every((v) => v == null || fits(v)));
  if (type) {
    const parse = type[1];
    for (let r = 0; r < values.length; r++) if (values[r] != null) (values as unknown[])[r] = parse(values[r]!);
  }
  return values;
}
