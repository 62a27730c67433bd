/**
 * `roundedDecimal(x, digits)` is `String(Number(x.toPrecision(digits)))` — x rounded to `digits`
 * significant digits, written as JavaScript writes numbers (trailing zeros dropped) — for the
 * scores file, where a million records × (probabilities + one loss per checkpoint) are tens of
 * millions of numbers: toPrecision, with the parse and print around it, cost ~0.35 µs each
 * (7 s of the 12 s the scores file took at a million records).
 *
 * Fast path: scale |x| by a power of ten so that its `digits` leading digits are the integer part,
 * and round that. The scaling is at most four correctly rounded operations on exact powers of ten
 * (≤ 10²²; every float32 needs at most three, a second try after a misjudged exponent one more),
 * so the scaled value is off by less than 5·2⁻⁵³ relative: under 6e-7 in absolute terms below 1e9
 * (9 digits). When the fraction lies within 1e-6 of one half (a tie, or a near-tie that error could
 * flip), or outside the fast path's range, the exact toPrecision decides. The result is then
 * the same digits toPrecision gives (round half up on the exact binary value), and written like
 * String(Number(...)) writes them: a decimal of at most 15 significant digits is the shortest string
 * that parses to its nearest double, so that string is the decimal itself, trailing zeros dropped
 * (test/report/decimal.test.ts compares both on 1.2 million float32 and float64 values and the edge
 * cases).
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i); // exact doubles up to 1e22
/** Most digits the fast path serves: the scaled value stays below 1e9, where the scaling error is < 6e-7. */
const MAX_FAST_DIGITS = 9;
/** Largest power-of-ten exponent the first try scales by: three steps (two of 10²², then the rest). */
const MAX_FAST_SHIFT = 66;
/** A fraction this close to one half is left to toPrecision. */
const GUARD = 1e-6;

export function roundedDecimal(x: number, digits: number): string {
  // The bytes writeRoundedDecimal writes, as a string: one implementation of the layout (as fast as
  // formatting a string directly, measured on 2 million numbers).
  const end = writeRoundedDecimal(x, digits, text, 0);
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(text[i]);
  return s;
}

/**
 * roundedDecimal's text as ASCII bytes written into `out` from `at` (which must have room for
 * MAX_DECIMAL_BYTES); returns the offset after them. The same digits and layout, without making a
 * string (the scores file writes tens of millions of them).
 */
export function writeRoundedDecimal(x: number, digits: number, out: Uint8Array, at: number): number {
  if (x === 0) {
    out[at] = 48; // '0'
    return at + 1;
  }
  if (!roundFast(x, digits)) {
    const text = exact(x, digits);
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
    return at + text.length;
  }
  if (x < 0) out[at++] = 45; // '-'
  // The digits of roundedN (no trailing zeros, at most MAX_FAST_DIGITS), least significant first:
  // digit j from the left is scratch[k − 1 − j]. (Written with loops: a typed-array view per number
  // cost more than the digits.)
  let k = 0;
  // roundedN < 2^31: int32 arithmetic (a double % 10 is a library call).
  for (let n = roundedN | 0; n > 0; ) {
    const q = (n / 10) | 0;
    scratch[k++] = 48 + n - q * 10;
    n = q;
  }
  const point = roundedE + 1;
  // Number::toString's layout (ECMA-262 §6.1.6.1.20) of those digits with the point after `point` of them.
  if (k <= point && point <= 21) {
    for (let j = k - 1; j >= 0; j--) out[at++] = scratch[j];
    for (let i = k; i < point; i++) out[at++] = 48;
  } else if (0 < point && point <= 21) {
    for (let j = k - 1; j >= k - point; j--) out[at++] = scratch[j];
    out[at++] = 46; // '.'
    for (let j = k - point - 1; j >= 0; j--) out[at++] = scratch[j];
  } else if (-6 < point && point <= 0) {
    out[at++] = 48;
    out[at++] = 46;
    for (let i = 0; i < -point; i++) out[at++] = 48;
    for (let j = k - 1; j >= 0; j--) out[at++] = scratch[j];
  } else {
    out[at++] = scratch[k - 1];
    if (k > 1) {
      out[at++] = 46;
      for (let j = k - 2; j >= 0; j--) out[at++] = scratch[j];
    }
    const exp = point - 1;
    out[at++] = 101; // 'e'
    out[at++] = exp < 0 ? 45 : 43;
    const text = String(Math.abs(exp));
    for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  }
  return at;
}

/** Most bytes writeRoundedDecimal writes (toPrecision's longest text: sign, 21 digits, point). */
export const MAX_DECIMAL_BYTES = 32;

const scratch = new Uint8Array(MAX_FAST_DIGITS + 1);
const text = new Uint8Array(MAX_DECIMAL_BYTES);
/** roundFast's result: |x| rounded is roundedN (no trailing zeros) · 10^(roundedE + 1 − its digits). */
let roundedN = 0;
let roundedE = 0;

/**
 * The fast path of roundedDecimal: sets roundedN (the leading digits of |x|, rounded, trailing
 * zeros dropped) and roundedE (the decimal exponent of the first digit); false when toPrecision
 * must decide. Results go through module variables: no object per number.
 */
function roundFast(x: number, digits: number): boolean {
  if (!Number.isFinite(x) || digits > MAX_FAST_DIGITS || digits < 1) return false;
  const a = Math.abs(x);
  let e = Math.floor(Math.log10(a)); // a = m · 10^e with 1 ≤ m < 10, give or take one near powers of ten
  if (Math.abs(digits - 1 - e) > MAX_FAST_SHIFT) return false;
  let scaled = scale(a, digits - 1 - e);
  const lo = POW10[digits - 1];
  const hi = POW10[digits];
  if (scaled < lo) scaled = scale(a, digits - 1 - --e);
  else if (scaled >= hi) scaled = scale(a, digits - 1 - ++e);
  if (!(scaled >= lo - 1 && scaled < hi)) return false;
  let n = Math.floor(scaled);
  const frac = scaled - n;
  if (Math.abs(frac - 0.5) < GUARD) return false;
  if (frac > 0.5) n++;
  if (n >= hi) {
    n = lo; // 9.99…96 → 10.0…0: one more digit before the point
    e++;
  } else if (n < lo) return false; // only from the lo − 1 slack above: let toPrecision say
  // Drop trailing zeros (n > 0, so this ends); n ≤ 10^9 < 2^31, so in int32 arithmetic.
  let m = n | 0;
  for (let q = (m / 10) | 0; q * 10 === m; q = (m / 10) | 0) m = q;
  roundedN = m;
  roundedE = e;
  return true;
}

/** a · 10^k in at most three correctly rounded steps (each power of ten exact). */
function scale(a: number, k: number): number {
  let v = a;
  while (k > 22) {
    v *= POW10[22];
    k -= 22;
  }
  while (k < -22) {
    v /= POW10[22];
    k += 22;
  }
  return k >= 0 ? v * POW10[k] : v / POW10[-k];
}

function exact(x: number, digits: number): string {
  return String(Number(x.toPrecision(digits)));
}
