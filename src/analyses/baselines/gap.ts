/**
 * The model − baseline gap on accuracy, macro-F1 and NLL, with paired percentile-bootstrap
 * intervals: each resample draws the same records for the model and the baseline, so the interval
 * is on the difference itself. One seed for every baseline keeps the comparisons paired too.
 */
import { bootstrapCI, type BootstrapResult } from '../../stats/bootstrap.ts';
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

export function gapOf(model: Scored, base: Scored, labels: Int32Array, k: number, seed: number): Gap {
  const n = labels.length;
  const opts = { seed, resamples: resamplesFor(n) };
  const acc = (s: Scored, idx: Int32Array) => {
    let h = 0;
    for (const i of idx) if (s.pred[i] === labels[i]) h++;
    return h / idx.length;
  };
  const nll = (s: Scored, idx: Int32Array) => {
    let t = 0;
    for (const i of idx) t += s.loss[i];
    return t / idx.length;
  };
  const f1 = (s: Scored, idx: Int32Array) => metricsOf(s, labels, k, idx).macroF1;
  return {
    accuracy: bootstrapCI(n, (idx) => acc(model, idx) - acc(base, idx), opts),
    macroF1: bootstrapCI(n, (idx) => f1(model, idx) - f1(base, idx), opts),
    nll: bootstrapCI(n, (idx) => nll(model, idx) - nll(base, idx), opts),
  };
}
