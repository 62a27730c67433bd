/**
 * Stable sorting by float32 value in linear time: a float's bits turned into an unsigned key that
 * orders like the float (floatKey), and an LSD radix sort on those keys. Each loop is its own small
 * function: the sort runs a few times per audit on a fresh worker thread, where small loops reach
 * optimised code sooner (and recompile cheaper) than one large function.
 */

/**
 * Unsigned sort key of a (non-NaN) float32 given its bits: keys order like the floats. Every bit
 * of a negative float is flipped, only the sign bit of a positive one; −0 counts as +0 (they
 * compare equal, so ties stay in index order).
 */
export function floatKey(w: number): number {
  if (w === 0x80000000) w = 0;
  return w & 0x80000000 ? ~w >>> 0 : (w | 0x80000000) >>> 0;
}

/** Turns floatKey keys back into float32 bits, in place (−0 comes back as +0). */
export function keysToBits(keys: Uint32Array): void {
  for (let r = 0; r < keys.length; r++) {
    const key = keys[r]!;
    keys[r] = key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  }
}

const DIGIT = 11;
const BUCKETS = 1 << DIGIT;
const MASK = BUCKETS - 1;

/**
 * Stable LSD radix sort of `items` by 32-bit `keys`: three 11-bit digits (2 048 buckets: the
 * scatter stays in cache, unlike the 65 536 buckets of two 16-bit digits), their counts taken in
 * one pass, a digit every key shares skipped. Sorts `items` and `keys` together; the result may sit
 * in the input arrays (then overwritten) or in new ones.
 */
export function radixSort(items: Int32Array, keys: Uint32Array): { items: Int32Array; keys: Uint32Array } {
  const n = items.length;
  if (n === 0) return { items, keys };
  const counts = new Int32Array(3 * BUCKETS);
  countDigits(keys, counts);
  type Pair = { items: Int32Array; keys: Uint32Array };
  let src: Pair = { items, keys };
  let dst: Pair = { items: new Int32Array(n), keys: new Uint32Array(n) };
  for (let d = 0; d < 3; d++) {
    const base = d * BUCKETS;
    const shift = d * DIGIT;
    if (counts[base + ((keys[0]! >>> shift) & MASK)] === n) continue;
    startsFromCounts(counts, base);
    scatter(src.items, src.keys, dst.items, dst.keys, counts, base, shift);
    const done = dst;
    dst = src;
    src = done;
  }
  return src;
}

/** Bucket sizes of the three digits of every key, at counts[d·BUCKETS + digit]. */
function countDigits(keys: Uint32Array, counts: Int32Array): void {
  for (let r = 0; r < keys.length; r++) {
    const key = keys[r]!;
    counts[key & MASK]!++;
    counts[BUCKETS + ((key >>> DIGIT) & MASK)]!++;
    counts[2 * BUCKETS + (key >>> (2 * DIGIT))]!++;
  }
}

/** Bucket sizes → each bucket's first position (exclusive prefix sums), in place. */
function startsFromCounts(counts: Int32Array, base: number): void {
  for (let b = 0, at = 0; b < BUCKETS; b++) {
    const c = counts[base + b]!;
    counts[base + b] = at;
    at += c;
  }
}

/** One stable counting-sort pass by the digit at `shift`. */
function scatter(items: Int32Array, keys: Uint32Array, toItems: Int32Array, toKeys: Uint32Array, counts: Int32Array, base: number, shift: number): void {
  for (let r = 0; r < keys.length; r++) {
    const key = keys[r]!;
    const at = counts[base + ((key >>> shift) & MASK)]!++;
    toItems[at] = items[r]!;
    toKeys[at] = key;
  }
}
