/**
 * The model − baseline gap on accuracy, macro-F1 and NLL, with paired percentile-bootstrap
 * intervals: each resample draws the same records for the model and the baseline, so the interval
 * is on the difference itself. One seed for every baseline keeps the comparisons paired too — and
 * lets every baseline's three intervals share one set of draws (stats/bootstrap's bootstrapMany).
 */
import { bootstrapVector, confusionCells, KeyGroups, macroF1OfCounts, type BootstrapResult } from '../../stats/bootstrap.ts';
import { confusionMatrix, macroF1 } from '../../stats/classification.ts';

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
  const l = new Int32Array(n);
  const p = new Int32Array(n);
  let hit = 0;
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const i = idx ? idx[r] : r;
    l[r] = labels[i];
    p[r] = s.pred[i];
    if (p[r] === l[r]) hit++;
    loss += s.loss[i];
  }
  return { accuracy: n ? hit / n : NaN, macroF1: n ? macroF1(confusionMatrix(l, p, k)) : NaN, nll: n ? loss / n : NaN };
}

/** Resamples scaled so a large split stays a few seconds: 1 000 up to 20 000 records, ≥ 200. */
export function resamplesFor(n: number): number {
  return Math.max(200, Math.min(1000, Math.floor(2e7 / Math.max(n, 1))));
}

/**
 * The gap of the model against each baseline, all on one set of resamples (the model and every
 * baseline see the same draws). Per resample, the confusion counts (accuracy is their diagonal) of
 * each come from draw multiplicities summed per confusion cell (stats/bootstrap's KeyGroups); the
 * losses, a floating-point sum, are added in draw order, as separate bootstraps would add them.
 */
export function gapsOf(model: Scored, bases: readonly Scored[], labels: Int32Array, k: number, seed: number): Gap[] {
  const n = labels.length;
  const all = [model, ...bases];
  const w = all.length;
  const groups = all.map((s) => new KeyGroups(confusionCells(labels, s.pred, k), k * k));
  // Interleaved per record, so the draw-order loss sums touch one place per draw.
  const loss = new Float32Array(n * w);
  all.forEach((s, j) => {
    for (let r = 0; r < n; r++) loss[r * w + j] = s.loss[r];
  });
  const counts = new Float64Array(k * k);
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

export function gapOf(model: Scored, base: Scored, labels: Int32Array, k: number, seed: number): Gap {
  return gapsOf(model, [base], labels, k, seed)[0];
}
