/**
 * summary.json's text: JSON.stringify's indented layout (two spaces), NaN and ±Infinity as null,
 * every array of numbers on one line (a confusion-matrix row is a line, not a line per count), and
 * a trailing newline. Written by one JSON.stringify call when the text fits in one string; else
 * in pieces — at 5 000 classes the two 25 M-cell confusion matrices overflow V8's longest string
 * (an audit then failed at its very end with "Invalid string length"): containers are walked, and
 * runs of elements holding up to a million values go through one call each.
 */

/** Values (leaves) a subtree or run may hold to be written by one JSON.stringify call when walking. */
const AT_ONCE = 1 << 20;
/**
 * Values beyond which the whole text is not even tried at once: a call that ends in "Invalid string
 * length" has done nearly all its work first (6.7 s of 9.7 s at 5 000 classes). 16 M values are
 * well under the limit at the few characters a number takes.
 */
const WALK_ABOVE = 1 << 24;

/**
 * Pieces whose concatenation is stableJson(value): one, or — for a value of more than WALK_ABOVE
 * values or whose text is longer than one string can be, or always when `walk` is set (tests) —
 * pieces of about `size` characters, each JSON.stringify call covering at most `atOnce` values.
 */
export function* jsonPieces(value: unknown, opts: { size?: number; atOnce?: number; walk?: boolean } = {}): Generator<string> {
  if (!opts.walk && leavesUpTo(value, WALK_ABOVE) <= WALK_ABOVE) {
    let text: string | null = null;
    try {
      text = whole(value, '');
    } catch (e) {
      if (!(e instanceof RangeError)) throw e; // "Invalid string length": walk it instead
    }
    if (text !== null) {
      yield `${text}\n`;
      return;
    }
  }
  const size = opts.size ?? 1 << 16;
  let buf = '';
  for (const part of parts(value, '', opts.atOnce ?? AT_ONCE)) {
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

/** An array of numbers on one line. */
const numberLine = (v: unknown[]) => `[${v.map((x) => scalar(x) ?? 'null').join(', ')}]`;

const isNumberArray = (v: unknown): v is unknown[] => Array.isArray(v) && v.every(numberLike);

function* parts(input: unknown, indent: string, limit: number, key = ''): Generator<string> {
  const v = input !== null && typeof input === 'object' && typeof (input as { toJSON?: unknown }).toJSON === 'function' ? (input as { toJSON(k: string): unknown }).toJSON(key) : input;
  if (v === null || typeof v !== 'object') {
    yield scalar(v) ?? 'null';
    return;
  }
  if (isNumberArray(v)) {
    yield v.length ? numberLine(v) : '[]';
    return;
  }
  if (leavesUpTo(v, limit) <= limit) {
    yield whole(v, indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    yield '[\n';
    for (let i = 0; i < v.length; ) {
      // A row of numbers is one line; other elements go in runs that fit the limit together
      // (a million small objects one call each were 3× slower than one call), a larger one is walked.
      let j = i;
      let total = 0;
      while (j < v.length && !isNumberArray(v[j])) {
        const c = leavesUpTo(v[j], limit);
        if (j > i && total + c > limit) break;
        total += c;
        j++;
        if (total > limit) break;
      }
      if (j === i) {
        yield inner + numberLine(v[i] as unknown[]);
        j = i + 1;
      } else if (total > limit) {
        yield inner;
        yield* parts(v[i], inner, limit, String(i));
      } else {
        const run = v.slice(i, j);
        if (run.every(numberLike)) {
          // Numbers of an array that is not all numbers: one per line.
          yield run.map((x) => inner + (scalar(x) ?? 'null')).join(',\n');
        } else {
          // "[\n" + the run's elements at `inner` + "\n" + indent + "]": keep the elements (the run
          // holds a non-number, so its own brackets were never joined on one line).
          const text = whole(run, indent);
          yield text.slice(2, text.length - 2 - indent.length);
        }
      }
      i = j;
      yield i < v.length ? ',\n' : '\n';
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
    yield* parts((v as Record<string, unknown>)[entries[i]], inner, limit, entries[i]);
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}

/** Values in `x` (leaves: numbers, strings, …), counted until more than `limit`. */
function leavesUpTo(x: unknown, limit: number): number {
  if (x === null || typeof x !== 'object' || typeof (x as { toJSON?: unknown }).toJSON === 'function') return 1;
  let n = 0;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length && n <= limit; i++) n += leavesUpTo(x[i], limit - n);
    return n;
  }
  for (const k in x) {
    if (!Object.hasOwn(x, k)) continue;
    n += leavesUpTo((x as Record<string, unknown>)[k], limit - n);
    if (n > limit) break;
  }
  return n;
}

/** An indented array whose elements are all numbers or null, as JSON.stringify lays it out (a string never holds a raw line break). */
const NUMBER_ARRAY = /\[\n(?: *(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|null),\n)* *(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|null)\n *\]/g;

/** One JSON.stringify call, its number arrays joined on one line, its lines indented to sit at `indent`. */
function whole(v: unknown, indent: string): string {
  const text = JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2).replace(NUMBER_ARRAY, (a) => `[${a.slice(1, -1).trim().split(/,\s*/).join(', ')}]`);
  return indent ? text.replace(/\n/g, `\n${indent}`) : text;
}
