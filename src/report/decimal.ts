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
  if (x === 0) return '0'; // also −0, as String(Number("-0.00000000")) gives
  if (!Number.isFinite(x) || digits > MAX_FAST_DIGITS || digits < 1) return exact(x, digits);
  const a = Math.abs(x);
  let e = Math.floor(Math.log10(a)); // a = m · 10^e with 1 ≤ m < 10, give or take one near powers of ten
  if (Math.abs(digits - 1 - e) > MAX_FAST_SHIFT) return exact(x, digits);
  let scaled = scale(a, digits - 1 - e);
  const lo = POW10[digits - 1];
  const hi = POW10[digits];
  if (scaled < lo) scaled = scale(a, digits - 1 - --e);
  else if (scaled >= hi) scaled = scale(a, digits - 1 - ++e);
  if (!(scaled >= lo - 1 && scaled < hi)) return exact(x, digits);
  let n = Math.floor(scaled);
  const frac = scaled - n;
  if (Math.abs(frac - 0.5) < GUARD) return exact(x, digits);
  if (frac > 0.5) n++;
  if (n >= hi) {
    n = lo; // 9.99…96 → 10.0…0: one more digit before the point
    e++;
  } else if (n < lo) return exact(x, digits); // only from the lo − 1 slack above: let toPrecision say
  while (n % 10 === 0) n /= 10; // drop trailing zeros (n > 0, so this ends)
  return (x < 0 ? '-' : '') + jsNumberText(String(n), e + 1);
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

/**
 * Number::toString's layout (ECMA-262 §6.1.6.1.20) of the digit string `s` (no trailing zeros)
 * with the decimal point after `point` digits.
 */
function jsNumberText(s: string, point: number): string {
  const k = s.length;
  if (k <= point && point <= 21) return s + '0'.repeat(point - k);
  if (0 < point && point <= 21) return `${s.slice(0, point)}.${s.slice(point)}`;
  if (-6 < point && point <= 0) return `0.${'0'.repeat(-point)}${s}`;
  const exp = point - 1;
  return `${s[0]}${k > 1 ? `.${s.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

function exact(x: number, digits: number): string {
  return String(Number(x.toPrecision(digits)));
}
