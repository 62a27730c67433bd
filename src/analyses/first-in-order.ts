/**
 * The first few positions of a ranking without sorting every candidate: the tables show ten,
 * thirty or `topK` rows, while the candidates (forgotten, negative margin, hard-to-learn records;
 * the groups of a metadata column) can be hundreds of thousands at a million records.
 */

/** Above this many wanted, a full sort is cheaper than insertion into the kept prefix. */
const MAX_INSERTION = 64;

/**
 * The `candidates` (positions) in `compare` order (a total order: ties must be broken), only the
 * first `limit`. Same prefix as sorting them all.
 */
export function firstInOrder(candidates: ArrayLike<number>, compare: (a: number, b: number) => number, limit: number): number[] {
  if (limit > MAX_INSERTION) return Array.from(candidates).sort(compare).slice(0, limit);
  const best: number[] = [];
  if (limit <= 0) return best;
  for (let c = 0; c < candidates.length; c++) {
    const r = candidates[c];
    if (best.length === limit && !(compare(r, best[limit - 1]) < 0)) continue;
    // Insert after every kept position that ranks before r.
    let at = best.length;
    while (at > 0 && compare(r, best[at - 1]) < 0) at--;
    best.splice(at, 0, r);
    if (best.length > limit) best.pop();
  }
  return best;
}
