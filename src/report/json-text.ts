/**
 * summary.json's text: JSON.stringify's indented layout (two spaces), NaN and ±Infinity as null,
 * every array of numbers on one line (a confusion-matrix row is a line, not a line per count), and
 * a trailing newline — produced in pieces, because one string cannot hold every summary: at 5 000
 * classes the two 25 M-cell confusion matrices overflow V8's longest string (an audit then failed
 * at its very end with "Invalid string length").
 */

/** Pieces of about `size` characters whose concatenation is stableJson(value). */
export function* jsonPieces(value: unknown, size = 1 << 16): Generator<string> {
  let buf = '';
  for (const part of parts(value, '')) {
    buf += part;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  yield `${buf}\n`;
}

/** The whole text at once (small summaries, tests). */
export function stableJson(value: unknown): string {
  return [...jsonPieces(value)].join('');
}

/** What JSON.stringify writes for a value that is not a container, or undefined when it skips it. */
function scalar(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (v === null) return 'null';
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  return JSON.stringify(v);
}

/** An element JSON.stringify writes as a number or as null (inside an array, skipped values are null). */
const numberLike = (v: unknown) => typeof v === 'number' || v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol';

function* parts(input: unknown, indent: string, key = ''): Generator<string> {
  const v = input !== null && typeof input === 'object' && typeof (input as { toJSON?: unknown }).toJSON === 'function' ? (input as { toJSON(k: string): unknown }).toJSON(key) : input;
  if (v === null || typeof v !== 'object') {
    yield scalar(v) ?? 'null';
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      yield '[]';
      return;
    }
    if (v.every(numberLike)) {
      yield `[${v.map((x) => scalar(x) ?? 'null').join(', ')}]`;
      return;
    }
    yield '[\n';
    for (let i = 0; i < v.length; i++) {
      yield inner;
      yield* parts(v[i], inner, String(i));
      yield i < v.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}]`;
    return;
  }
  const entries = Object.keys(v).filter((k) => {
    const x = (v as Record<string, unknown>)[k];
    return !(x === undefined || typeof x === 'function' || typeof x === 'symbol');
  });
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    yield `${inner}${JSON.stringify(entries[i])}: `;
    yield* parts((v as Record<string, unknown>)[entries[i]], inner, entries[i]);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}
