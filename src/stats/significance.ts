/**
 * Exact small-sample tests and multiple-comparison corrections. Probabilities are summed in log
 * space from exact log-factorials so tiny p-values neither underflow nor lose relative precision.
 */

const TABLE_SIZE = 1024;
const LOG_FACT = (() => {
  const t = new Float64Array(TABLE_SIZE);
  for (let i = 2; i < TABLE_SIZE; i++) t[i] = t[i - 1]! + Math.log(i);
  return t;
})();

/** ln n! — exact table below 1024, Stirling series beyond (error < 1e-25 there). */
export function logFactorial(n: number): number {
  if (n < TABLE_SIZE) return LOG_FACT[n]!;
  const inv = 1 / n;
  const inv2 = inv * inv;
  return (
    (n + 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) +
    inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
  );
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** ln Σ exp(xs), stable. */
function logSumExp(xs: number[]): number {
  let max = -Infinity;
  for (const x of xs) if (x > max) max = x;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - max);
  return max + Math.log(s);
}

/** Row and column sums of the 2×2 table [[a, b], [c, d]]; counts must be whole and ≥ 0. */
function margins(a: number, b: number, c: number, d: number): { r1: number; r2: number; c1: number; c2: number } {
  for (const v of [a, b, c, d]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`fisherExact2x2 needs counts ≥ 0, got ${v}`);
  }
  return { r1: a + b, r2: c + d, c1: a + c, c2: b + d };
}

/**
 * Fisher's exact test on [[a, b], [c, d]] (hypergeometric, margins fixed), as
 * scipy.stats.fisher_exact: pGreater = P(X ≥ a) (odds ratio > 1); two-sided sums every table whose
 * probability is ≤ the observed one × (1 + 1e-7). That tolerance is R's (scipy 1.10 uses 1e-14);
 * it only absorbs rounding noise between tables that are exactly tied in theory.
 * oddsRatio is the sample ratio ad/(bc) (Infinity when bc = 0). A zero row or column gives p = 1
 * and oddsRatio NaN, as scipy does.
 */
export function fisherExact2x2(
  a: number,
  b: number,
  c: number,
  d: number,
): { pTwoSided: number; pGreater: number; oddsRatio: number } {
  const { r1, r2, c1, c2 } = margins(a, b, c, d);
  if (r1 === 0 || r2 === 0 || c1 === 0 || c2 === 0) return { pTwoSided: 1, pGreater: 1, oddsRatio: NaN };
  const oddsRatio = b * c > 0 ? (a * d) / (b * c) : Infinity;
  const logDenom = logChoose(r1 + r2, c1);
  const lo = Math.max(0, c1 - r2);
  const hi = Math.min(r1, c1);
  const logP = (x: number) => logChoose(r1, x) + logChoose(r2, c1 - x) - logDenom;

  const obs = logP(a);
  const cutoff = obs + Math.log1p(1e-7);
  const twoSided: number[] = [];
  const greater: number[] = [];
  for (let x = lo; x <= hi; x++) {
    const lp = logP(x);
    if (lp <= cutoff) twoSided.push(lp);
    if (x >= a) greater.push(lp);
  }
  return {
    pTwoSided: Math.min(1, Math.exp(logSumExp(twoSided))),
    pGreater: Math.min(1, Math.exp(logSumExp(greater))),
    oddsRatio,
  };
}

/** Terms this far below the largest add exactly 0 to logSumExp's sum (Math.exp underflows to 0 below −745.2). */
const NEGLIGIBLE = 750;

/**
 * fisherExact2x2(a, b, c, d).pGreater, bit for bit, without the two-sided pass and without the
 * tail terms that add exactly 0: the hypergeometric pmf is unimodal, so the walk starts at the
 * mode (or at a, when a is past it) and stops once terms fall NEGLIGIBLE below the largest seen.
 * At a million records (groups of 250 000, 30 000 flagged) this sums ~2 000 terms instead of 60 000.
 * It runs once per group and flag — hundreds of thousands of times for a column of patient ids —
 * so it allocates nothing per call: no closure (tsx names each one at run time) and no arrays.
 */
export function fisherGreater(a: number, b: number, c: number, d: number): number {
  checkCount(a);
  checkCount(b);
  checkCount(c);
  checkCount(d);
  const r1 = a + b;
  const r2 = c + d;
  const c1 = a + c;
  if (r1 === 0 || r2 === 0 || c1 === 0 || b + d === 0) return 1;
  const logDenom = logChoose(r1 + r2, c1);
  const hi = Math.min(r1, c1);
  const mode = Math.floor(((r1 + 1) * (c1 + 1)) / (r1 + r2 + 2));
  const start = Math.min(hi, Math.max(a, mode));
  const atStart = logHypergeometric(start, r1, r2, c1, logDenom);
  let max = atStart;
  let rights = 0;
  for (let x = start + 1; x <= hi; x++) {
    const lp = logHypergeometric(x, r1, r2, c1, logDenom);
    if (lp > max) max = lp;
    if (lp < max - NEGLIGIBLE) break;
    right = grown(right, rights);
    right[rights++] = lp;
  }
  let lefts = 0;
  for (let x = start - 1; x >= a; x--) {
    const lp = logHypergeometric(x, r1, r2, c1, logDenom);
    if (lp > max) max = lp;
    if (lp < max - NEGLIGIBLE) break;
    left = grown(left, lefts);
    left[lefts++] = lp;
  }
  // logSumExp over x = a..hi in ascending order (left terms were found descending), minus terms
  // that add exactly 0 (the largest is kept): the same additions in the same order.
  if (max === -Infinity) return 0;
  let s = 0;
  for (let j = lefts - 1; j >= 0; j--) s += Math.exp(left[j] - max);
  s += Math.exp(atStart - max);
  for (let j = 0; j < rights; j++) s += Math.exp(right[j] - max);
  return Math.min(1, Math.exp(max + Math.log(s)));
}

/** Scratch terms of fisherGreater's walks, reused across calls (grown on demand). */
let left: Float64Array = new Float64Array(64);
let right: Float64Array = new Float64Array(64);

/** `buf`, or a copy twice as large when index `used` is past its end. */
function grown(buf: Float64Array, used: number): Float64Array {
  if (used < buf.length) return buf;
  const out = new Float64Array(buf.length * 2);
  out.set(buf);
  return out;
}

/** ln P(X = x) for X ~ Hypergeometric (r1 + r2 records, c1 drawn, r1 marked); logDenom = ln C(r1 + r2, c1). */
function logHypergeometric(x: number, r1: number, r2: number, c1: number, logDenom: number): number {
  return logChoose(r1, x) + logChoose(r2, c1 - x) - logDenom;
}

function checkCount(v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`fisherExact2x2 needs counts ≥ 0, got ${v}`);
}

/**
 * One-sided binomial test: P(X ≥ k) for X ~ Binomial(n, p), e.g. "is this class's error count
 * higher than the overall error rate explains?". Summed exactly in log space.
 */
export function binomialTestGreater(k: number, n: number, p: number): number {
  if (!Number.isInteger(n) || n < 0 || !(p >= 0 && p <= 1)) {
    throw new RangeError(`binomialTestGreater needs n ≥ 0 integer and p in [0, 1], got n=${n}, p=${p}`);
  }
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const terms: number[] = [];
  for (let x = Math.ceil(k); x <= n; x++) terms.push(logChoose(n, x) + x * lp + (n - x) * lq);
  return Math.min(1, Math.exp(logSumExp(terms)));
}

/** Indices of the non-NaN p-values, ascending by p (ties by index, for determinism). */
function order(pvalues: number[]): number[] {
  const idx: number[] = [];
  pvalues.forEach((p, i) => {
    if (!Number.isNaN(p)) idx.push(i);
  });
  return idx.sort((i, j) => pvalues[i]! - pvalues[j]! || i - j);
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values): q_(i) = min_{j ≥ i} p_(j)·m/j, capped at 1,
 * returned in input order. NaN p-values stay NaN and do not count towards m.
 */
export function benjaminiHochberg(pvalues: number[]): number[] {
  const idx = order(pvalues);
  const m = idx.length;
  const out = pvalues.map(() => NaN);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = idx[r]!;
    running = Math.min(running, (pvalues[i]! * m) / (r + 1));
    out[i] = running;
  }
  return out;
}

/**
 * Holm step-down adjusted p-values: adj_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)), returned in
 * input order. NaN p-values stay NaN and do not count towards m.
 */
export function holm(pvalues: number[]): number[] {
  const idx = order(pvalues);
  const m = idx.length;
  const out = pvalues.map(() => NaN);
  let running = 0;
  idx.forEach((i, r) => {
    running = Math.max(running, Math.min(1, (m - r) * pvalues[i]!));
    out[i] = running;
  });
  return out;
}
