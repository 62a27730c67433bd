/**
 * Calibration analysis on hand-computed fixtures (the arithmetic is in the comments), the
 * temperature-scaling guarantee (accuracy unchanged), seeded bootstrap intervals, and agreement
 * with the sklearn/numpy reference values committed in test/fixtures/stats.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bootstrapIntervals, calibration, calibrationJob, calibrationNumbers, confidenceHistogram, confidentlyWrong, groupedIntervals, logProbs, N_BINS, recordIntervals, temperatureScaling, validationSplit, widthBinOf } from '../../src/analyses/calibration.ts';
import { bootstrapCI, GROUPED_ABOVE, GROUPS } from '../../src/stats/bootstrap.ts';
import { confusionMatrix, macroF1 } from '../../src/stats/classification.ts';
import { ece } from '../../src/stats/calibration.ts';
import { headline, rowsOf, subset } from '../../src/analyses/common.ts';
import type { AnalysisOutput, Block } from '../../src/analyses/types.ts';
import { normalizeConfig } from '../../src/config.ts';
import { equalWidthBins } from '../../src/stats/calibration.ts';
import { LOSS_CLAMP, topLabel } from '../../src/stats/losses.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { applyTemperature, fitTemperature } from '../../src/stats/temperature.ts';
import { makeContext, type FakeRunSpec } from '../helpers/calibration-context.ts';
import { callOnThread } from '../../src/thread.ts';

const f = Math.fround;
const run = (spec: FakeRunSpec) => calibration.run(makeContext(spec)) as AnalysisOutput;
const summaryOf = (out: AnalysisOutput) => out.summary as Record<string, any>;
const tables = (out: AnalysisOutput) => out.blocks.filter((b): b is Extract<Block, { type: 'table' }> => b.type === 'table');
const near = (a: number, b: number, tol = 1e-12) => expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol);

/*
 * Binary, four records, all in "val":
 *   r0 label neg, p = [1, 0]       → pred neg, conf 1.0, correct, loss 0
 *   r1 label pos, p = [1, 0]       → pred neg, conf 1.0, WRONG, p(label) = 0 → clamp: loss −ln 1e-12
 *   r2 label pos, p = [.25, .75]   → pred pos, conf .75, correct
 *   r3 label neg, p = [.25, .75]   → pred pos, conf .75, WRONG
 * Equal-width: 0.75 lies in bin 12 (11/15, 12/15]; 1.0 in the last bin (14/15, 1]; 13 bins empty.
 *   bin 12: acc 1/2, conf .75 → gap .25;  bin 15: acc 1/2, conf 1 → gap .5
 *   ECE = 2/4·.25 + 2/4·.5 = .375;  MCE = .5
 * Equal-mass: 4 records < 15 bins → four bins of one record (order r2, r3, r0, r1), 11 empty:
 *   gaps .25, .75, 0, 1 → adaptive ECE = 2/4 = .5
 * Class-wise: class neg: p = 1,1,.25,.25 vs 1,0,0,1 → bins (14/15,1]: gap .5, (3/15,4/15]: gap .25 → .375
 *             class pos: p = 0,0,.75,.75 vs 0,1,1,0 → bins first (takes 0): gap .5, (11/15,12/15]: .25 → .375
 *   class-wise ECE = .375
 * Brier = (0 + 2 + (.0625+.0625) + (.5625+.5625)) / 4 = 3.25/4 = .8125
 * NLL = (0 − ln 1e-12 − ln .75 − ln .25) / 4
 */
const binary: FakeRunSpec = {
  classes: ['neg', 'pos'],
  labels: [0, 1, 1, 0],
  checkpoints: [[[1, 0], [1, 0], [0.25, 0.75], [0.25, 0.75]]],
  seed: 11,
  analysis: { bootstrapResamples: 200 },
};

describe('calibration: hand-computed binary fixture (confidence 1.0, p = 0 clamp, empty bins)', () => {
  const out = run(binary);
  const s = summaryOf(out);
  const val = s.calibration.perSplit.val;

  it('ECE, MCE, adaptive ECE, class-wise ECE, Brier and NLL', () => {
    expect(val.n).toBe(4);
    expect(val.accuracy).toBe(0.5);
    near(val.ece, 0.375);
    near(val.mce, 0.5);
    near(val.adaptiveEce, 0.5);
    near(val.classwiseEce, 0.375);
    near(val.brier, 0.8125);
    near(val.nll, (-Math.log(LOSS_CLAMP) - Math.log(0.75) - Math.log(0.25)) / 4);
    near(-Math.log(LOSS_CLAMP), 27.631021115928547);
  });

  it('puts 1.0 in the last bin, leaves the other bins empty (NaN, skipped) and shows every count', () => {
    const bins = s.calibration.reliability.equalWidth;
    expect(bins.map((b: any) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 2]);
    expect(bins[14]).toEqual({ lo: 14 / 15, hi: 1, count: 2, accuracy: 0.5, confidence: 1 });
    expect(bins[0].accuracy).toBeNaN();
    const table = tables(out).find((t) => t.caption.startsWith('Equal-width bins'))!;
    expect(table.rows.map((r) => r[3])).toEqual(bins.map((b: any) => b.count));
    // The "ECE share" column sums to the ECE, so a reader can check it by hand.
    near(table.rows.reduce((a, r) => a + (r[7] as number), 0), 0.375);
    expect(s.calibration.reliability.equalMass.map((b: any) => b.count)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('agrees with the CONTRACT headline (common.headline → summary final)', () => {
    const ctx = makeContext(binary);
    const h = headline(subset(ctx.run, ctx.dataset, ctx.final.checkpoint, ctx.final.rows), 2);
    for (const key of ['accuracy', 'ece', 'mce', 'brier'] as const) near(val[key], h[key]);
    near(val.nll, h.nll, 1e-6); // headline averages float32 per-sample losses
  });

  it('splits the confidence histogram by correct and wrong on the same bins', () => {
    const ctx = makeContext(binary);
    const hist = confidenceHistogram(subset(ctx.run, ctx.dataset, 0, ctx.final.rows));
    const counts = (series: string) => hist.filter((b) => b.series === series).map((b) => b.count);
    expect(counts('correct')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1]);
    expect(counts('wrong')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1]);
  });

  it('lists confidently wrong records, most confident first, with the configured threshold', () => {
    expect(s.calibration.confidentlyWrong).toEqual({ threshold: 0.9, count: 1 });
    const table = tables(out).find((t) => t.caption.startsWith('Confidently wrong'))!;
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0]).toEqual([1, { preview: { kind: 'fields', fields: [['id', 'r001']] } }, 'r001', 'pos', 'neg', 1, 0, f(-Math.log(LOSS_CLAMP))]);
    const ctx = makeContext(binary);
    expect(confidentlyWrong(subset(ctx.run, ctx.dataset, 0, ctx.final.rows), 0.75)).toEqual([1, 3]);
    const lower = summaryOf(run({ ...binary, analysis: { confidentlyWrong: 0.75 } }));
    expect(lower.calibration.confidentlyWrong.count).toBe(2);
  });
});

/*
 * Three classes, c absent from labels and predictions; every record has p = [.9, .05, .05] (float32),
 * labels a, a, a, b → accuracy 3/4, all confidences f(.9) = 0.89999997… in ONE bin (13/15, 14/15].
 *   ECE = MCE = |3/4 − f(.9)|
 *   adaptive: four one-record bins → (3·(1 − f(.9)) + f(.9)) / 4
 *   class-wise: a: |3/4 − f(.9)|, b: |1/4 − f(.05)|, c (never the label): f(.05) → mean of the three
 */
describe('calibration: all records in one bin, a class absent from labels and predictions', () => {
  const spec: FakeRunSpec = { classes: ['a', 'b', 'c'], labels: [0, 0, 0, 1], checkpoints: [Array.from({ length: 4 }, () => [0.9, 0.05, 0.05])] };
  const s = summaryOf(run(spec));
  const val = s.calibration.perSplit.val;
  const p9 = f(0.9);
  const p05 = f(0.05);

  it('pins every number', () => {
    expect(s.calibration.reliability.equalWidth.map((b: any) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0]);
    near(val.ece, Math.abs(0.75 - p9));
    near(val.mce, Math.abs(0.75 - p9));
    near(val.adaptiveEce, (3 * (1 - p9) + p9) / 4);
    near(val.classwiseEce, (Math.abs(0.75 - p9) + Math.abs(0.25 - p05) + p05) / 3);
    near(val.brier, (3 * ((1 - p9) ** 2 + 2 * p05 ** 2) + (p9 ** 2 + (1 - p05) ** 2 + p05 ** 2)) / 4);
    near(val.nll, (-3 * Math.log(p9) - Math.log(p05)) / 4);
  });
});

describe('calibration: bin-edge convention (a, b]', () => {
  it('a float64 confidence exactly on m/15 falls in the bin ending there; 0 goes to the first bin', () => {
    const bins = equalWidthBins([0.8, 0, 1, 1 / 15], [1, 1, 1, 1], 15);
    expect(bins[11]!.count).toBe(1); // (11/15, 12/15] holds 12/15 = 0.8
    expect(bins[0]!.count).toBe(2); // 0 and 1/15
    expect(bins[14]!.count).toBe(1);
  });

  it('a stored float32 "0.8" is 0.800000011920929 > 0.8, so it lands in (0.8, 0.8667] (as the scores CSV shows it)', () => {
    expect(f(0.8)).toBeGreaterThan(0.8);
    // No interior edge m/15 is a float32 value, so no stored confidence sits exactly on one.
    for (let m = 1; m < 15; m++) expect(f(m / 15)).not.toBe(m / 15);
    const s = summaryOf(run({ classes: ['a', 'b'], labels: [1, 1], checkpoints: [[[0.2, 0.8], [0.2, 0.8]]] }));
    const counts = s.calibration.reliability.equalWidth.map((b: any) => b.count);
    expect(counts[12]).toBe(2);
    expect(counts[11]).toBe(0);
  });
});

/** A seeded, over-confident 4-class run over train/val/test (probabilities = softmax(3·z)). */
function overconfident(seed: number, n = 600, k = 4): FakeRunSpec {
  const rng = mulberry32(seed);
  const labels: number[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const y = Math.floor(rng() * k);
    const z = Array.from({ length: k }, (_, j) => 4 * (rng() - 0.5) + (j === y ? 1.2 : 0));
    const e = z.map((v) => Math.exp(3 * v));
    const sum = e.reduce((a, b) => a + b, 0);
    labels.push(y);
    rows.push(e.map((v) => v / sum));
  }
  return {
    classes: ['w', 'x', 'y', 'z'],
    labels,
    splits: labels.map((_, i) => ['train', 'val', 'test'][i % 3]!),
    checkpoints: [rows],
    finalSplit: 'test',
    seed: 5,
    analysis: { bootstrapResamples: 300 },
  };
}

describe('calibration on the worker thread', () => {
  const spec = overconfident(77);

  it('calibrationNumbers gives the same numbers there as here, bit for bit', async () => {
    const job = calibrationJob(makeContext({ ...spec, labels: spec.labels.map((y, i) => (i === 5 ? 9 : y)) })); // an out-of-range label: skipped alike
    const there = await callOnThread(new URL('../../src/analyses/calibration.ts', import.meta.url).href, 'calibrationNumbers', [job]);
    expect(there).toEqual(calibrationNumbers(job));
    expect(calibrationNumbers(job).temp?.fitSplit).toBe('val');
  });

  it('run collects what start began and returns the section run computes alone', async () => {
    const alone = calibration.run(makeContext(spec)) as AnalysisOutput;
    const ctx = makeContext(spec);
    calibration.start!(ctx);
    const collected = calibration.run(ctx);
    expect(collected).toBeInstanceOf(Promise); // threads allowed here: the numbers came from the worker
    expect(await collected).toEqual(alone);
  });
});

describe('temperature scaling fitted on the validation split', () => {
  const spec = overconfident(2024);
  const ctx = makeContext(spec);
  const test = subset(ctx.run, ctx.dataset, 0, ctx.final.rows);
  const t = temperatureScaling(ctx.run.scores[0].probs!, ctx.dataset.labels, 4, { split: validationSplit(ctx)!, rows: rowsOf(ctx.run, ctx.dataset, 'val') }, test, ctx.final.split);

  it('fits T on "val" (not the headline split) by minimising NLL; T > 1 for an over-confident model', () => {
    expect(validationSplit(ctx)).toBe('val');
    expect(t.fitSplit).toBe('val');
    expect(t.evalSplit).toBe('test');
    expect(t.temperature).toBeGreaterThan(1.5);
    const val = subset(ctx.run, ctx.dataset, 0, rowsOf(ctx.run, ctx.dataset, 'val'));
    expect(t.temperature).toBe(fitTemperature(logProbs(val.probs), val.labels, 4).temperature);
    expect(t.fitAfter.nll).toBeLessThan(t.fitBefore.nll);
    expect(t.after.nll).toBeLessThan(t.before.nll);
    expect(t.after.ece).toBeLessThan(t.before.ece);
  });

  it('leaves accuracy unchanged — every single prediction — on both splits', () => {
    expect(t.after.accuracy).toBe(t.before.accuracy);
    expect(t.fitAfter.accuracy).toBe(t.fitBefore.accuracy);
    const scaled = applyTemperature(logProbs(test.probs), 4, t.temperature);
    expect(Array.from(topLabel(scaled, 4).pred)).toEqual(Array.from(test.preds));
    const s = summaryOf(calibration.run(ctx) as AnalysisOutput).calibration;
    expect(s.accuracyAfter).toBe(s.accuracyBefore);
    expect(s).toMatchObject({ fitSplit: 'val', split: 'test', temperature: t.temperature, nllBefore: t.before.nll, nllAfter: t.after.nll, eceBefore: t.before.ece, eceAfter: t.after.ece });
  });

  it('"before" is the model\u2019s own probabilities: the per-split numbers of the headline split', () => {
    const s = summaryOf(calibration.run(ctx) as AnalysisOutput).calibration;
    expect(s.nllBefore).toBe(s.perSplit.test.nll);
    expect(s.eceBefore).toBe(s.perSplit.test.ece);
    expect(Object.keys(s.perSplit)).toEqual(['train', 'val', 'test']);
  });

  it('is skipped, with a reason, without a validation split', () => {
    const out = run({ ...spec, splits: spec.labels.map(() => 'test') });
    expect(summaryOf(out).calibration.temperature).toBeNull();
    expect(out.blocks.some((b) => b.type === 'text' && /Temperature scaling not fitted: no validation split/.test(b.text))).toBe(true);
  });
});

describe('bootstrap intervals (seeded)', () => {
  const spec = overconfident(99);
  const out = run(spec);
  const s = summaryOf(out);

  it('carries estimate, lo, hi per metric plus the seed and resample count, also in the report', () => {
    const iv = s.intervals;
    expect(iv).toMatchObject({ resamples: 300, seed: 5, level: 0.95, split: 'test' });
    expect(iv.accuracy.estimate).toBe(s.calibration.perSplit.test.accuracy);
    near(iv.ece.estimate, s.calibration.perSplit.test.ece);
    for (const key of ['accuracy', 'macroF1', 'ece']) {
      expect(iv[key].lo).toBeLessThanOrEqual(iv[key].estimate);
      expect(iv[key].hi).toBeGreaterThanOrEqual(iv[key].estimate);
      expect(iv[key].hi).toBeGreaterThan(iv[key].lo);
    }
    const table = tables(out).find((t) => t.caption.startsWith('95 % bootstrap'))!;
    expect(table.caption).toBe('95 % bootstrap intervals on test (300 resamples, seed 5)');
    expect(table.rows.map((r) => r[0])).toEqual(['accuracy', 'macro-F1', 'ECE']);
  });

  it('is reproducible for a seed and moves with it', () => {
    expect(summaryOf(run(spec)).intervals).toEqual(s.intervals);
    const other = summaryOf(run({ ...spec, seed: 6 })).intervals;
    expect(other.accuracy.estimate).toBe(s.intervals.accuracy.estimate);
    expect([other.accuracy.lo, other.accuracy.hi, other.ece.lo]).not.toEqual([s.intervals.accuracy.lo, s.intervals.accuracy.hi, s.intervals.ece.lo]);
  });
});

describe('calibration vs numpy/sklearn reference values (committed fixture)', () => {
  for (const name of ['multiclass', 'binary']) {
    it(`${name}: per-split numbers and both sets of bins match to 1e-9`, () => {
      const fx = JSON.parse(readFileSync(new URL(`../fixtures/stats/crosscheck-${name}.json`, import.meta.url), 'utf8'));
      const k: number = fx.k;
      const rows = Array.from({ length: fx.n }, (_, i) => fx.probs.slice(i * k, (i + 1) * k));
      const s = summaryOf(run({ classes: Array.from({ length: k }, (_, c) => `c${c}`), labels: fx.labels, checkpoints: [rows], analysis: { bootstrapResamples: 20 } }));
      const e = fx.expected.calibration['15'];
      const val = s.calibration.perSplit.val;
      const tol = (a: number, b: number) => near(a, b, 1e-9 * Math.max(1, Math.abs(b)));
      tol(val.accuracy, fx.expected.accuracy);
      tol(val.ece, e.ece);
      tol(val.mce, e.mce);
      tol(val.adaptiveEce, e.adaptiveEce);
      tol(val.classwiseEce, e.classwiseEce);
      tol(val.brier, fx.expected.brier);
      tol(val.nll, fx.expected.nll);
      for (const [got, want] of [[s.calibration.reliability.equalWidth, e.bins], [s.calibration.reliability.equalMass, e.adaptiveBins]]) {
        got.forEach((b: any, m: number) => {
          expect(b.count).toBe(want[m].count);
          if (want[m].count) {
            tol(b.accuracy, want[m].accuracy);
            tol(b.confidence, want[m].confidence);
          }
        });
      }
      tol(s.intervals.macroF1.estimate, fx.expected.macroF1);
    });
  }
});

describe('config keys for the calibration section', () => {
  const minimal = { dataset: { file: 'r.csv' }, inputs: { file: 'x.npy' }, model: { checkpoints: 'c/*/model.json' } };
  it('default to 1000 resamples and a 0.9 confidently-wrong threshold', () => {
    const c = normalizeConfig(minimal, '/r/losslens.config.json');
    expect(c.analysis.bootstrapResamples).toBe(1000);
    expect(c.analysis.confidentlyWrong).toBe(0.9);
  });
  it('name the key when a value is wrong', () => {
    expect(() => normalizeConfig({ ...minimal, analysis: { bootstrapResamples: 0 } }, '/r/c.json')).toThrow('analysis.bootstrapResamples: expected an integer ≥ 1, found 0');
    expect(() => normalizeConfig({ ...minimal, analysis: { confidentlyWrong: 1.5 } }, '/r/c.json')).toThrow('analysis.confidentlyWrong: expected a number between 0 and 1, found 1.5');
  });
});

describe('applicability', () => {
  it('is not applicable without scored, labelled records on the headline split', () => {
    const ctx = makeContext({ classes: ['a', 'b'], labels: [-1, -1], checkpoints: [[[1, 0], [0, 1]]] });
    expect(calibration.notApplicable!(ctx)).toMatch(/no scored, labelled records in split "val"/);
  });
});

describe('bootstrapIntervals (one pass per resample)', () => {
  // The original definition: three bootstraps with the same seed, each statistic on copied arrays.
  const reference = (sub: ReturnType<typeof subset>, k: number, seed: number, resamples: number) => {
    const hit = Uint8Array.from(sub.preds, (p, r) => (p === sub.labels[r] ? 1 : 0));
    const opts = { seed, resamples, level: 0.95 };
    return {
      accuracy: bootstrapCI(sub.rows.length, (idx) => idx.reduce((s, i) => s + hit[i], 0) / idx.length, opts),
      macroF1: bootstrapCI(sub.rows.length, (idx) => macroF1(confusionMatrix(idx.map((i) => sub.labels[i]), idx.map((i) => sub.preds[i]), k)), opts),
      ece: bootstrapCI(sub.rows.length, (idx) => ece(equalWidthBins(Float64Array.from(idx, (i) => sub.conf[i]), Uint8Array.from(idx, (i) => hit[i]), N_BINS)), opts),
    };
  };
  it('equals three separate bootstraps bit for bit, including on-edge and NaN confidences', () => {
    const rng = mulberry32(21);
    const n = 400;
    const k = 4;
    const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * k));
    const preds = Int32Array.from(labels, (l) => (rng() < 0.75 ? l : Math.floor(rng() * k)));
    const conf = Float32Array.from(labels, (_, r) => (r % 37 === 0 ? 10 / 15 : r % 91 === 0 ? NaN : 0.25 + 0.75 * rng()));
    const sub = { rows: Int32Array.from(labels, (_, r) => r), probs: new Float32Array(n * k), labels, preds, conf, loss: new Float32Array(n) };
    expect(bootstrapIntervals(sub, k, 9, 250)).toEqual({ ...reference(sub, k, 9, 250), groups: null });
  });
  it('equals them too with too many classes for the packed tables (counted per group of records)', () => {
    const rng = mulberry32(8);
    const n = 300;
    const k = 600;
    const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * 6));
    const preds = Int32Array.from(labels, (l) => (rng() < 0.6 ? l : Math.floor(rng() * 6)));
    const conf = Float32Array.from(labels, (_, r) => (r % 53 === 0 ? NaN : rng()));
    const sub = { rows: Int32Array.from(labels, (_, r) => r), probs: new Float32Array(0), labels, preds, conf, loss: new Float32Array(n) };
    expect(bootstrapIntervals(sub, k, 4, 20)).toEqual({ ...reference(sub, k, 4, 20), groups: null });
  });
  it('equals them too counting per class when the tables would outnumber the records (40 classes, 1 000 records)', () => {
    const rng = mulberry32(5);
    const n = 1000;
    const k = 40;
    const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * k));
    const preds = Int32Array.from(labels, (l) => (rng() < 0.7 ? l : Math.floor(rng() * k)));
    const conf = Float32Array.from(labels, (_, r) => (r % 61 === 0 ? NaN : r % 29 === 0 ? 4 / 15 : rng()));
    const sub = { rows: Int32Array.from(labels, (_, r) => r), probs: new Float32Array(0), labels, preds, conf, loss: new Float32Array(n) };
    expect(bootstrapIntervals(sub, k, 3, 100)).toEqual({ ...reference(sub, k, 3, 100), groups: null });
  });
  it('widthBinOf puts a confidence where equalWidthBins counts it', () => {
    const conf = [0, 1 / 15, 0.5, 14 / 15, 1, 1.0000001, -0.1, 7 / 15 + 1e-17];
    const bins = widthBinOf(conf, 15);
    const counts = equalWidthBins(conf, new Uint8Array(conf.length), 15).map((b) => b.count);
    const mine = new Array(15).fill(0);
    for (const b of bins) mine[b]++;
    expect(mine).toEqual(counts);
  });
});

/**
 * Past GROUPED_ABOVE records the intervals resample hash groups of records. On 60 000 records
 * both methods are feasible, so the grouped intervals can be checked against the record-level
 * ones and against the binomial standard error of accuracy. Widths vary by ~3 % between seeds
 * (1 000 resamples) plus ~1.6 % from the 2 000 groups: the tolerances are ≥ 3.5 sd.
 */
describe('grouped bootstrap intervals (statistical check at 60 000 records)', () => {
  const n = 60_000;
  const k = 5;
  const rng = mulberry32(17);
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * k));
  const conf = Float32Array.from(labels, () => 0.25 + 0.75 * Math.sqrt(rng()));
  // Right with probability conf − 0.05: over-confident, ECE ≈ 0.05.
  const preds = Int32Array.from(labels, (l, r) => (rng() < conf[r] - 0.05 ? l : (l + 1 + Math.floor(rng() * (k - 1))) % k));
  // Sorted by class, as datasets often are; groups are hashed from these dataset indices.
  const order = Array.from(labels.keys()).sort((a, b) => labels[a] - labels[b] || a - b);
  const sub = {
    rows: Int32Array.from(order, (_, r) => 2 * r + 1),
    probs: new Float32Array(0),
    labels: Int32Array.from(order, (i) => labels[i]),
    preds: Int32Array.from(order, (i) => preds[i]),
    conf: Float32Array.from(order, (i) => conf[i]),
    loss: new Float32Array(n),
  };
  const seeds = [1, 2];
  const records = seeds.map((s) => recordIntervals(sub, k, s, 1000));
  const grouped = seeds.map((s) => groupedIntervals(sub, k, s, 1000));
  const width = (ivs: typeof records, key: 'accuracy' | 'macroF1' | 'ece') => ivs.reduce((w, iv) => w + iv[key].hi - iv[key].lo, 0) / ivs.length;

  it('has the same estimates as the record-level bootstrap, and bootstrapIntervals picks it past 50 000 records', () => {
    for (const key of ['accuracy', 'macroF1', 'ece'] as const) expect(grouped[0][key].estimate).toBe(records[0][key].estimate);
    expect(n).toBeGreaterThan(GROUPED_ABOVE);
    expect(bootstrapIntervals(sub, k, 1, 1000)).toEqual({ ...grouped[0], groups: GROUPS });
  });

  it('interval widths match the record-level bootstrap within 12 % (accuracy, macro-F1, ECE)', () => {
    for (const key of ['accuracy', 'macroF1', 'ece'] as const) {
      const ratio = width(grouped, key) / width(records, key);
      expect(ratio, key).toBeGreaterThan(0.88);
      expect(ratio, key).toBeLessThan(1.12);
    }
  });

  it('the accuracy interval is 2 · 1.96 · √(p(1 − p)/n) wide within 10 %, and centred on the estimate', () => {
    const p = grouped[0].accuracy.estimate;
    const analytic = 2 * 1.96 * Math.sqrt((p * (1 - p)) / n);
    expect(width(grouped, 'accuracy') / analytic).toBeGreaterThan(0.9);
    expect(width(grouped, 'accuracy') / analytic).toBeLessThan(1.1);
    for (const iv of grouped) expect(Math.abs((iv.accuracy.lo + iv.accuracy.hi) / 2 - p)).toBeLessThan(0.25 * analytic);
  });
}, 120_000);

describe('calibration section past 50 000 records', () => {
  const n = GROUPED_ABOVE + 1;
  const rng = mulberry32(3);
  const labels = Array.from({ length: n }, () => (rng() < 0.5 ? 0 : 1));
  const rows = labels.map((y) => {
    const p = 0.5 + 0.5 * rng();
    return y === (rng() < p ? 0 : 1) ? [p, 1 - p] : [1 - p, p];
  });
  const out = run({ classes: ['a', 'b'], labels, checkpoints: [rows], seed: 9, analysis: { bootstrapResamples: 200 } });
  const s = summaryOf(out);

  it('says in the table and the note that record groups were resampled, and records the group count', () => {
    const table = tables(out).find((t) => t.caption.startsWith('95 % bootstrap'))!;
    expect(table.caption).toBe(`95 % bootstrap intervals on val (200 resamples of ${GROUPS.toLocaleString('en-US')} record groups, seed 9)`);
    expect(table.note).toMatch(/^Grouped percentile bootstrap \(more than 50,000 records\): each record is assigned to one of 2,000 groups by a seeded hash of its row in the dataset/);
    expect(s.intervals).toMatchObject({ resamples: 200, seed: 9, groups: GROUPS });
    expect(s.intervals.accuracy.estimate).toBe(s.calibration.perSplit.val.accuracy);
    near(s.intervals.ece.estimate, s.calibration.perSplit.val.ece);
  });

  it('small runs keep the record-level note and no groups key', () => {
    const small = summaryOf(run(overconfident(99)));
    expect(small.intervals.groups).toBeUndefined();
    expect(tables(run(overconfident(99))).find((t) => t.caption.startsWith('95 % bootstrap'))!.note).toMatch(/^Percentile bootstrap: 300 sets of 200 records drawn with replacement/);
  });
});
