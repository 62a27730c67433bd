/**
 * Confidence calibration of the final checkpoint: reliability diagrams (15 equal-width (a, b] bins
 * and 15 equal-mass bins), ECE / MCE / adaptive ECE / class-wise ECE / Brier / NLL per split,
 * confidence histograms of right and wrong predictions, the confidently wrong records, temperature
 * scaling fitted on the validation split, and seeded 95 % bootstrap intervals on the headline split.
 * Every number (calibrationNumbers: the per-split passes, the temperature fit, the bootstrap) is
 * computed on the worker thread when the run may use one, started before the other analyses.
 */
import { bootstrapVector, ClassCounts, confusionCells, GROUPED_ABOVE, GroupSums, groupedBootstrap, GROUPS, hashGroups, KeyGroups, macroF1OfCounts, usesGroups, type BootstrapResult } from '../stats/bootstrap.ts';
import { calibrationSummary, ece, topLabelSummary, type CalibrationBin, type CalibrationSummary } from '../stats/calibration.ts';
import { macroF1OfClassCounts } from '../stats/classification.ts';
import { LOSS_CLAMP } from '../stats/losses.ts';
import { applyTemperature, fitTemperature } from '../stats/temperature.ts';
import { callOnThread, THREAD_COPY_BYTES, threadsAllowed } from '../thread.ts';
import { gatherProbs, rowsOf, subset, type Subset } from './common.ts';
import { fix, int, pct } from './format.ts';
import type { Analysis, AnalysisContext, AnalysisOutput, Block, Cell } from './types.ts';
import { fullProbs } from '../score/compact.ts';

export const N_BINS = 15;
export const LEVEL = 0.95;
/** Split names treated as the validation split that temperature scaling is fitted on, in order. */
export const VALIDATION_SPLITS = ['val', 'valid', 'validation', 'dev'];
/** The search range of stats/temperature.ts; a fit at either end means no interior optimum was found. */
export const T_RANGE: [number, number] = [0.05, 20];

export interface SplitCalibration {
  n: number;
  accuracy: number;
  ece: number;
  mce: number;
  adaptiveEce: number;
  classwiseEce: number;
  brier: number;
  nll: number;
}

const pick = (s: CalibrationSummary, acc: number, n: number): SplitCalibration => ({
  n,
  accuracy: acc,
  ece: s.ece,
  mce: s.mce,
  adaptiveEce: s.adaptiveEce,
  classwiseEce: s.classwiseEce,
  brier: s.brier,
  nll: s.nll,
});

/** Calibration numbers of one probability matrix (rows: records, k columns), or of its rows `rows`. */
export function calibrate(probs: Float32Array, labels: Int32Array, k: number, rows?: Int32Array): { summary: CalibrationSummary; metrics: SplitCalibration } {
  const summary = calibrationSummary(probs, labels, k, N_BINS, rows);
  return { summary, metrics: pick(summary, summary.accuracy, rows ? rows.length : labels.length) };
}

/** ln max(p, 1e-12): log-probabilities stand in for logits (softmax ignores the per-row constant). */
export function logProbs(probs: Float32Array): Float32Array {
  const out = new Float32Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = Math.log(Math.max(probs[i], LOSS_CLAMP));
  return out;
}

/** The numbers the report shows after temperature scaling (the rest of SplitCalibration is not computed). */
export type ScaledCalibration = Pick<SplitCalibration, 'n' | 'accuracy' | 'ece' | 'nll'>;

export interface TemperatureResult {
  fitSplit: string;
  evalSplit: string;
  temperature: number;
  /** Headline-split metrics before (T = 1, the model's own probabilities) and after scaling. */
  before: SplitCalibration;
  after: ScaledCalibration;
  /** Fit-split metrics before and after (in-sample when fitSplit = evalSplit). */
  fitBefore: SplitCalibration;
  fitAfter: ScaledCalibration;
}

/** The first validation-like split with scored, labelled records, or null. `rowsOfSplit`: rowsOf, when the caller has it. */
export function validationSplit(ctx: AnalysisContext, rowsOfSplit = (s: string) => rowsOf(ctx.run, ctx.dataset, s)): string | null {
  return VALIDATION_SPLITS.find((s) => ctx.dataset.splitNames.includes(s) && rowsOfSplit(s).length > 0) ?? null;
}

/**
 * Fits T on the fit split's records (`fit.rows`, indices into `labels` and the rows of `probs`) by
 * minimising NLL (stats/temperature: safeguarded Halley steps on 1/T), then evaluates
 * softmax(ln p / T) on both splits. Dividing by T > 0 keeps the argmax, so accuracy is unchanged;
 * `after.accuracy` is measured, not assumed, so a test can prove it.
 */
export function temperatureScaling(probs: Float32Array, labels: Int32Array, k: number, fit: { split: string; rows: Int32Array }, evalSub: Subset, evalSplit: string, known: Known = {}): TemperatureResult {
  // Fitted on the headline split itself (no separate validation split): the same records twice.
  const same = sameRows(fit.rows, evalSub.rows);
  const fitSub = same ? evalSub : { probs: gatherProbs(probs, k, fit.rows), labels: Int32Array.from(fit.rows, (i) => labels[i]) };
  const fitLogits = logProbs(fitSub.probs);
  const { temperature } = fitTemperature(fitLogits, fitSub.labels, k);
  const scaled = (s: { labels: Int32Array }, logits: Float32Array): ScaledCalibration => ({ n: s.labels.length, ...topLabelSummary(applyTemperature(logits, k, temperature), s.labels, k, N_BINS) });
  const before = known.before ?? calibrate(evalSub.probs, evalSub.labels, k).metrics;
  const after = scaled(evalSub, same ? fitLogits : logProbs(evalSub.probs));
  return {
    fitSplit: fit.split,
    evalSplit,
    temperature,
    before,
    after,
    fitBefore: same ? before : (known.fitBefore ?? calibrate(fitSub.probs, fitSub.labels, k).metrics),
    fitAfter: same ? after : scaled(fitSub, fitLogits),
  };
}

/** Metrics the caller already has (calibrate is deterministic, so reusing them changes nothing). */
export interface Known {
  /** calibrate() of the headline records. */
  before?: SplitCalibration;
  /** calibrate() of the fit split's records. */
  fitBefore?: SplitCalibration;
}

/** Same records in the same order. */
export function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let r = 0; r < a.length; r++) if (a[r] !== b[r]) return false;
  return true;
}

export interface Intervals {
  accuracy: BootstrapResult;
  macroF1: BootstrapResult;
  ece: BootstrapResult;
  /** Hash groups resampled (grouped bootstrap, above GROUPED_ABOVE records); null: records resampled. */
  groups: number | null;
}

/**
 * The bootstrap intervals of `sub`: record-level up to GROUPED_ABOVE records (exact, as before),
 * grouped beyond (stats/bootstrap's groupedBootstrap; groups by the records' dataset indices).
 */
export function bootstrapIntervals(sub: Subset, k: number, seed: number, resamples: number): Intervals {
  if (usesGroups(sub.rows.length)) return { ...groupedIntervals(sub, k, seed, resamples), groups: GROUPS };
  return { ...recordIntervals(sub, k, seed, resamples), groups: null };
}

/**
 * Percentile bootstrap over the records of `sub`. The three statistics share one seed, hence the
 * very same resamples, so their intervals describe one set of re-drawn evaluation sets. They are
 * computed together per resample (stats/bootstrap's bootstrapVector) and equal accuracy,
 * macroF1(confusionMatrix) and ece(equalWidthBins) of the drawn records: integer counts
 * (confusion cells, records and hits per bin) in any order, the one floating-point sum
 * (confidence per bin) in draw order, as ece(equalWidthBins) adds it.
 */
export function recordIntervals(sub: Subset, k: number, seed: number, resamples: number): Omit<Intervals, 'groups'> {
  const n = sub.rows.length;
  const bin = widthBinOf(sub.conf, N_BINS);
  const conf = sub.conf;
  const slots = (k * k + 1) * 16;
  // The tables cost about 3·slots per resample (clear both, read both), counting per class about
  // 4·n (ClassCounts and the bin keys): tables while they are small or no bigger than the records.
  const packed = slots <= Math.max(1 << 14, 2 * n);
  const counts = new Float64Array(packed ? k * k : 0);
  const count = new Float64Array(N_BINS);
  const sumCorrect = new Float64Array(N_BINS);
  const sumConf = new Float64Array(N_BINS);
  // Per record one code, cell · 16 + bin (bin 15 = NaN confidence, cell k² = no cell), counted
  // into two alternating tables: consecutive draws rarely update the same counter, so the loop
  // does not wait on its own stores. The per-bin confidence sums keep the draw order.
  const code = new Int32Array(packed ? n : 0);
  if (packed) {
    const cells = confusionCells(sub.labels, sub.preds, k);
    for (let r = 0; r < n; r++) code[r] = (cells[r] < 0 ? k * k : cells[r]) * 16 + (bin[r] < 0 ? 15 : bin[r]);
  }
  const even = new Int32Array(packed ? slots : 0);
  const odd = new Int32Array(packed ? slots : 0);
  // Too many classes for the tables: count per class and per bin from the draw multiplicities
  // instead (stats/bootstrap ClassCounts, KeyGroups): the same integer counts.
  const byClass = packed ? null : new ClassCounts(sub.labels, sub.preds, k);
  const byBinHit = packed ? null : new KeyGroups(Int32Array.from(bin, (b, r) => (b < 0 ? -1 : 2 * b + (sub.preds[r] === sub.labels[r] ? 1 : 0))), 2 * N_BINS);
  const binCounts = new Float64Array(2 * N_BINS);
  const fromTables = () => {
    counts.fill(0);
    count.fill(0);
    sumCorrect.fill(0);
    for (let cell = 0; cell < k * k; cell++) {
      const right = cell % (k + 1) === 0; // label = pred: on the diagonal
      for (let b = 0; b < 16; b++) {
        const c = even[cell * 16 + b] + odd[cell * 16 + b];
        counts[cell] += c;
        if (b === 15) continue; // NaN confidence: in the confusion counts, in no bin
        count[b] += c;
        if (right) sumCorrect[b] += c;
      }
    }
    // Records without a cell (label or prediction outside 0..k−1) still sit in a confidence bin.
    for (let b = 0; b < N_BINS; b++) count[b] += even[k * k * 16 + b] + odd[k * k * 16 + b];
  };
  const [acc, f1, e] = bootstrapVector(
    n,
    3,
    (idx, out, mult) => {
      sumConf.fill(0);
      if (packed) {
        even.fill(0);
        odd.fill(0);
        const pairs = idx.length & ~1;
        let r = 0;
        for (; r < pairs; r += 2) {
          const i = idx[r];
          const j = idx[r + 1];
          const ci = code[i];
          const cj = code[j];
          even[ci]++;
          odd[cj]++;
          if ((ci & 15) !== 15) sumConf[ci & 15] += conf[i];
          if ((cj & 15) !== 15) sumConf[cj & 15] += conf[j];
        }
        for (; r < idx.length; r++) {
          const i = idx[r];
          even[code[i]]++;
          if ((code[i] & 15) !== 15) sumConf[code[i] & 15] += conf[i];
        }
        fromTables();
      } else {
        for (let r = 0; r < idx.length; r++) {
          const i = idx[r];
          if (bin[i] >= 0) sumConf[bin[i]] += conf[i];
        }
        byBinHit!.sum(mult, binCounts);
        for (let m = 0; m < N_BINS; m++) {
          count[m] = binCounts[2 * m] + binCounts[2 * m + 1];
          sumCorrect[m] = binCounts[2 * m + 1];
        }
        out[0] = byClass!.sum(mult) / idx.length;
        out[1] = byClass!.macroF1();
        out[2] = eceOfSums(count, sumCorrect, sumConf);
        return;
      }
      let hits = 0;
      for (let c = 0; c < k; c++) hits += counts[c * k + c];
      out[0] = hits / idx.length;
      out[1] = macroF1OfCounts(counts, k);
      out[2] = eceOfSums(count, sumCorrect, sumConf);
    },
    { seed, resamples, level: LEVEL, multiplicities: !packed },
  );
  return { accuracy: acc, macroF1: f1, ece: e };
}

/**
 * Grouped bootstrap of the same three statistics: per hash group of records (by dataset index) the
 * sufficient sums — per class true positives and support (interleaved, so they pack together) and
 * predictions of the confusion matrix, per equal-width bin records and hits, the record count, and
 * per bin the confidence sum — and per resample the statistics of the summed groups. The
 * estimates equal recordIntervals' (the totals are added in record order).
 */
export function groupedIntervals(sub: Subset, k: number, seed: number, resamples: number, groups = GROUPS): Omit<Intervals, 'groups'> {
  const n = sub.rows.length;
  const bin = widthBinOf(sub.conf, N_BINS);
  // Slots: counts first (tp/support per class, predictions per class, records/hits per bin, records), then confidence sums.
  const PREDICTED = 2 * k;
  const BINS = 3 * k;
  const RECORDS = BINS + 2 * N_BINS;
  const CONF = RECORDS + 1; // the float slots: confidence sum per bin
  const PER = 6;
  const slots = new Int32Array(n * PER).fill(-1);
  const confBin = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const e = r * PER;
    const t = sub.labels[r];
    const p = sub.preds[r];
    const cell = t >= 0 && t < k && p >= 0 && p < k; // as confusionCells: out-of-range pairs have no cell
    const right = cell && t === p;
    slots[e] = RECORDS;
    if (cell) {
      if (right) slots[e + 1] = 2 * t;
      slots[e + 2] = 2 * t + 1;
      slots[e + 3] = PREDICTED + p;
    }
    const b = bin[r];
    confBin[r] = b;
    if (b >= 0) {
      slots[e + 4] = BINS + 2 * b;
      if (right) slots[e + 5] = BINS + 2 * b + 1;
    }
  }
  const sums = new GroupSums(groups, CONF, N_BINS, hashGroups(sub.rows, groups, seed), slots, [{ slot: confBin, value: sub.conf }]);
  const tp = new Float64Array(k);
  const support = new Float64Array(k);
  const count = new Float64Array(N_BINS);
  const sumCorrect = new Float64Array(N_BINS);
  const [acc, f1, e] = groupedBootstrap(
    sums,
    3,
    (totals, out) => {
      let hits = 0;
      for (let c = 0; c < k; c++) {
        tp[c] = totals[2 * c];
        support[c] = totals[2 * c + 1];
        hits += tp[c];
      }
      for (let m = 0; m < N_BINS; m++) {
        count[m] = totals[BINS + 2 * m];
        sumCorrect[m] = totals[BINS + 2 * m + 1];
      }
      out[0] = hits / totals[RECORDS];
      out[1] = macroF1OfClassCounts(tp, support, totals.subarray(PREDICTED, PREDICTED + k), k);
      out[2] = eceOfSums(count, sumCorrect, totals.subarray(CONF, CONF + N_BINS));
    },
    { seed, resamples, level: LEVEL },
  );
  return { accuracy: acc, macroF1: f1, ece: e };
}

/**
 * Bin of each confidence among `nBins` equal-width bins, exactly as stats/calibration's
 * equalWidthBins assigns it (first edge m/B ≥ c by binary search; beyond the edges → last bin);
 * −1 for NaN (skipped).
 */
export function widthBinOf(conf: ArrayLike<number>, nBins: number): Int16Array {
  const edges = Float64Array.from({ length: nBins + 1 }, (_, m) => m / nBins);
  const out = new Int16Array(conf.length);
  for (let i = 0; i < conf.length; i++) {
    const c = conf[i];
    if (Number.isNaN(c)) {
      out[i] = -1;
      continue;
    }
    let lo = 0;
    let hi = nBins - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c <= edges[mid + 1]) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}

/** ece() of equal-width bins given their counts and sums (the bins' accuracy and confidence are sum / count). */
function eceOfSums(count: Float64Array, sumCorrect: Float64Array, sumConf: Float64Array): number {
  const nBins = count.length;
  const bins: CalibrationBin[] = [];
  for (let m = 0; m < nBins; m++) {
    const c = count[m];
    bins.push({ lo: m / nBins, hi: (m + 1) / nBins, count: c, accuracy: c > 0 ? sumCorrect[m] / c : NaN, confidence: c > 0 ? sumConf[m] / c : NaN });
  }
  return ece(bins);
}

/** The report's description of the bootstrap actually run on `n` records. */
function bootstrapNote(n: number, resamples: number, seed: number, groups: number | null): string {
  const quantiles = 'the interval runs from the 2.5th to the 97.5th percentile of the resampled values (numpy "linear" quantiles).';
  if (groups === null) return `Percentile bootstrap: ${int(resamples)} sets of ${int(n)} records drawn with replacement (mulberry32, seed ${seed}); ${quantiles}`;
  return (
    `Grouped percentile bootstrap (more than ${int(GROUPED_ABOVE)} records): each record is assigned to one of ${int(groups)} groups by a seeded hash of its row in the dataset, and each of the ${int(resamples)} resamples draws ${int(groups)} groups with replacement (mulberry32, seed ${seed}); ` +
    `a resample's metrics come from the summed counts of its groups (confusion matrix; records, hits and confidence per bin). Resampling randomly assigned groups estimates the same interval as resampling records, with about ${pct(1 / Math.sqrt(2 * groups), 1)} extra noise in its width; ${quantiles}`
  );
}

/** Wrong predictions with confidence ≥ threshold, most confident first (ties: dataset order). */
export function confidentlyWrong(sub: Subset, threshold: number): number[] {
  const out: number[] = [];
  sub.rows.forEach((_, r) => sub.preds[r] !== sub.labels[r] && sub.conf[r] >= threshold && out.push(r));
  return out.sort((a, b) => sub.conf[b] - sub.conf[a] || a - b);
}

/** Counts of top-label confidence in the reliability grid, separately for right and wrong. */
export function confidenceHistogram(sub: Subset): { lo: number; hi: number; count: number; series: string }[] {
  const bin = widthBinOf(sub.conf, N_BINS);
  const right = new Float64Array(N_BINS);
  const wrong = new Float64Array(N_BINS);
  for (let r = 0; r < bin.length; r++) {
    if (bin[r] < 0) continue;
    if (sub.preds[r] === sub.labels[r]) right[bin[r]]++;
    else wrong[bin[r]]++;
  }
  const part = (counts: Float64Array, series: string) => Array.from(counts, (count, m) => ({ lo: m / N_BINS, hi: (m + 1) / N_BINS, count, series }));
  return [...part(right, 'correct'), ...part(wrong, 'wrong')];
}

function binTable(bins: CalibrationBin[], n: number, caption: string, note: string): Block {
  return {
    type: 'table',
    caption,
    columns: [
      { label: 'bin', format: 'int' },
      { label: 'from', format: 'fixed4' },
      { label: 'to', format: 'fixed4' },
      { label: 'records', format: 'int' },
      { label: 'accuracy', format: 'fixed4' },
      { label: 'mean confidence', format: 'fixed4' },
      { label: '|gap|', format: 'fixed4' },
      { label: 'ECE share', format: 'fixed4', hint: 'records / n · |gap|; the column sums to the ECE' },
    ],
    rows: bins.map((b, m) => {
      const gap = b.count ? Math.abs(b.accuracy - b.confidence) : NaN;
      return [m + 1, b.lo, b.hi, b.count, b.accuracy, b.confidence, gap, b.count ? (b.count / n) * gap : 0];
    }),
    note,
  };
}

export const calibration: Analysis = {
  id: 'calibration',
  summaryKeys: ['calibration', 'intervals'],
  title: 'Confidence calibration',
  description:
    'Whether the final checkpoint\u2019s confidence can be taken at face value: reliability diagrams, ECE, MCE, adaptive and class-wise ECE, Brier and NLL per split, the confidently wrong records, temperature scaling fitted on the validation split, and bootstrap intervals for the headline numbers.',
  notApplicable: (ctx) => (ctx.final.rows.length === 0 ? `no scored, labelled records in split "${ctx.final.split}"` : null),
  // After the logistic-regression baseline: baselines has its own bootstrap to run once that
  // returns, while calibration only builds its blocks.
  startRank: 1,
  start(ctx) {
    // The clone: the final probabilities and the headline split's. Beyond the budget run computes it all.
    const copyBytes = (ctx.run.n + ctx.final.rows.length) * ctx.run.k * Float32Array.BYTES_PER_ELEMENT;
    if (!threadsAllowed(ctx.config) || copyBytes > THREAD_COPY_BYTES) return;
    const job = calibrationJob(ctx);
    const numbers = calibrationOnThread(job);
    numbers.catch(() => {}); // awaited by run; until then a failure is not unhandled
    started.set(ctx, { job, numbers });
  },
  run(ctx) {
    const pending = started.get(ctx);
    started.delete(ctx);
    if (pending) return pending.numbers.then((numbers) => section(ctx, pending.job.sub, numbers));
    const job = calibrationJob(ctx);
    return section(ctx, job.sub, calibrationNumbers(job));
  },
};

/** What calibration's numbers are computed from: arrays only, so the work can go to a worker thread. */
export interface CalibrationJob {
  k: number;
  /** The final checkpoint's n·k probabilities and the dataset's labels, read through each split's rows. */
  probs: Float32Array;
  labels: Int32Array;
  /** The headline split's records, gathered (common.ts subset), and the split's name. */
  sub: Subset;
  split: string;
  /** Scored, labelled records per split (dataset order; empty splits included). */
  splits: [string, Int32Array][];
  /** The split temperature scaling is fitted on (validationSplit), or null. */
  fitSplit: string | null;
  seed: number;
  resamples: number;
}

/** The section's numbers but the confidently wrong records. */
export interface CalibrationNumbers {
  head: { summary: CalibrationSummary; metrics: SplitCalibration };
  perSplit: Record<string, SplitCalibration>;
  temp: TemperatureResult | null;
  iv: Intervals;
}

export function calibrationJob(ctx: AnalysisContext): CalibrationJob {
  const { run, dataset, final } = ctx;
  const splits = dataset.splitNames.map((s): [string, Int32Array] => [s, rowsOf(run, dataset, s)]); // memoised in common.ts
  return {
    k: run.k,
    probs: fullProbs(run.scores[final.checkpoint], 'calibration'),
    labels: dataset.labels,
    sub: subset(run, dataset, final.checkpoint, final.rows),
    split: final.split,
    splits,
    fitSplit: validationSplit(ctx, (s) => splits.find(([name]) => name === s)![1]),
    seed: ctx.seed,
    resamples: ctx.config.analysis.bootstrapResamples,
  };
}

/**
 * The calibration numbers of `job`: a function of its arrays alone, so the worker thread computes
 * exactly what the main thread would (structured cloning keeps every float, NaN included).
 */
export function calibrationNumbers(job: CalibrationJob): CalibrationNumbers {
  const { k, sub } = job;
  const head = calibrate(sub.probs, sub.labels, k);
  // Per-split numbers read the run's arrays through each split's records (no copies).
  const perSplit: Record<string, SplitCalibration> = {};
  for (const [s, rows] of job.splits) {
    if (rows.length === 0) continue;
    perSplit[s] = sameRows(rows, sub.rows) ? head.metrics : calibrate(job.probs, job.labels, k, rows).metrics;
  }
  const fit = job.fitSplit === null ? null : { split: job.fitSplit, rows: job.splits.find(([s]) => s === job.fitSplit)![1] };
  const temp = fit && temperatureScaling(job.probs, job.labels, k, fit, sub, job.split, { before: head.metrics, fitBefore: perSplit[fit.split] });
  return { head, perSplit, temp, iv: bootstrapIntervals(sub, k, job.seed, job.resamples) };
}

/**
 * calibrationNumbers on the worker thread (src/thread.ts), started before the other analyses run:
 * at a million records its ~1.2 s of passes over every split, temperature fit and bootstrap leave
 * the main thread. The job is cloned (the final probabilities: 4·n·k bytes, at most THREAD_COPY_BYTES with
 * the headline split's). If the thread fails, the main thread computes the same numbers.
 */
async function calibrationOnThread(job: CalibrationJob): Promise<CalibrationNumbers> {
  try {
    return await callOnThread<CalibrationNumbers>(import.meta.url, 'calibrationNumbers', [job]);
  } catch {
    return calibrationNumbers(job);
  }
}

/** Jobs started by `start`, per audit, until `run` collects them. */
const started = new WeakMap<AnalysisContext, { job: CalibrationJob; numbers: Promise<CalibrationNumbers> }>();

function section(ctx: AnalysisContext, sub: Subset, { head, perSplit, temp, iv }: CalibrationNumbers): AnalysisOutput {
  const { run, dataset, final, config } = ctx;
  const k = run.k;
  const split = final.split;
  const n = sub.rows.length;
  const hm = head.metrics;
  const resamples = config.analysis.bootstrapResamples;
  const threshold = config.analysis.confidentlyWrong;
  const wrong = confidentlyWrong(sub, threshold);
  const shown = wrong.slice(0, config.analysis.topK);
  const meanConf = sub.conf.reduce((s, c) => s + c, 0) / n;
  const direction = meanConf > hm.accuracy ? 'over-confident' : meanConf < hm.accuracy ? 'under-confident' : 'exactly as confident as accurate';

  const headline =
    `ECE on ${split} is ${fix(hm.ece, 4)} (95 % CI ${fix(iv.ece.lo, 4)}–${fix(iv.ece.hi, 4)}): on average the model is ${direction}, with mean confidence ${pct(meanConf)} against accuracy ${pct(hm.accuracy)}.` +
    (temp ? ` Temperature scaling (T = ${fix(temp.temperature)}, fitted on ${temp.fitSplit}) moves NLL from ${fix(temp.before.nll, 4)} to ${fix(temp.after.nll, 4)}.` : '');

  const warnings: string[] = [];
  if (temp && (temp.temperature <= T_RANGE[0] * 1.001 || temp.temperature >= T_RANGE[1] * 0.999)) {
    warnings.push(`temperature T = ${fix(temp.temperature)} sits at the end of the search range [${T_RANGE.join(', ')}]: NLL on ${temp.fitSplit} keeps falling (e.g. every record already right), so T is not a meaningful calibration`);
  }
  if (wrong.length) warnings.push(`${int(wrong.length)} record(s) in ${split} are wrong with confidence ≥ ${threshold}`);

  const blocks: Block[] = [
    {
      type: 'metrics',
      items: [
        { label: `ECE (${split})`, value: fix(hm.ece, 4), hint: '15 equal-width bins (a, b] of top-label confidence, weighted by bin size' },
        { label: 'MCE', value: fix(hm.mce, 4), hint: 'largest |accuracy − confidence| over non-empty equal-width bins' },
        { label: 'adaptive ECE', value: fix(hm.adaptiveEce, 4), hint: '15 equal-mass bins' },
        { label: 'class-wise ECE', value: fix(hm.classwiseEce, 4), hint: 'mean over classes of the ECE of p_c against 1[label = c]' },
        { label: 'Brier', value: fix(hm.brier, 4), hint: 'mean Σ_k (onehot_k − p_k)², range 0..2' },
        { label: 'NLL', value: fix(hm.nll, 4), hint: 'mean −ln max(p_label, 1e-12)' },
        ...(temp ? [{ label: 'temperature T', value: fix(temp.temperature), hint: `fitted on ${temp.fitSplit} by minimising NLL` }] : []),
      ],
    },
    {
      type: 'table',
      caption: `Calibration per split (checkpoint ${run.checkpoints[final.checkpoint].id})`,
      columns: [
        { label: 'split' },
        { label: 'records', format: 'int' },
        { label: 'accuracy', format: 'fixed4' },
        { label: 'ECE', format: 'fixed4' },
        { label: 'MCE', format: 'fixed4' },
        { label: 'adaptive ECE', format: 'fixed4' },
        { label: 'class-wise ECE', format: 'fixed4' },
        { label: 'Brier', format: 'fixed4' },
        { label: 'NLL', format: 'fixed4' },
      ],
      rows: Object.entries(perSplit).map(([s, m]) => [s, m.n, m.accuracy, m.ece, m.mce, m.adaptiveEce, m.classwiseEce, m.brier, m.nll]),
    },
    {
      type: 'grid',
      blocks: [
        {
          type: 'chart',
          chart: { kind: 'reliability', bins: head.summary.bins, title: 'equal-width bins' },
          caption: `Reliability on ${split}, 15 equal-width bins (a, b]: bar height is accuracy, the red tick mean confidence, the diagonal perfect calibration.`,
          alt: 'Reliability diagram with equal-width confidence bins.',
        },
        {
          type: 'chart',
          chart: { kind: 'reliability', bins: head.summary.adaptiveBins, title: 'equal-mass bins' },
          caption: `Reliability on ${split}, 15 equal-mass bins (about ${int(n / N_BINS)} records each).`,
          alt: 'Reliability diagram with equal-mass confidence bins.',
        },
      ],
    },
    binTable(head.summary.bins, n, `Equal-width bins on ${split}`, 'Bin m covers (from, to]; the first bin also takes confidence 0. Empty bins are skipped by ECE and MCE.'),
    binTable(head.summary.adaptiveBins, n, `Equal-mass bins on ${split}`, 'Records sorted by confidence (ties by dataset order) and cut into 15 groups whose sizes differ by at most one; from/to are the group\u2019s smallest and largest confidence.'),
    {
      type: 'chart',
      chart: { kind: 'histogram', bins: confidenceHistogram(sub), xLabel: 'top-label confidence', yLabel: 'records' },
      caption: `Confidence of correct and wrong predictions on ${split} (same 15 bins). Wrong predictions piled up near 1 are confidently wrong.`,
      alt: 'Overlaid histograms of confidence for correct and wrong predictions.',
    },
    shown.length
      ? {
          type: 'table',
          caption: `Confidently wrong records on ${split}: ${int(wrong.length)} with confidence ≥ ${threshold}${wrong.length > shown.length ? `, the ${shown.length} most confident shown` : ''}`,
          columns: [
            { label: 'rank', format: 'int' },
            { label: 'record' },
            { label: 'id' },
            { label: 'label' },
            { label: 'predicted' },
            { label: 'confidence', format: 'fixed4' },
            { label: 'p(label)', format: 'sci' },
            { label: 'loss', format: 'fixed3' },
          ],
          rows: shown.map((r, rank): Cell[] => {
            const i = sub.rows[r];
            return [rank + 1, { preview: ctx.preview(i) }, dataset.ids[i], run.classes[sub.labels[r]], run.classes[sub.preds[r]], sub.conf[r], sub.probs[r * k + sub.labels[r]], sub.loss[r]];
          }),
        }
      : { type: 'text', text: `No wrong prediction on ${split} has confidence ≥ ${threshold}.`, tone: 'good' },
  ];

  if (temp) {
    const rows = [[`${temp.evalSplit} (headline)`, temp.before, temp.after]] as [string, SplitCalibration, ScaledCalibration][];
    if (temp.fitSplit !== temp.evalSplit) rows.push([`${temp.fitSplit} (fit)`, temp.fitBefore, temp.fitAfter]);
    blocks.push({
      type: 'table',
      caption: `Temperature scaling: T = ${fix(temp.temperature, 4)} fitted on ${temp.fitSplit}`,
      columns: [
        { label: 'split' },
        { label: 'NLL before', format: 'fixed4' },
        { label: 'NLL after', format: 'fixed4' },
        { label: 'ECE before', format: 'fixed4' },
        { label: 'ECE after', format: 'fixed4' },
        { label: 'accuracy before', format: 'fixed4' },
        { label: 'accuracy after', format: 'fixed4' },
      ],
      rows: rows.map(([s, b, a]) => [s, b.nll, a.nll, b.ece, a.ece, b.accuracy, a.accuracy]),
      note:
        `p′ = softmax(ln max(p, 1e-12) / T). T > 1 softens over-confident predictions, T < 1 sharpens under-confident ones; the predicted class and hence accuracy cannot change.` +
        (temp.fitSplit === temp.evalSplit ? ` T was fitted on the headline split itself, so the "after" numbers are in-sample (optimistic).` : ''),
    });
  } else {
    blocks.push({ type: 'text', text: `Temperature scaling not fitted: no validation split (one of ${VALIDATION_SPLITS.join(', ')}) with scored, labelled records.` });
  }

  blocks.push({
    type: 'table',
    caption: `95 % bootstrap intervals on ${split} (${int(resamples)} resamples${iv.groups === null ? '' : ` of ${int(iv.groups)} record groups`}, seed ${ctx.seed})`,
    columns: [{ label: 'metric' }, { label: 'estimate', format: 'fixed4' }, { label: 'lower', format: 'fixed4' }, { label: 'upper', format: 'fixed4' }],
    rows: [
      ['accuracy', iv.accuracy.estimate, iv.accuracy.lo, iv.accuracy.hi],
      ['macro-F1', iv.macroF1.estimate, iv.macroF1.lo, iv.macroF1.hi],
      ['ECE', iv.ece.estimate, iv.ece.lo, iv.ece.hi],
    ],
    note: bootstrapNote(n, resamples, ctx.seed, iv.groups),
  });

  const interval = (r: BootstrapResult) => ({ estimate: r.estimate, lo: r.lo, hi: r.hi });
  return {
    headline,
    blocks,
    warnings,
    summary: {
      calibration: {
        bins: N_BINS,
        split,
        perSplit,
        fitSplit: temp?.fitSplit ?? null,
        temperature: temp?.temperature ?? null,
        nllBefore: temp?.before.nll ?? null,
        nllAfter: temp?.after.nll ?? null,
        eceBefore: temp?.before.ece ?? null,
        eceAfter: temp?.after.ece ?? null,
        accuracyBefore: temp?.before.accuracy ?? null,
        accuracyAfter: temp?.after.accuracy ?? null,
        confidentlyWrong: { threshold, count: wrong.length },
        reliability: { equalWidth: head.summary.bins, equalMass: head.summary.adaptiveBins },
      },
      intervals: {
        split,
        level: LEVEL,
        accuracy: interval(iv.accuracy),
        macroF1: interval(iv.macroF1),
        ece: interval(iv.ece),
        resamples,
        seed: ctx.seed,
        // Only on the grouped bootstrap, so small runs keep their summary unchanged.
        ...(iv.groups === null ? {} : { groups: iv.groups }),
      },
    },
  };
}
