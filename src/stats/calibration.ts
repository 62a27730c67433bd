/**
 * Reliability bins and calibration errors. CONTRACT fixes the headline ECE: 15 equal-width bins
 * (a, b] of top-label confidence, the first bin including 0, empty bins skipped.
 */
import { floatKey, keysToBits, radixSort } from './float-sort.ts';
import { LOSS_CLAMP } from './losses.ts';

export interface CalibrationBin {
  /** lower end (exclusive, except 0 in the first equal-width bin). Adaptive bins: min confidence. */
  lo: number;
  /** upper end (inclusive). Adaptive bins: max confidence in the bin. */
  hi: number;
  count: number;
  /** mean of `correct` in the bin; NaN when empty. */
  accuracy: number;
  /** mean confidence in the bin; NaN when empty. */
  confidence: number;
}

export interface CalibrationSummary {
  /** top label = label, over the records with a label ≥ 0 (NaN without any). */
  accuracy: number;
  ece: number;
  mce: number;
  adaptiveEce: number;
  /** mean over the k classes of the equal-width ECE of p_c against 1[label = c]. */
  classwiseEce: number;
  brier: number;
  nll: number;
  bins: CalibrationBin[];
  adaptiveBins: CalibrationBin[];
}

function toBin(lo: number, hi: number, count: number, sumCorrect: number, sumConf: number): CalibrationBin {
  return {
    lo,
    hi,
    count,
    accuracy: count > 0 ? sumCorrect / count : NaN,
    confidence: count > 0 ? sumConf / count : NaN,
  };
}

/**
 * Equal-width reliability bins over [0, 1]. Bin m is (m/B, (m+1)/B]; bin 0 also takes 0 (and
 * anything below), the last bin takes 1.0 (and anything above, e.g. float32 sums a hair over 1).
 * A confidence exactly on an edge m/B falls in the bin ending at it. NaN confidences are skipped.
 * Edges are computed as m/B (correctly rounded) and compared directly, not via ceil(c·B), whose
 * product rounding could push an on-edge value into the next bin.
 */
export function equalWidthBins(
  conf: ArrayLike<number>,
  correct: ArrayLike<number | boolean>,
  nBins = 15,
): CalibrationBin[] {
  if (conf.length !== correct.length) throw new RangeError('conf and correct differ in length');
  const bits = conf instanceof Float32Array ? new Uint32Array(conf.buffer, conf.byteOffset, conf.length) : null;
  const sums = new WidthBinSums(nBins, bits !== null);
  for (let i = 0; i < conf.length; i++) sums.add(conf[i]!, bits ? bits[i]! : 0, Number(correct[i]));
  return sums.bins();
}

/**
 * Per-bin record counts, hits and confidence sums of equal-width bins, added one record at a time
 * in the caller's order: the bins equalWidthBins gives for the same records in that order, without
 * gathering them. With `groups`, one set of bins per group (analyses/common.ts sums every split of
 * a checkpoint in one pass), in typed arrays indexed group · nBins + bin.
 */
export class WidthBinSums {
  private readonly edges: Float64Array;
  private readonly table: Uint8Array | null;
  private readonly count: Float64Array;
  private readonly sumCorrect: Float64Array;
  private readonly sumConf: Float64Array;

  /** `float32`: confidences come with their float32 bits, so the bin table can be used. */
  constructor(
    private readonly nBins: number,
    float32: boolean,
    groups = 1,
  ) {
    this.edges = binEdges(nBins);
    this.table = float32 ? widthBinTable(nBins) : null;
    this.count = new Float64Array(groups * nBins);
    this.sumCorrect = new Float64Array(groups * nBins);
    this.sumConf = new Float64Array(groups * nBins);
  }

  /** One record of `group`: confidence c (its float32 bits `word` when the table is used), correct 0 or 1. NaN is skipped. */
  add(c: number, word: number, correct: number, group = 0): void {
    const m = widthBin(c, this.edges, this.table, word);
    if (m < 0) return;
    const o = group * this.nBins + m;
    this.count[o]++;
    this.sumCorrect[o] += correct;
    this.sumConf[o] += c;
  }

  bins(group = 0): CalibrationBin[] {
    const { edges, nBins } = this;
    const o = group * nBins;
    return Array.from({ length: nBins }, (_, m) => toBin(edges[m]!, edges[m + 1]!, this.count[o + m]!, this.sumCorrect[o + m]!, this.sumConf[o + m]!));
  }
}

/** Bin edges m/B (correctly rounded), m = 0..B. */
export function binEdges(nBins: number): Float64Array {
  return Float64Array.from({ length: nBins + 1 }, (_, m) => m / nBins);
}

/** widthBinTable entry for a bucket whose floats are not all in one bin (or are NaN): use binOf. */
const DECIDE = 255;
const tables = new Map<number, Uint8Array>();

/**
 * Equal-width bin by the top 16 bits of a float32 (sign, exponent, 7 mantissa bits): a float32's
 * bits index a 65 536-entry table, so binning a stored confidence is one lookup. A bucket whose
 * floats straddle an edge (or hold NaN) says DECIDE, and binOf settles those few exactly — the
 * table only ever answers where every float of the bucket has the same bin (binOf is monotone, so
 * the bucket's two ends decide).
 */
export function widthBinTable(nBins: number): Uint8Array {
  let table = tables.get(nBins);
  if (table) return table;
  table = new Uint8Array(65536).fill(DECIDE);
  if (nBins < DECIDE) {
    const edges = binEdges(nBins);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    const float = (bits: number) => ((u[0] = bits), f[0]!);
    // Positive finite buckets (h < 0x7f80) hold increasing values: walk them with the bin of their
    // lowest float, and ask binOf (DECIDE) where an edge falls inside the bucket.
    for (let h = 0, m = 0; h < 0x7f80; h++) {
      const lo = float(h * 65536);
      const hi = float(h * 65536 + 65535);
      while (m < nBins - 1 && lo > edges[m + 1]!) m++;
      table[h] = m < nBins - 1 && hi > edges[m + 1]! ? DECIDE : m;
    }
    table.fill(0, 0x8000, 0xff80); // negative finite floats: the first bin (as binOf)
  }
  tables.set(nBins, table);
  return table;
}

/**
 * Equal-width bin of a (non-NaN) confidence: the first m with c ≤ edges[m+1], the last bin for
 * anything beyond. ⌈c·B⌉ − 1 is a guess that is off by at most one when the product rounds across
 * an edge; the comparisons with the edges themselves settle it, so the result is exactly the
 * binary search over the edges.
 */
export function binOf(c: number, edges: Float64Array): number {
  const last = edges.length - 2;
  let m = Math.ceil(c * (last + 1)) - 1;
  if (!(m >= 0)) m = 0; // also c ≤ 0
  else if (m > last) m = last;
  while (m > 0 && c <= edges[m]!) m--;
  while (m < last && c > edges[m + 1]!) m++;
  return m;
}

/**
 * Equal-width bin of confidence c, −1 for NaN: one lookup of its float32 bits `word` in `table`
 * (widthBinTable) where the table can tell, binOf otherwise (or without a table).
 */
function widthBin(c: number, edges: Float64Array, table: Uint8Array | null, word = 0): number {
  const m = table ? table[word >>> 16]! : DECIDE;
  if (m < DECIDE) return m;
  return Number.isNaN(c) ? -1 : binOf(c, edges);
}

/**
 * Adaptive (equal-mass) bins: samples sorted by confidence, then split into `nBins` consecutive
 * groups whose sizes differ by at most one, the larger groups first (numpy.array_split). Ties are
 * ordered by sample index (stable), so equal confidences may straddle two bins — deterministic and
 * keeps the masses equal. lo/hi are the min/max confidence in each group; with fewer samples than
 * bins, the trailing groups are empty (count 0, NaN everywhere). NaN confidences are skipped.
 */
export function equalMassBins(
  conf: ArrayLike<number>,
  correct: ArrayLike<number | boolean>,
  nBins = 15,
): CalibrationBin[] {
  if (conf.length !== correct.length) throw new RangeError('conf and correct differ in length');
  const order = byConfidence(conf);
  const n = order.length;
  const base = Math.floor(n / nBins);
  const extra = n % nBins;
  const bins: CalibrationBin[] = [];
  let start = 0;
  for (let g = 0; g < nBins; g++) {
    const size = base + (g < extra ? 1 : 0);
    let sumCorrect = 0;
    let sumConf = 0;
    for (let j = start; j < start + size; j++) {
      sumCorrect += Number(correct[order[j]!]);
      sumConf += conf[order[j]!]!;
    }
    const lo = size > 0 ? conf[order[start]!]! : NaN;
    const hi = size > 0 ? conf[order[start + size - 1]!]! : NaN;
    bins.push(toBin(lo, hi, size, sumCorrect, sumConf));
    start += size;
  }
  return bins;
}

/**
 * Indices of the non-NaN confidences sorted ascending, ties by index (a stable sort). When every
 * value is a float32 (stored confidences always are), a radix sort on the float's bits gives that
 * very order in linear time — a comparison sort of a million records takes ~0.5 s; otherwise the
 * comparison sort.
 */
export function byConfidence(conf: ArrayLike<number>): Int32Array {
  let n = 0;
  let float32 = true;
  for (let i = 0; i < conf.length; i++) {
    const c = conf[i]!;
    if (Number.isNaN(c)) continue;
    n++;
    if (Math.fround(c) !== c) float32 = false;
  }
  const order = new Int32Array(n);
  for (let i = 0, r = 0; i < conf.length; i++) if (!Number.isNaN(conf[i]!)) order[r++] = i;
  if (!float32) return order.sort((a, b) => conf[a]! - conf[b]! || a - b);
  const f32 = conf instanceof Float32Array ? conf : Float32Array.from(conf);
  const word = new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
  const keys = new Uint32Array(n);
  for (let r = 0; r < n; r++) keys[r] = floatKey(word[order[r]!]!);
  return radixSort(order, keys).items;
}

/**
 * equalMassBins of float32 confidences from their sort keys: `keys[r]` the floatKey of record
 * `items[r] >> 1`'s confidence `conf[items[r] >> 1]` (NaN left out), `items[r] & 1` whether it is
 * correct, in record order. After the sort each group's confidences are read back from the keys
 * (no gather from `conf`); −0 comes back as +0, which adds the same to a sum that starts at +0.
 * Overwrites `keys` and `items`.
 */
function massBins(conf: Float32Array, keys: Uint32Array, items: Int32Array, nBins: number): CalibrationBin[] {
  const sorted = radixSort(items, keys);
  const order = sorted.items;
  keysToBits(sorted.keys);
  const values = new Float32Array(sorted.keys.buffer, sorted.keys.byteOffset, sorted.keys.length);
  const n = order.length;
  const base = Math.floor(n / nBins);
  const extra = n % nBins;
  const bins: CalibrationBin[] = [];
  let start = 0;
  for (let g = 0; g < nBins; g++) {
    const size = base + (g < extra ? 1 : 0);
    const lo = size > 0 ? conf[order[start]! >> 1]! : NaN;
    const hi = size > 0 ? conf[order[start + size - 1]! >> 1]! : NaN;
    bins.push(toBin(lo, hi, size, oddCount(order, start, start + size), sumOf(values, start, start + size)));
    start += size;
  }
  return bins;
}

/** How many of items[from..to) are odd (massBins: correct records). */
function oddCount(items: Int32Array, from: number, to: number): number {
  let odd = 0;
  for (let j = from; j < to; j++) odd += items[j]! & 1;
  return odd;
}

/** values[from] + … + values[to − 1], added in that order. */
function sumOf(values: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let j = from; j < to; j++) sum += values[j]!;
  return sum;
}

/**
 * Expected calibration error Σ |B|/n · |acc(B) − conf(B)| over non-empty bins. `n` defaults to
 * the total binned count; NaN when it is 0.
 */
export function ece(bins: CalibrationBin[], n?: number): number {
  const total = n ?? bins.reduce((s, b) => s + b.count, 0);
  if (!(total > 0)) return NaN;
  let sum = 0;
  for (const b of bins) if (b.count > 0) sum += (b.count / total) * Math.abs(b.accuracy - b.confidence);
  return sum;
}

/** Maximum calibration error: max |acc − conf| over non-empty bins; NaN when all are empty. */
export function mce(bins: CalibrationBin[]): number {
  let max = NaN;
  for (const b of bins) {
    if (b.count === 0) continue;
    const gap = Math.abs(b.accuracy - b.confidence);
    if (!(gap <= max)) max = gap; // first non-empty bin replaces the initial NaN
  }
  return max;
}

/**
 * Everything the calibration section needs from one probability matrix: accuracy, top-label
 * ECE/MCE (CONTRACT), adaptive ECE, class-wise ECE, Brier and NLL, over `rows` (indices into
 * `labels` and the rows of `probs`; default all). Records with an out-of-range label are left out
 * of every number — except accuracy, which counts a label ≥ k as wrong (stats/classification's
 * accuracy).
 *
 * One pass over the probabilities computes each record's top label (as stats/losses topLabel:
 * first maximum, NaN never wins), its class-wise bins, its Brier and NLL terms (the arithmetic of
 * stats/losses brier and nll), so a million records are read once, not four times. Every sum is
 * added in record order, exactly as the single-purpose functions add it, so the numbers are
 * identical to theirs.
 */
export function calibrationSummary(probs: Float32Array, labels: Int32Array, k: number, nBins = 15, rows?: Int32Array): CalibrationSummary {
  const p = pass(probs, labels, k, nBins, rows, true);
  const adaptiveBins = massBins(p.conf, p.keys, p.items, nBins);
  return { accuracy: p.accuracy, ece: ece(p.bins), mce: mce(p.bins), adaptiveEce: ece(adaptiveBins), classwiseEce: p.classwise, brier: p.brier, nll: p.nll, bins: p.bins, adaptiveBins };
}

/**
 * The top-label part of calibrationSummary — accuracy, ECE (equal-width bins) and NLL, the same
 * numbers — without class-wise bins, Brier and the sort for the adaptive bins.
 */
export function topLabelSummary(probs: Float32Array, labels: Int32Array, k: number, nBins = 15, rows?: Int32Array): { accuracy: number; ece: number; nll: number } {
  const p = pass(probs, labels, k, nBins, rows, false);
  return { accuracy: p.accuracy, ece: ece(p.bins), nll: p.nll };
}

/**
 * calibrationSummary's pass; class-wise ECE and Brier only when `full` (else NaN). The top-label
 * equal-width bins are summed here too (the bins equalWidthBins gives for the records' top-label
 * confidences and hits), and the sort keys of the adaptive bins are gathered (see massBins).
 */
function pass(probs: Float32Array, labels: Int32Array, k: number, nBins: number, rows: Int32Array | undefined, full: boolean) {
  const edges = binEdges(nBins);
  const table = widthBinTable(nBins);
  const bits = new Uint32Array(probs.buffer, probs.byteOffset, probs.length);
  // Always a row list, so the loops see one kind of argument on every call.
  const ids = rows ?? allRows(labels.length);
  const s = new PassSums(ids.length, full ? k : 0, nBins);
  if (full) sumFull(probs, bits, labels, ids, k, nBins, table, edges, s);
  else sumTop(probs, bits, labels, ids, k, nBins, table, edges, s);
  const [labelled, n, sorted, hits, brierSum, nllSum] = s.totals;
  let classwise = NaN;
  if (full && n > 0 && k > 0) {
    classwise = 0;
    for (let c = 0; c < k; c++) {
      const at = (m: number) => c * nBins + m;
      classwise += ece(Array.from({ length: nBins }, (_, m) => toBin(edges[m]!, edges[m + 1]!, s.count[at(m)]!, s.sumHit[at(m)]!, s.sumConf[at(m)]!)));
    }
    classwise /= k;
  }
  return {
    conf: s.conf,
    keys: s.keys.subarray(0, sorted),
    items: s.items.subarray(0, sorted),
    bins: Array.from({ length: nBins }, (_, m) => toBin(edges[m]!, edges[m + 1]!, s.topCount[m]!, s.topHit[m]!, s.topConf[m]!)),
    accuracy: labelled! > 0 ? hits! / labelled! : NaN,
    classwise,
    brier: full && n! > 0 ? brierSum! / n! : NaN,
    nll: n! > 0 ? nllSum! / n! : NaN,
  };
}

/** 0, 1, …, n − 1. */
function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let r = 0; r < n; r++) rows[r] = r;
  return rows;
}

/**
 * What the pass adds up over its records, in typed arrays the loops only index. Counts are
 * integers, so their order does not matter; every float sum is added in record order.
 */
class PassSums {
  /** Class-wise bins, per class·bin (`classes` = 0 in the top-label pass): records, label = class, sum of p_class. */
  readonly count: Int32Array;
  readonly sumHit: Int32Array;
  readonly sumConf: Float64Array;
  /** Top-label equal-width bins: records, hits, confidence sums. */
  readonly topCount: Int32Array;
  readonly topHit: Int32Array;
  readonly topConf: Float64Array;
  /** Per record with a valid label (full pass): top-label confidence (NaN: none), and the adaptive bins' sort keys and items (massBins). */
  readonly conf: Float32Array;
  readonly keys: Uint32Array;
  readonly items: Int32Array;
  /** Records with a label ≥ 0, with a valid label, with a confidence, hits, Brier sum, NLL sum. */
  readonly totals = new Float64Array(6);

  constructor(records: number, classes: number, nBins: number) {
    this.count = new Int32Array(classes * nBins);
    this.sumHit = new Int32Array(classes * nBins);
    this.sumConf = new Float64Array(classes * nBins);
    this.topCount = new Int32Array(nBins);
    this.topHit = new Int32Array(nBins);
    this.topConf = new Float64Array(nBins);
    const perRecord = classes > 0 ? records : 0;
    this.conf = new Float32Array(perRecord);
    this.keys = new Uint32Array(perRecord);
    this.items = new Int32Array(perRecord);
  }
}

/*
 * The pass's two loops, each on its own (small, one kind of argument per call): they run on a
 * fresh worker thread, where small loops reach optimised code sooner and recompile cheaper.
 * Per record: the top label (as stats/losses topLabel: first maximum, NaN never wins), its
 * equal-width bin, the NLL term (stats/losses nll); the full pass adds the class-wise bins and the
 * Brier term (stats/losses brier) of every probability, and the adaptive bins' sort key.
 */

function sumFull(probs: Float32Array, bits: Uint32Array, labels: Int32Array, rows: Int32Array, k: number, nBins: number, table: Uint8Array, edges: Float64Array, s: PassSums): void {
  const { count, sumHit, sumConf, topCount, topHit, topConf, conf, keys, items } = s;
  let labelled = 0;
  let n = 0;
  let sorted = 0;
  let hits = 0;
  let brierSum = 0;
  let nllSum = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    const y = labels[i]!;
    if (y >= 0) labelled++;
    if (!(y >= 0 && y < k)) continue;
    const o = i * k;
    let best = 0;
    let bestP = -Infinity;
    let row = 0;
    for (let c = 0; c < k; c++) {
      const p = probs[o + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
      const d = (c === y ? 1 : 0) - p;
      row += d * d;
      let m = table[bits[o + c]! >>> 16]!;
      if (m === DECIDE) {
        if (p !== p) continue; // NaN: in no bin
        m = binOf(p, edges);
      }
      count[c * nBins + m]!++;
      sumConf[c * nBins + m]! += p;
    }
    brierSum += row;
    const my = widthBin(probs[o + y]!, edges, table, bits[o + y]);
    if (my >= 0) sumHit[y * nBins + my]!++;
    nllSum += -Math.log(Math.max(probs[o + y]!, LOSS_CLAMP));
    const right = best === y ? 1 : 0;
    hits += right;
    if (bestP === -Infinity) conf[n] = NaN; // every probability NaN (or −∞): no confidence, in no bin
    else {
      conf[n] = bestP;
      const word = bits[o + best]!;
      const m = widthBin(bestP, edges, table, word);
      topCount[m]!++;
      topHit[m]! += right;
      topConf[m]! += bestP;
      keys[sorted] = floatKey(word);
      items[sorted++] = (n << 1) | right;
    }
    n++;
  }
  s.totals.set([labelled, n, sorted, hits, brierSum, nllSum]);
}

function sumTop(probs: Float32Array, bits: Uint32Array, labels: Int32Array, rows: Int32Array, k: number, nBins: number, table: Uint8Array, edges: Float64Array, s: PassSums): void {
  const { topCount, topHit, topConf } = s;
  let labelled = 0;
  let n = 0;
  let hits = 0;
  let nllSum = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    const y = labels[i]!;
    if (y >= 0) labelled++;
    if (!(y >= 0 && y < k)) continue;
    const o = i * k;
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < k; c++) {
      const p = probs[o + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    nllSum += -Math.log(Math.max(probs[o + y]!, LOSS_CLAMP));
    const right = best === y ? 1 : 0;
    hits += right;
    if (bestP !== -Infinity) {
      const m = widthBin(bestP, edges, table, bits[o + best]!);
      topCount[m]!++;
      topHit[m]! += right;
      topConf[m]! += bestP;
    }
    n++;
  }
  s.totals.set([labelled, n, 0, hits, NaN, nllSum]);
}
