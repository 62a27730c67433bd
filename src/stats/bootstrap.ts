/**
 * Seeded percentile bootstrap for confidence intervals on any statistic of the sample indices.
 * The statistic receives index arrays (not copied data) so callers keep their typed arrays.
 *
 * `bootstrapVector` evaluates several statistics on the very same resamples, drawing each resample
 * once: at a million records the draws dominate, so a section with three intervals (or a paired
 * gap per baseline) pays for one set of draws instead of one per statistic. Its results equal
 * separate `bootstrapCI` calls with the same seed and options.
 *
 * Past `GROUPED_ABOVE` records even one set of draws per resample is too slow (10⁹ draws at a
 * million records), so callers switch to `groupedBootstrap`: records are assigned to `GROUPS`
 * groups by a seeded hash of their dataset index, each group keeps the sums a statistic needs, and
 * groups are resampled instead of records (a cluster bootstrap of i.i.d.-assigned groups).
 */
import { macroF1OfClassCounts } from './classification.ts';
import { quantile } from './quantiles.ts';
import { fmix32 } from './rng.ts';

export interface BootstrapOptions {
  /** number of resamples (default 1000). */
  resamples?: number;
  /** seed for mulberry32; printed in the report so the interval can be reproduced. */
  seed: number;
  /** central coverage of the interval (default 0.95). */
  level?: number;
}

export interface BootstrapResult {
  /** stat on the identity indices 0..n−1. */
  estimate: number;
  lo: number;
  hi: number;
  /** resamples requested. */
  resamples: number;
  /** resamples whose stat was not NaN and entered the interval (NaN values are skipped). */
  valid: number;
  seed: number;
}

/**
 * Percentile bootstrap interval: draw `resamples` index sets of size n with replacement, evaluate
 * `stat` on each, and take the (1−level)/2 and (1+level)/2 quantiles (numpy "linear"). lo/hi are
 * NaN when every resample gives NaN. `stat` gets a fresh copy of each index set (it may keep or
 * mutate it).
 */
export function bootstrapCI(n: number, stat: (idx: Int32Array) => number, opts: BootstrapOptions): BootstrapResult {
  return run(n, 1, (idx, out) => (out[0] = stat(idx)), opts, true)[0];
}

/**
 * The fast path: `m` statistics computed together by one function, writing out[0..m), typically
 * in one pass over the drawn indices. Same resamples and results as `bootstrapCI` on each of the m
 * statistics. `stat` must only read `idx` and `mult` (they are shared, not copied). With
 * `multiplicities`, `mult[i]` holds how often record i was drawn in this resample (on the
 * estimate: 1 each), so integer counts can be formed per record or per group (`KeyGroups`) instead of per draw — counts do not
 * depend on the order they are summed in; floating-point sums do, so those stay in draw order.
 */
export function bootstrapVector(
  n: number,
  m: number,
  stat: (idx: Int32Array, out: Float64Array, mult: Int32Array) => void,
  opts: BootstrapOptions & { multiplicities?: boolean },
): BootstrapResult[] {
  return run(n, m, stat, opts, false);
}

/** Resamples and level of `opts` with their defaults; throws on a level outside (0, 1). */
function settings(opts: BootstrapOptions): { resamples: number; level: number } {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  return { resamples, level };
}

function run(n: number, m: number, stat: (idx: Int32Array, out: Float64Array, mult: Int32Array) => void, opts: BootstrapOptions & { multiplicities?: boolean }, copy: boolean): BootstrapResult[] {
  const { resamples, level } = settings(opts);
  const counted = opts.multiplicities === true;
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const mult = new Int32Array(counted ? n : 0);
  const estimates = new Float64Array(m);
  stat(identity, estimates, counted ? mult.fill(1) : mult);
  mult.fill(0);

  const values = Array.from({ length: m }, () => new Float64Array(resamples));
  const out = new Float64Array(m);
  const idx = new Int32Array(n);
  let a = opts.seed >>> 0;
  for (let r = 0; r < resamples; r++) {
    a = drawInto(a, n, idx);
    if (counted) for (let i = 0; i < n; i++) mult[idx[i]]++;
    if (n > 0) stat(copy ? idx.slice() : idx, out, mult);
    else out.fill(NaN);
    if (counted) mult.fill(0);
    for (let s = 0; s < m; s++) values[s][r] = out[s];
  }
  return percentiles(estimates, values, level, opts.seed);
}

/**
 * Fill `out` with out.length draws in 0..range−1 and return the generator's next state: mulberry32
 * (stats/rng.ts) inlined, the same sequence as randomInt(mulberry32(seed), range) per draw without
 * a closure call per element. x / 2^32 · range equals x · (range / 2^32): scaling by a power of two
 * is exact, so both round the same real product once.
 */
function drawInto(state: number, range: number, out: Int32Array): number {
  let a = state;
  const scale = range / 4294967296;
  for (let i = 0; i < out.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = Math.floor(((t ^ (t >>> 14)) >>> 0) * scale);
  }
  return a;
}

/**
 * drawInto's `range` draws, counted instead of listed: counts[at + d] += 1 for each draw d (the
 * grouped bootstrap needs only how often each group was drawn). Returns the generator's next state.
 */
function countDraws(state: number, range: number, counts: Float64Array, at: number): number {
  let a = state;
  const scale = range / 4294967296;
  for (let i = 0; i < range; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    counts[at + Math.floor(((t ^ (t >>> 14)) >>> 0) * scale)]++;
  }
  return a;
}

/** The (1−level)/2 and (1+level)/2 quantiles (numpy "linear") of each statistic's resampled values. */
function percentiles(estimates: Float64Array, values: Float64Array[], level: number, seed: number): BootstrapResult[] {
  const alpha = (1 - level) / 2;
  return Array.from(estimates, (estimate, s) => {
    // Skip NaN only: an infinite statistic is a real (extreme) value and must widen the interval.
    const sorted = values[s].filter((v) => !Number.isNaN(v)).sort();
    return { estimate, lo: quantile(sorted, alpha), hi: quantile(sorted, 1 - alpha), resamples: values[s].length, valid: sorted.length, seed };
  });
}

/**
 * Records grouped by an integer key in 0..K−1 (a counting sort, once), so a resample's count per
 * key is a sum of multiplicities over each group: sequential reads and one accumulator per key
 * instead of a read-modify-write of a counter per draw. Keys outside 0..K−1 are left out.
 */
export class KeyGroups {
  readonly order: Int32Array;
  readonly offsets: Int32Array;
  constructor(
    keys: ArrayLike<number>,
    readonly size: number,
  ) {
    const offsets = new Int32Array(size + 1);
    for (let i = 0; i < keys.length; i++) if (keys[i] >= 0 && keys[i] < size) offsets[keys[i] + 1]++;
    for (let c = 0; c < size; c++) offsets[c + 1] += offsets[c];
    const order = new Int32Array(offsets[size]);
    const at = offsets.slice(0, size);
    for (let i = 0; i < keys.length; i++) if (keys[i] >= 0 && keys[i] < size) order[at[keys[i]]++] = i;
    this.order = order;
    this.offsets = offsets;
  }

  /** out[c] = Σ mult[i] over the records with key c. */
  sum(mult: Int32Array, out: Float64Array): Float64Array {
    const { order, offsets } = this;
    for (let c = 0; c < this.size; c++) {
      let s = 0;
      for (let p = offsets[c]; p < offsets[c + 1]; p++) s += mult[order[p]];
      out[c] = s;
    }
    return out;
  }
}

/**
 * A resample's per-class confusion counts from draw multiplicities: true positives, support (row
 * sums) and predictions (column sums) — all that accuracy and macro-F1 read — in O(n + k) per
 * resample, where summing k² confusion cells (KeyGroups over confusionCells) costs O(n + k²): at a
 * thousand classes that is a million cells per resample. Records whose label or prediction lies
 * outside 0..k−1 count nowhere, as confusionCells leaves them without a cell. The counts are
 * integers, so they equal the cells' row and column sums exactly, and macroF1 gives
 * macroF1OfCounts' number bit for bit.
 */
export class ClassCounts {
  readonly tp: Float64Array;
  readonly support: Float64Array;
  readonly predicted: Float64Array;
  private readonly byTp: KeyGroups;
  private readonly bySupport: KeyGroups;
  private readonly byPredicted: KeyGroups;

  constructor(
    labels: ArrayLike<number>,
    preds: ArrayLike<number>,
    readonly k: number,
  ) {
    const n = labels.length;
    const tp = new Int32Array(n);
    const support = new Int32Array(n);
    const predicted = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const t = labels[r];
      const p = preds[r];
      const cell = t >= 0 && t < k && p >= 0 && p < k;
      tp[r] = cell && t === p ? t : -1;
      support[r] = cell ? t : -1;
      predicted[r] = cell ? p : -1;
    }
    this.byTp = new KeyGroups(tp, k);
    this.bySupport = new KeyGroups(support, k);
    this.byPredicted = new KeyGroups(predicted, k);
    this.tp = new Float64Array(k);
    this.support = new Float64Array(k);
    this.predicted = new Float64Array(k);
  }

  /** The counts of the resample whose draw multiplicities are `mult`; returns its hits (Σ tp). */
  sum(mult: Int32Array): number {
    this.byTp.sum(mult, this.tp);
    this.bySupport.sum(mult, this.support);
    this.byPredicted.sum(mult, this.predicted);
    let hits = 0;
    for (let c = 0; c < this.k; c++) hits += this.tp[c];
    return hits;
  }

  /** Macro-F1 of the last sum(). */
  macroF1(): number {
    return macroF1OfClassCounts(this.tp, this.support, this.predicted, this.k);
  }
}

/**
 * Whether a record-level bootstrap of `n` records counts k² confusion cells per resample (cheaper
 * while the cells are no more than the records) or per-class counts (ClassCounts). Either gives
 * the same numbers: only the time differs.
 */
export function countsCells(n: number, k: number): boolean {
  return k * k <= n;
}

// ------------------------------------------------------------- grouped bootstrap for large n

/**
 * Record count above which intervals resample hash groups instead of records. At or below it the
 * record-level bootstrap stays exact (and the committed example reports unchanged).
 */
export const GROUPED_ABOVE = 50_000;

/**
 * Groups of the grouped bootstrap. The bootstrap standard error from G i.i.d. groups has a relative
 * noise of about 1/√(2G) (1.6 % at 2 000), below the ≈ 3 % Monte-Carlo noise of a 1 000-resample
 * percentile interval; cost grows linearly with G (the widths are checked against the
 * record-level bootstrap in test/analyses/calibration.test.ts).
 */
export const GROUPS = 2000;

/** Whether `n` records take the grouped bootstrap. */
export function usesGroups(n: number): boolean {
  return n > GROUPED_ABOVE;
}


/**
 * Group of each record in 0..groups−1 from a seeded hash of its dataset index: independent of
 * the record's position in a subset and of the dataset's order (often sorted by class), and the
 * same in every shard, so per-group sums of shards can be added up.
 */
export function hashGroups(index: ArrayLike<number>, groups: number, seed: number): Int32Array {
  const key = fmix32((seed >>> 0) ^ 0x9e3779b9);
  const out = new Int32Array(index.length);
  // h · G < 2⁵³, so the product is exact and the floor is the high part of a 32×32-bit product.
  for (let r = 0; r < index.length; r++) out[r] = Math.floor((fmix32(Math.imul(index[r], 0x9e3779b1) ^ key) * groups) / 4294967296);
  return out;
}

/** One value per record for the float sums of GroupSums, into a fixed slot or a slot per record. */
export interface FloatColumn {
  slot: number | Int32Array;
  value: ArrayLike<number>;
}

/**
 * Where GroupSums reads its groups' sums from. `fill(g0, g1, into, total)` adds the logical sums
 * of groups g0..g1−1 to `into` (zeroed; `width` numbers per group, g0's first) and, when `total`
 * is given, adds to it the float sums over every record in record order (as a record-by-record
 * pass adds them) and the counts of records in no group (GroupSums adds the groups' counts).
 */
export interface GroupSource {
  fill(g0: number, g1: number, into: Float64Array, total: Float64Array | null): void;
}

/**
 * The GroupSource of per-record contributions: record r is in group[r] (outside 0..groups−1: in
 * none), adds 1 to each of its count slots countSlot[r·pc..(r+1)·pc) (−1: none) and each float
 * column's value[r] to float slot `slot`, or slot[r] when that is an array (−1: none).
 */
export function recordSource(groups: number, counts: number, floats: number, group: Int32Array, countSlot: Int32Array, columns: readonly FloatColumn[]): GroupSource {
  const n = group.length;
  const pc = n ? countSlot.length / n : 0;
  if (!Number.isInteger(pc) || columns.some((c) => c.value.length !== n || (typeof c.slot !== 'number' && c.slot.length !== n))) throw new RangeError('every record needs the same number of count entries and one value in each float column');
  const width = counts + floats;
  // The float columns as plain lists, so the per-record loop reads them without destructuring.
  const values = columns.map((c) => c.value);
  const slotPerRecord = columns.map((c) => (typeof c.slot === 'number' ? null : c.slot));
  const fixedSlot = columns.map((c) => (typeof c.slot === 'number' ? c.slot : -1));
  return {
    fill(g0, g1, into, total) {
      for (let r = 0; r < n; r++) {
        const g = group[r];
        const inBlock = g >= g0 && g < g1;
        if (!inBlock && total === null) continue;
        const o = (g - g0) * width;
        if (inBlock) {
          for (let q = r * pc; q < (r + 1) * pc; q++) if (countSlot[q] >= 0) into[o + countSlot[q]]++;
        } else if (!(g >= 0 && g < groups)) {
          for (let q = r * pc; q < (r + 1) * pc; q++) if (countSlot[q] >= 0) total![countSlot[q]]++;
        }
        for (let c = 0; c < values.length; c++) {
          const perRecord = slotPerRecord[c];
          const sl = perRecord === null ? fixedSlot[c] : perRecord[r];
          if (sl < 0) continue;
          const v = values[c][r];
          if (total !== null) total[counts + sl] += v;
          if (inBlock) into[o + counts + sl] += v;
        }
      }
    },
  };
}

/**
 * Per-group sums of per-record contributions, kept sparse and by slot: physical slot s's non-zero
 * sums are those of the groups entryGroup[start[s]..start[s+1]) (in group order), entryValue the
 * sums (a group of a few hundred records touches few slots). By slot, so a resample's sum of one
 * slot is added up in a register, group after group, instead of read and written back per group.
 * Logical slots 0..counts−1 are counts, each entry adding 1; slots counts..width−1 are
 * floating-point sums. Consecutive counts are packed into one float64, `bits[s]` bits each, so a
 * resample adds fewer numbers. That is exact: a count can never outgrow its bits, because a
 * resample's total is at most `groups` times the largest value one group holds, and integers stay
 * exact in a float64 up to 2⁵³. `total` is the logical sum over all records, added in record order, so a
 * statistic of it equals the statistic computed record by record.
 */
export class GroupSums {
  readonly width: number;
  /** bits of each count slot: enough for `groups` times its largest per-group value. */
  readonly bits: Int32Array;
  /** physical slot of each logical slot: packed counts first, then the float sums. */
  readonly where: Int32Array;
  readonly physical: number;
  readonly start: Int32Array;
  readonly entryGroup: Int32Array;
  readonly entryValue: Float64Array;
  /** Whether every slot lists every group (start[s] = s·groups), zero sums too. */
  readonly dense: boolean;
  /** Per physical slot: 1 when some group's sum is not finite (0·∞ is NaN, so zero draws matter). */
  readonly nonFinite: Uint8Array;
  readonly total: Float64Array;
  /** 2^bits per count slot, for unpack (once per resample). */
  private readonly powers: Float64Array;

  /**
   * From per-record contributions (recordSource):
   * @param group group of each record (hashGroups); records outside 0..groups−1 are left out of
   *   the groups (but not of `total`).
   * @param countSlot per record the same number of count slots in 0..counts−1 (−1: none), row-major.
   * @param columns the float sums: record r adds value[r] to float slot `slot` (0..floats−1), or
   *   to slot[r] when that is an array (−1: none).
   */
  constructor(groups: number, counts: number, floats: number, group: Int32Array, countSlot: Int32Array, columns: readonly FloatColumn[]);
  /** From a caller's own GroupSource (the same sums, faster to form for a known layout). */
  constructor(groups: number, counts: number, floats: number, source: GroupSource);
  constructor(
    readonly groups: number,
    readonly counts: number,
    floats: number,
    groupOrSource: Int32Array | GroupSource,
    countSlot?: Int32Array,
    columns?: readonly FloatColumn[],
  ) {
    const source = groupOrSource instanceof Int32Array ? recordSource(groups, counts, floats, groupOrSource, countSlot!, columns!) : groupOrSource;
    const width = (this.width = counts + floats);
    // Logical sums of a block of groups (≤ 2²² numbers; one block unless there are very many slots).
    const block = Math.max(1, Math.min(groups, Math.floor(2 ** 22 / Math.max(width, 1))));
    const dense = new Float64Array(block * width);
    const total = new Float64Array(width);
    const fill = (g0: number, g1: number, totals: boolean) => {
      dense.fill(0);
      source.fill(g0, g1, dense, totals ? total : null);
    };
    // One block of groups (the usual case): its pass adds the totals too.
    const oneBlock = block >= groups;
    if (!oneBlock) fill(0, 0, true);
    // Bits each count needs: at most `groups` draws of its largest per-group value.
    const largest = new Float64Array(counts);
    for (let g0 = 0; g0 < groups; g0 += block) {
      fill(g0, Math.min(groups, g0 + block), oneBlock);
      addCounts(dense, width, counts, total, largest);
    }
    // Consecutive counts share a float64 while their bits fit in 53.
    const bits = (this.bits = new Int32Array(counts));
    const where = (this.where = new Int32Array(width));
    const scaleOf = new Float64Array(width);
    let word = -1;
    for (let sl = 0, used = 53; sl < counts; sl++) {
      bits[sl] = Math.ceil(Math.log2(groups * largest[sl] + 1));
      if (bits[sl] > 53) throw new RangeError('counts too large for exact float64 sums');
      if (used + bits[sl] > 53) {
        word++;
        used = 0;
      }
      where[sl] = word;
      scaleOf[sl] = 2 ** used;
      used += bits[sl];
    }
    this.powers = Float64Array.from(bits, (b) => 2 ** b);
    const packed = word + 1;
    const P = (this.physical = packed + floats);
    for (let sl = counts; sl < width; sl++) {
      where[sl] = packed + sl - counts;
      scaleOf[sl] = 1;
    }

    // Each group's non-zero physical sums (by group), then by slot (group order kept).
    const entries: GroupEntries = { slot: [], group: [], value: [] };
    for (let g0 = 0; g0 < groups; g0 += block) {
      const g1 = Math.min(groups, g0 + block);
      if (!oneBlock) fill(g0, g1, false); // the single block is still in `dense`
      packBlock(dense, width, g0, g1, where, scaleOf, P, entries);
    }
    // Dense (every group listed in every slot, zeros too) when most are non-zero anyway: the
    // resampling loop then reads two slots with one read of the draw counts.
    this.dense = 2 * entries.slot.length >= groups * P;
    const bySlot = this.dense ? denseBySlot(entries, groups, P) : sparseBySlot(entries, P);
    this.start = bySlot.start;
    this.entryGroup = bySlot.group;
    this.entryValue = bySlot.value;
    this.nonFinite = nonFiniteSlots(bySlot.start, bySlot.value);
    this.total = total;
  }

  /** Logical slot totals (out, `width`) from physical ones (the resampling loop's sums). */
  unpack(physical: Float64Array, out: Float64Array): Float64Array {
    const { counts, where } = this;
    const { powers } = this;
    let v = 0;
    for (let sl = 0; sl < counts; sl++) {
      if (sl === 0 || where[sl] !== where[sl - 1]) v = physical[where[sl]];
      const base = powers[sl];
      const rest = Math.floor(v / base); // exact: v is an integer below 2⁵³, base a power of two
      out[sl] = v - rest * base;
      v = rest;
    }
    for (let sl = counts; sl < this.width; sl++) out[sl] = physical[where[sl]];
    return out;
  }
}

// The construction's loops, one function each: this code runs once per audit, cold, and a function
// is compiled while its loop runs (on-stack replacement) — once per function, not once per loop.

/** total[sl] += and largest[sl] = max of the count slots of every group row in `dense`. */
function addCounts(dense: Float64Array, width: number, counts: number, total: Float64Array, largest: Float64Array): void {
  for (let i = 0; i < dense.length; i += width) {
    for (let sl = 0; sl < counts; sl++) {
      total[sl] += dense[i + sl];
      if (dense[i + sl] > largest[sl]) largest[sl] = dense[i + sl];
    }
  }
}

/** Non-zero physical sums, listed by group. */
interface GroupEntries {
  slot: number[];
  group: number[];
  value: number[];
}

/** Groups g0..g1−1 of `dense` packed (where, scaleOf) to physical slots, their non-zero sums listed. */
function packBlock(dense: Float64Array, width: number, g0: number, g1: number, where: Int32Array, scaleOf: Float64Array, P: number, out: GroupEntries): void {
  const row = new Float64Array(P);
  for (let g = g0; g < g1; g++) {
    const o = (g - g0) * width;
    row.fill(0);
    for (let sl = 0; sl < width; sl++) if (dense[o + sl] !== 0) row[where[sl]] += dense[o + sl] * scaleOf[sl];
    for (let ph = 0; ph < P; ph++) {
      if (row[ph] === 0) continue;
      out.slot.push(ph);
      out.group.push(g);
      out.value.push(row[ph]);
    }
  }
}

/** Every group in every slot (zeros too): slot s's sums at s·groups..(s+1)·groups. */
function denseBySlot(entries: GroupEntries, groups: number, P: number): { start: Int32Array; group: Int32Array; value: Float64Array } {
  const start = new Int32Array(P + 1);
  for (let ph = 0; ph <= P; ph++) start[ph] = ph * groups;
  const group = new Int32Array(P * groups);
  for (let ph = 0; ph < P; ph++) group.set(groupRange(groups), ph * groups);
  return { start, group, value: denseValues(entries, groups, P) };
}

/** 0..groups−1. */
function groupRange(groups: number): Int32Array {
  const out = new Int32Array(groups);
  for (let g = 0; g < groups; g++) out[g] = g;
  return out;
}

/** The entries' sums at slot·groups + group, zeros elsewhere. */
function denseValues(entries: GroupEntries, groups: number, P: number): Float64Array {
  const value = new Float64Array(P * groups);
  for (let e = 0; e < entries.slot.length; e++) value[entries.slot[e] * groups + entries.group[e]] = entries.value[e];
  return value;
}

/** The entries counting-sorted by slot, group order kept within a slot. */
function sparseBySlot(entries: GroupEntries, P: number): { start: Int32Array; group: Int32Array; value: Float64Array } {
  const start = new Int32Array(P + 1);
  for (let e = 0; e < entries.slot.length; e++) start[entries.slot[e] + 1]++;
  for (let ph = 0; ph < P; ph++) start[ph + 1] += start[ph];
  const at = start.slice(0, P);
  const group = new Int32Array(entries.slot.length);
  const value = new Float64Array(entries.slot.length);
  for (let e = 0; e < entries.slot.length; e++) {
    const q = at[entries.slot[e]]++;
    group[q] = entries.group[e];
    value[q] = entries.value[e];
  }
  return { start, group, value };
}

/** Per slot: 1 when one of its sums is not finite. */
function nonFiniteSlots(start: Int32Array, value: Float64Array): Uint8Array {
  const out = new Uint8Array(start.length - 1);
  for (let s = 0; s < out.length; s++) for (let e = start[s]; e < start[s + 1]; e++) if (!Number.isFinite(value[e])) out[s] = 1;
  return out;
}

/** Resamples summed together by groupedBootstrap: one pass over a group's sums serves all four. */
const BLOCK = 4;

/**
 * physical[s·4 + j] = Σ_g mult[j·groups + g] · (group g's sum in physical slot s), for the four
 * resamples j, each added in group order in a register of its own. A group that none of the four
 * drew adds nothing (0·v = 0 would not change a sum, but 0·∞ is NaN). Dense sums are taken two
 * slots at a time, so one read of a group's four draw counts serves eight sums.
 */
function accumulate(sums: GroupSums, mult: Float64Array, physical: Float64Array): void {
  const { physical: P, groups, dense, nonFinite } = sums;
  for (let s = 0; s < P; ) {
    if (dense && s + 1 < P && nonFinite[s] === 0 && nonFinite[s + 1] === 0) {
      accumulateTwo(sums.entryValue, s * groups, groups, mult, physical, s * BLOCK);
      s += 2;
    } else {
      accumulateOne(sums, s, mult, physical);
      s++;
    }
  }
}

/** Two dense slots: values at from..from+groups and the next groups, sums into physical[at..at+8). */
function accumulateTwo(value: Float64Array, from: number, groups: number, mult: Float64Array, physical: Float64Array, at: number): void {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  const next = from + groups;
  for (let g = 0; g < groups; g++) {
    const w0 = mult[g];
    const w1 = mult[groups + g];
    const w2 = mult[2 * groups + g];
    const w3 = mult[3 * groups + g];
    const v = value[from + g];
    const u = value[next + g];
    a0 += w0 * v;
    a1 += w1 * v;
    a2 += w2 * v;
    a3 += w3 * v;
    b0 += w0 * u;
    b1 += w1 * u;
    b2 += w2 * u;
    b3 += w3 * u;
  }
  physical[at] = a0;
  physical[at + 1] = a1;
  physical[at + 2] = a2;
  physical[at + 3] = a3;
  physical[at + 4] = b0;
  physical[at + 5] = b1;
  physical[at + 6] = b2;
  physical[at + 7] = b3;
}

/** One slot, sparse or dense; a non-finite slot skips the groups none of the four drew. */
function accumulateOne({ groups, start, entryGroup: group, entryValue: value, nonFinite }: GroupSums, s: number, mult: Float64Array, physical: Float64Array): void {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const guard = nonFinite[s] === 1;
  for (let p = start[s], end = start[s + 1]; p < end; p++) {
    const g = group[p];
    const w0 = mult[g];
    const w1 = mult[groups + g];
    const w2 = mult[2 * groups + g];
    const w3 = mult[3 * groups + g];
    if (guard && w0 + w1 + w2 + w3 === 0) continue;
    const v = value[p];
    a0 += w0 * v;
    a1 += w1 * v;
    a2 += w2 * v;
    a3 += w3 * v;
  }
  physical[s * BLOCK] = a0;
  physical[s * BLOCK + 1] = a1;
  physical[s * BLOCK + 2] = a2;
  physical[s * BLOCK + 3] = a3;
}

/**
 * Percentile bootstrap over groups: each resample draws `groups` groups with replacement
 * (mulberry32, the same inlined generator as the record-level bootstrap), sums their rows
 * (weighted by how often each was drawn, added in group order) and calls `stat(totals, out)` with
 * the logical totals; it writes `m` statistics. `estimate` is `stat(sums.total)`: the statistic of
 * the records themselves, as the record-level bootstrap gives it.
 */
export function groupedBootstrap(
  sums: GroupSums,
  m: number,
  stat: (totals: Float64Array, out: Float64Array) => void,
  opts: BootstrapOptions,
): BootstrapResult[] {
  const { resamples, level } = settings(opts);
  const estimates = new Float64Array(m);
  stat(sums.total, estimates);
  const values = resampleGroups(sums, m, stat, resamples, opts.seed);
  return percentiles(estimates, values, level, opts.seed);
}

/** groupedBootstrap's resamples: each statistic's value per resample (a function of its own: see addCounts). */
function resampleGroups(sums: GroupSums, m: number, stat: (totals: Float64Array, out: Float64Array) => void, resamples: number, seed: number): Float64Array[] {
  const { groups } = sums;
  const P = sums.physical;
  const values = Array.from({ length: m }, () => new Float64Array(resamples));
  const out = new Float64Array(m);
  // Four resamples at a time: physical[slot·4 + j] is resample j's sum, mult[j·groups + g] its count of group g.
  const physical = new Float64Array(P * BLOCK);
  const one = new Float64Array(P);
  const totals = new Float64Array(sums.width);
  const mult = new Float64Array(groups * BLOCK); // float64: the loop multiplies it with float64 sums
  let a = seed >>> 0;
  for (let r0 = 0; r0 < resamples; r0 += BLOCK) {
    const size = Math.min(BLOCK, resamples - r0);
    mult.fill(0);
    for (let j = 0; j < size; j++) a = countDraws(a, groups, mult, j * groups);
    accumulate(sums, mult, physical);
    for (let j = 0; j < size; j++) statOfResample(sums, physical, j, stat, one, totals, out, values, r0 + j);
  }
  return values;
}

/** Resample j of the four in `physical`: its totals unpacked, its statistics stored as resample r. */
function statOfResample(sums: GroupSums, physical: Float64Array, j: number, stat: (totals: Float64Array, out: Float64Array) => void, one: Float64Array, totals: Float64Array, out: Float64Array, values: Float64Array[], r: number): void {
  for (let ph = 0; ph < one.length; ph++) one[ph] = physical[ph * BLOCK + j];
  stat(sums.unpack(one, totals), out);
  for (let s = 0; s < out.length; s++) values[s][r] = out[s];
}

// ---------------------------------------------------------------- helpers for tight statistics

/**
 * Confusion cell per record, label·k + pred; −1 when either is outside 0..k−1 (skipped, as
 * stats/classification's confusionMatrix skips it). Counting cells over drawn indices gives the
 * resample's confusion matrix without copying labels and predictions.
 */
export function confusionCells(labels: ArrayLike<number>, preds: ArrayLike<number>, k: number): Int32Array {
  const out = new Int32Array(labels.length);
  for (let r = 0; r < labels.length; r++) {
    const t = labels[r];
    const p = preds[r];
    out[r] = t < 0 || t >= k || p < 0 || p >= k ? -1 : t * k + p;
  }
  return out;
}

/** Per-class counts for macroF1OfCounts, reused across calls: it runs once per bootstrap resample. */
let tpScratch = new Float64Array(0);
let supportScratch = new Float64Array(0);
let predictedScratch = new Float64Array(0);

/**
 * Macro-F1 (CONTRACT, stats/classification) of k·k cell counts laid out as confusionCells numbers
 * them. Row and column sums are added in perClassMetrics' order, so the result is macroF1's.
 */
export function macroF1OfCounts(counts: ArrayLike<number>, k: number): number {
  if (tpScratch.length < k) {
    tpScratch = new Float64Array(k);
    supportScratch = new Float64Array(k);
    predictedScratch = new Float64Array(k);
  }
  for (let c = 0; c < k; c++) {
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += counts[c * k + j];
      predicted += counts[j * k + c];
    }
    tpScratch[c] = counts[c * k + c];
    supportScratch[c] = support;
    predictedScratch[c] = predicted;
  }
  return macroF1OfClassCounts(tpScratch, supportScratch, predictedScratch, k);
}

