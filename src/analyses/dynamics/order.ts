/**
 * The first few positions of a ranking without sorting every candidate: the tables show ten or
 * `topK` records, while the candidates (forgotten, negative margin, hard-to-learn) can be hundreds
 * of thousands at a million records.
 */

/** Above this many wanted, a full sort is cheaper than insertion into the kept prefix. */
const MAX_INSERTION = 64;

/**
 * Positions r < m with keep(r), in `compare` order (a total order: ties must be broken), only the
 * first `limit`; `count` is how many positions were kept. Same prefix as sorting them all.
 */
export function firstInOrder(m: number, keep: (r: number) => boolean, compare: (a: number, b: number) => number, limit: number): { positions: number[]; count: number } {
  const best: number[] = [];
  let count = 0;
  if (limit > MAX_INSERTION) {
    for (let r = 0; r < m; r++) if (keep(r)) best.push(r);
    return { positions: best.sort(compare).slice(0, Math.max(0, limit)), count: best.length };
  }
  for (let r = 0; r < m; r++) {
    if (!keep(r)) continue;
    count++;
    if (best.length === limit && !(limit > 0 && compare(r, best[limit - 1]) < 0)) continue;
    // Insert after every kept position that ranks before r.
    let at = best.length;
    while (at > 0 && compare(r, best[at - 1]) < 0) at--;
    best.splice(at, 0, r);
    if (best.length > limit) best.pop();
  }
  return { positions: best, count };
}
