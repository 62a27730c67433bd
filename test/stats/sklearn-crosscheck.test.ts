/**
 * Agreement with numpy / sklearn / scipy on seeded fixtures written by
 * scripts/gen-stats-fixtures.py (regenerate with /usr/bin/python3). Inputs are float32-exact, so
 * every difference here is arithmetic, and must stay below 1e-9 (relative for tiny values).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  benjaminiHochberg,
  binomialTestGreater,
  brier,
  calibrationSummary,
  confusionMatrix,
  equalWidthBins,
  fisherExact2x2,
  fitTemperature,
  temperatureNll,
  histogram,
  holm,
  macroF1,
  mad,
  margin,
  median,
  nll,
  perClassMetrics,
  quantiles,
  robustZ,
  sampleLoss,
  topLabel,
  weightedF1,
  type CalibrationBin,
} from '../../src/stats/index.ts';

const TOL = 1e-9;
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/stats/crosscheck-${name}.json`, import.meta.url), 'utf8'));

/** |a − b| ≤ 1e-9 · max(1, |b|); null in a fixture stands for NaN. */
function close(actual: number, expected: number | null, tol = TOL): void {
  if (expected === null) {
    expect(actual).toBeNaN();
    return;
  }
  const err = Math.abs(actual - expected);
  if (!(err <= tol * Math.max(1, Math.abs(expected)))) {
    expect.fail(`expected ${expected}, got ${actual} (error ${err})`);
  }
}

/** Relative closeness, for p-values far below 1e-9. */
function closeRel(actual: number, expected: number, tol = TOL): void {
  close(actual, expected);
  if (expected !== 0) expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(tol);
}

function sameBins(actual: CalibrationBin[], expected: Array<Record<string, number | null>>): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((b, m) => {
    const e = expected[m]!;
    expect(b.count).toBe(e.count);
    close(b.lo, e.lo!);
    close(b.hi, e.hi!);
    close(b.accuracy, e.accuracy ?? null);
    close(b.confidence, e.confidence ?? null);
  });
}

for (const name of ['multiclass', 'binary']) {
  describe(`${name} fixture vs sklearn/numpy`, () => {
    const fx = load(name);
    const { k } = fx;
    const probs = Float32Array.from(fx.probs as number[]);
    const labels = Int32Array.from(fx.labels as number[]);
    const ex = fx.expected;
    const { pred, conf } = topLabel(probs, k);

    it('argmax (ties → lowest), accuracy, confusion matrix', () => {
      expect(Array.from(pred)).toEqual(ex.pred);
      close(accuracy(labels, pred), ex.accuracy);
      expect(confusionMatrix(labels, pred, k)).toEqual(ex.confusion);
      ex.confHead.forEach((c: number, i: number) => expect(conf[i]).toBe(c));
    });

    it('per-class precision/recall/F1/support, macro and weighted F1', () => {
      const m = confusionMatrix(labels, pred, k);
      perClassMetrics(m).forEach((pc, c) => {
        const e = ex.perClass[c];
        close(pc.precision, e.precision);
        close(pc.recall, e.recall);
        close(pc.f1, e.f1);
        expect(pc.support).toBe(e.support);
      });
      close(macroF1(m), ex.macroF1);
      close(weightedF1(m), ex.weightedF1);
    });

    it('nll (1e-12 clamp), brier, per-sample loss and margin', () => {
      close(nll(probs, labels, k), ex.nll);
      close(brier(probs, labels, k), ex.brier);
      const loss = sampleLoss(probs, labels, k);
      ex.lossHead.forEach((l: number, i: number) => expect(Math.abs(loss[i]! - l) / l || 0).toBeLessThan(1e-6));
      const mg = margin(probs, labels, k);
      ex.marginHead.forEach((v: number, i: number) => expect(mg[i]).toBe(Math.fround(v)));
    });

    for (const nb of ['15', '10']) {
      it(`calibration with ${nb} bins: ECE, MCE, adaptive, class-wise, the bins themselves`, () => {
        const e = ex.calibration[nb];
        const s = calibrationSummary(probs, labels, k, Number(nb));
        close(s.ece, e.ece);
        close(s.mce, e.mce);
        close(s.adaptiveEce, e.adaptiveEce);
        close(s.classwiseEce, e.classwiseEce);
        close(s.nll, ex.nll);
        close(s.brier, ex.brier);
        sameBins(s.bins, e.bins);
        sameBins(s.adaptiveBins, e.adaptiveBins);
        const correct = Array.from(pred, (p, i) => p === labels[i]);
        sameBins(equalWidthBins(conf, correct, Number(nb)), e.bins);
      });
    }
  });
}

describe('misc fixture vs scipy/numpy', () => {
  const fx = load('misc');

  it('Fisher exact (scipy.stats.fisher_exact)', () => {
    for (const f of fx.fisher) {
      const [a, b, c, d] = f.table;
      const r = fisherExact2x2(a, b, c, d);
      closeRel(r.pTwoSided, f.pTwoSided);
      closeRel(r.pGreater, f.pGreater);
      if (f.oddsRatio === null) expect(r.oddsRatio).toBeNaN();
      else if (f.oddsRatio === 'Infinity') expect(r.oddsRatio).toBe(Infinity);
      else close(r.oddsRatio, f.oddsRatio);
    }
  });

  it('binomial test greater (scipy.stats.binom.sf)', () => {
    for (const t of fx.binomialGreater) closeRel(binomialTestGreater(t.k, t.n, t.p), t.expected);
  });

  it('Benjamini–Hochberg and Holm (numpy)', () => {
    const { p, bh, holm: h } = fx.multipleTesting;
    benjaminiHochberg(p).forEach((q, i) => close(q, bh[i]));
    holm(p).forEach((q, i) => close(q, h[i]));
  });

  it('quantiles (numpy.quantile, linear)', () => {
    const q = fx.quantiles;
    quantiles(q.values, q.qs).forEach((v, i) => close(v, q.expected[i]));
    quantiles(q.evenValues, q.qs).forEach((v, i) => close(v, q.evenExpected[i]));
  });

  it('median, MAD (scipy.stats.median_abs_deviation), robust z', () => {
    const r = fx.robust;
    close(median(r.values), r.median);
    close(mad(r.values), r.mad);
    robustZ(r.values).forEach((z, i) => close(z, r.z[i]));
  });

  it('histogram (numpy.histogram)', () => {
    const h = fx.histogram;
    const got = histogram(h.values, h.edges);
    expect(got.counts).toEqual(h.counts);
    expect([got.below, got.above, got.nan]).toEqual([h.below, h.above, 0]);
  });

  it('temperature fit (scipy bounded Brent on the same clamped NLL)', () => {
    const t = fx.temperature;
    const fit = fitTemperature(Float32Array.from(t.logits), Int32Array.from(t.labels), t.k);
    expect(Math.abs(fit.temperature / t.temperature - 1)).toBeLessThan(1e-5);
    close(temperatureNll(Float32Array.from(t.logits), Int32Array.from(t.labels), t.k, 1), t.nllBefore);
    close(temperatureNll(Float32Array.from(t.logits), Int32Array.from(t.labels), t.k, fit.temperature), t.nllAfter);
  });
});
