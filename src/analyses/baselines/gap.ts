/**
 * The model − baseline gap on accuracy, macro-F1 and NLL, with paired percentile-bootstrap
 * intervals: each resample draws the same records for the model and the baseline, so the interval
 * is on the difference itself. One seed for every baseline keeps the comparisons paired too — and
 * lets every baseline's three intervals share one set of draws (stats/bootstrap's bootstrapVector).
 * Past GROUPED_ABOVE records, hash groups of records are drawn instead (stats/bootstrap's
 * groupedBootstrap), still the same groups for the model and every baseline.
 */
import { bootstrapVector, ClassCounts, confusionCells, countsCells, GROUPED_ABOVE, GroupSums, groupedBootstrap, GROUPS, hashGroups, KeyGroups, macroF1OfCounts, usesGroups, type BootstrapResult } from '../../stats/bootstrap.ts';
import { macroF1Of, macroF1OfClassCounts } from '../../stats/classification.ts';
import { gapGroupSource, gapLayout } from './gap-groups.ts';

export interface Scored {
  pred: Int32Array;
  loss: Float32Array;
}

export interface Gap {
  accuracy: BootstrapResult;
  macroF1: BootstrapResult;
  /** model NLL − baseline NLL: negative means the model is better. */
  nll: BootstrapResult;
}

export function metricsOf(s: Scored, labels: Int32Array, k: number, idx?: Int32Array) {
  const n = idx ? idx.length : labels.length;
  // All records: the arrays themselves; a subset (the bootstrap's reference in tests): copies of its entries.
  const l = idx ? Int32Array.from(idx, (i) => labels[i]) : labels;
  const p = idx ? Int32Array.from(idx, (i) => s.pred[i]) : s.pred;
  const hit = equalCount(l, p);
  const loss = sumOf(s.loss, idx);
  return { accuracy: n ? hit / n : NaN, macroF1: n ? macroF1Of(l, p, k) : NaN, nll: n ? loss / n : NaN };
}

// metricsOf's loops, a function each: compiled once while they run (this runs once per audit,
// cold), where one function around both would be recompiled at each loop and left again after it.

/** Records whose prediction equals their label. */
function equalCount(labels: Int32Array, preds: Int32Array): number {
  let hit = 0;
  for (let r = 0; r < labels.length; r++) if (preds[r] === labels[r]) hit++;
  return hit;
}

/** Σ values (of idx, when given) in order. */
function sumOf(values: Float32Array, idx?: Int32Array): number {
  let sum = 0;
  if (idx) for (let r = 0; r < idx.length; r++) sum += values[idx[r]];
  else for (let r = 0; r < values.length; r++) sum += values[r];
  return sum;
}

/**
 * Resamples: 1 000 up to 20 000 records, scaled down beyond so the record-level bootstrap stays a
 * few seconds (⌊2·10⁷/n⌋, at least 200); 1 000 again past GROUPED_ABOVE, where the grouped
 * bootstrap's cost no longer grows with n.
 */
export function resamplesFor(n: number): number {
  if (usesGroups(n)) return 1000;
  return Math.max(200, Math.min(1000, Math.floor(2e7 / Math.max(n, 1))));
}

/**
 * How the gap intervals of `n` records are computed, for the report's note: "paired percentile
 * bootstrap, R resamples, seed S", naming the record groups when there are more than GROUPED_ABOVE.
 */
export function gapMethod(n: number, seed: number): string {
  const fmt = (x: number) => x.toLocaleString('en-US');
  const how = usesGroups(n)
    ? `paired percentile bootstrap over ${fmt(GROUPS)} groups of records (more than ${fmt(GROUPED_ABOVE)} records: each is put in a group by a seeded hash of its row in the dataset, and whole groups are drawn)`
    : 'paired percentile bootstrap';
  return `${how}, ${resamplesFor(n)} resamples, seed ${seed}`;
}

/**
 * The gap of the model against each baseline, all on one set of resamples (the model and every
 * baseline see the same draws). Up to GROUPED_ABOVE records the records are resampled
 * (recordGaps); beyond, hash groups of records (groupedGaps). `index` is each record's dataset
 * index, which the groups are hashed from (default: its position).
 */
export function gapsOf(model: Scored, bases: readonly Scored[], labels: Int32Array, k: number, seed: number, index?: ArrayLike<number>): Gap[] {
  if (usesGroups(labels.length)) return groupedGaps(model, bases, labels, k, seed, index ?? Int32Array.from(labels, (_, r) => r));
  return recordGaps(model, bases, labels, k, seed);
}

/**
 * Record-level: per resample, the confusion counts (accuracy is their diagonal) of each scorer
 * come from draw multiplicities summed per confusion cell (stats/bootstrap's KeyGroups) — or, when
 * there are more cells than records (many classes), per class (ClassCounts: the same numbers); the
 * losses, a floating-point sum, are added in draw order, as separate bootstraps would add them.
 */
export function recordGaps(model: Scored, bases: readonly Scored[], labels: Int32Array, k: number, seed: number): Gap[] {
  const n = labels.length;
  const all = [model, ...bases];
  const w = all.length;
  const cells = countsCells(n, k);
  const groups = cells ? all.map((s) => new KeyGroups(confusionCells(labels, s.pred, k), k * k)) : [];
  const perClass = cells ? [] : all.map((s) => new ClassCounts(labels, s.pred, k));
  // Interleaved per record, so the draw-order loss sums touch one place per draw.
  const loss = new Float32Array(n * w);
  all.forEach((s, j) => {
    for (let r = 0; r < n; r++) loss[r * w + j] = s.loss[r];
  });
  const counts = new Float64Array(cells ? k * k : 0);
  const sums = new Float64Array(w);
  const acc = new Float64Array(w);
  const f1 = new Float64Array(w);
  const r = bootstrapVector(
    n,
    3 * bases.length,
    (idx, out, mult) => {
      sums.fill(0);
      for (let q = 0; q < idx.length; q++) {
        const o = idx[q] * w;
        for (let j = 0; j < w; j++) sums[j] += loss[o + j];
      }
      for (let j = 0; j < w; j++) {
        if (!cells) {
          acc[j] = perClass[j].sum(mult) / idx.length;
          f1[j] = perClass[j].macroF1();
          continue;
        }
        groups[j].sum(mult, counts);
        let hits = 0;
        for (let t = 0; t < k; t++) hits += counts[t * k + t];
        acc[j] = hits / idx.length;
        f1[j] = macroF1OfCounts(counts, k);
      }
      for (let j = 1; j < w; j++) {
        out[3 * (j - 1)] = acc[0] - acc[j];
        out[3 * (j - 1) + 1] = f1[0] - f1[j];
        out[3 * (j - 1) + 2] = sums[0] / idx.length - sums[j] / idx.length;
      }
    },
    { seed, resamples: resamplesFor(n), multiplicities: true },
  );
  return bases.map((_, j) => ({ accuracy: r[3 * j], macroF1: r[3 * j + 1], nll: r[3 * j + 2] }));
}

/**
 * Grouped (stats/bootstrap's groupedBootstrap): per hash group of records the sums each scorer's
 * statistics need — labelled records per class (shared), and per scorer true positives and
 * predictions per class of its confusion matrix, labelled records it has no valid prediction for
 * (usually none), and its loss sum (gap-groups.ts) — then per resample the gaps of the summed groups. The model
 * and every baseline see the same resampled groups, so the intervals stay paired. Estimates equal
 * recordGaps' (totals added in record order).
 */
export function groupedGaps(model: Scored, bases: readonly Scored[], labels: Int32Array, k: number, seed: number, index: ArrayLike<number>, groups = GROUPS): Gap[] {
  const all = [model, ...bases];
  const w = all.length;
  const { SUPPORT, counts, floats, scorer } = gapLayout(k, w);
  const LOSS = counts;
  const source = gapGroupSource(hashGroups(index, groups, seed), labels, all.map((s) => s.pred), all.map((s) => s.loss), k);
  const sums = new GroupSums(groups, counts, floats, source);
  const tp = new Float64Array(k);
  const support = new Float64Array(k);
  const predicted = new Float64Array(k);
  const acc = new Float64Array(w);
  const f1 = new Float64Array(w);
  const r = groupedBootstrap(
    sums,
    3 * bases.length,
    (totals, out) => {
      const records = totals[0];
      for (let j = 0; j < w; j++) {
        const o = scorer(j);
        let hits = 0;
        for (let c = 0; c < k; c++) {
          tp[c] = totals[o + c];
          support[c] = totals[SUPPORT + c] - totals[o + 2 * k + c];
          predicted[c] = totals[o + k + c];
          hits += tp[c];
        }
        acc[j] = hits / records;
        f1[j] = macroF1OfClassCounts(tp, support, predicted, k);
      }
      for (let j = 1; j < w; j++) {
        out[3 * (j - 1)] = acc[0] - acc[j];
        out[3 * (j - 1) + 1] = f1[0] - f1[j];
        out[3 * (j - 1) + 2] = totals[LOSS] / records - totals[LOSS + j] / records;
      }
    },
    { seed, resamples: resamplesFor(labels.length) },
  );
  return bases.map((_, j) => ({ accuracy: r[3 * j], macroF1: r[3 * j + 1], nll: r[3 * j + 2] }));
}

export function gapOf(model: Scored, base: Scored, labels: Int32Array, k: number, seed: number, index?: ArrayLike<number>): Gap {
  return gapsOf(model, [base], labels, k, seed, index)[0];
}
