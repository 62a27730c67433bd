/**
 * Id tables for a million-record dataset: the duplicate-id check (firstRepeat) and the row of an id
 * (IdIndex). For the duplicate check, a Map from id to row took 250–320 ms at 1M
 * ids (its table grows by rehashing in the old generation, and the GC traces it); an open-addressing
 * table of row numbers keyed by a 32-bit FNV-1a hash of the id takes 50–60 ms. Strings are compared
 * only when their hashes share a slot, so the answer is exact.
 */
import { InputError } from '../messages.ts';

/** The first repeated id as [earlier row, row], or null when all ids differ. */
export function firstRepeat(ids: readonly string[]): [number, number] | null {
  return rowTable(ids, true).repeat;
}

/**
 * The row of each id, for matching other files' rows to records (precomputed predictions): the same
 * open-addressing table, built once per id list. A Map of a million ids took ~0.6 s to build per
 * prediction file and its lookups ~0.7 s. Ids are distinct (the dataset loader refuses repeats);
 * were one repeated, `get` would answer its first row.
 */
export class IdIndex {
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(private readonly ids: readonly string[]) {
    ({ slots: this.slots, mask: this.mask } = rowTable(ids, false));
  }

  /** The row of `id`, −1 when no row has it. */
  get(id: string): number {
    let at = fnv1a(id) & this.mask;
    for (;;) {
      const j = this.slots[at]!;
      if (j < 0 || this.ids[j] === id) return j;
      at = (at + 1) & this.mask;
    }
  }
}

/**
 * The table both use: rows in slots keyed by fnv1a(id) & mask, linear probing, load factor ≤ 1/2
 * (short probe runs). Each id keeps its first row; with `stopAtRepeat` the build ends at the first
 * repeated id and names it.
 */
function rowTable(ids: readonly string[], stopAtRepeat: boolean): { slots: Int32Array; mask: number; repeat: [number, number] | null } {
  let size = 16;
  while (size < 2 * ids.length) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let at = fnv1a(id) & mask;
    for (;;) {
      const j = slots[at]!;
      if (j < 0) {
        slots[at] = i;
        break;
      }
      if (ids[j] === id) {
        if (stopAtRepeat) return { slots, mask, repeat: [j, i] };
        break;
      }
      at = (at + 1) & mask;
    }
  }
  return { slots, mask, repeat: null };
}

const indexes = new WeakMap<readonly string[], IdIndex>();

/** idIndex of an id list, built on first use and kept as long as the list lives (a dataset's ids, across checkpoints). */
export function idIndexOf(ids: readonly string[]): IdIndex {
  let index = indexes.get(ids);
  if (!index) indexes.set(ids, (index = new IdIndex(ids)));
  return index;
}

/** 32-bit FNV-1a over the UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
  return h >>> 0;
}

/**
 * The first row whose id is a number no double holds exactly (an integer beyond 2^53), or −1. Such
 * ids come from JSON/JSONL, where JSON.parse has already rounded them: neighbouring ids become one
 * ("duplicate id") or match nothing. Text ids, and Arrow/Parquet 64-bit ids (read as text), are never
 * numbers here.
 */
export function firstInexactId(column: { readonly length: number; at(i: number): unknown }): number {
  for (let i = 0; i < column.length; i++) {
    const v = column.at(i);
    if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) return i;
  }
  return -1;
}

/** The error for such an id: where it is, and what to write instead. */
export function inexactIdError(where: string, value: unknown): InputError {
  return new InputError(where, 'ids that a number holds exactly (integers up to 2^53; write larger ids as strings)', `the number ${String(value)}, already rounded when the file was parsed`);
}
