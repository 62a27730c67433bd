/**
 * Baselines that ignore the input. Both predict the class prior as their probabilities (so they
 * share one NLL, the cross-entropy of the prior); "majority" predicts the most frequent class,
 * "stratified" draws each prediction from the prior with a seeded generator. The prior is estimated
 * on the training split with add-one smoothing, so a class unseen in training still gets p > 0.
 */
import type { Dataset } from '../../types.ts';
import { mulberry32 } from '../../stats/rng.ts';
import { constant } from './evaluate.ts';
import type { PredictedBaseline } from './types.ts';

export function classPrior(dataset: Dataset, fromSplit: string | null): { prior: Float64Array; counts: number[]; n: number } {
  const k = dataset.classes.length;
  const s = fromSplit === null ? -1 : dataset.splitNames.indexOf(fromSplit);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < dataset.n; i++) if (dataset.labels[i] >= 0 && (s < 0 || dataset.split[i] === s)) counts[dataset.labels[i]]++;
  const n = counts.reduce((a, b) => a + b, 0);
  return { prior: Float64Array.from(counts, (c) => (c + 1) / (n + k)), counts, n };
}

export function priorBaselines(prior: Float64Array, labels: Int32Array, seed: number, source: string): PredictedBaseline[] {
  const k = prior.length;
  let major = 0;
  for (let j = 1; j < k; j++) if (prior[j] > prior[major]) major = j;
  const { loss } = constant(prior, labels, k);
  const cdf = Array.from(prior, ((sum) => (p: number) => (sum += p))(0));
  const rng = mulberry32(seed);
  const drawn = drawFrom(cdf, labels.length, rng);
  return [
    { name: 'majority class', kind: 'majority', note: `always predicts class index ${major}, the most frequent in ${source}; probabilities = the class prior`, pred: new Int32Array(labels.length).fill(major), loss },
    { name: 'class prior (stratified)', kind: 'stratified', note: `predictions drawn from the class prior of ${source} (mulberry32 seed ${seed}); probabilities = the prior`, pred: drawn, loss: loss.slice() },
  ];
}

/**
 * `n` classes drawn from a cumulative distribution: per draw the first class whose cumulative
 * value exceeds a uniform draw scaled to the total (none: the last class).
 */
function drawFrom(cdf: readonly number[], n: number, rng: () => number): Int32Array {
  const k = cdf.length;
  const drawn = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const u = rng() * cdf[k - 1];
    let j = 0;
    while (j < k && !(u < cdf[j])) j++;
    drawn[r] = j < k ? j : k - 1;
  }
  return drawn;
}
