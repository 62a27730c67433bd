/** constant works its row out once; checked bit for bit against fromProbs of the repeated rows. */
import { describe, expect, it } from 'vitest';
import { constant, fromProbs } from '../../../src/analyses/baselines/evaluate.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';

/** The definition: fromProbs of an n×k float32 matrix whose every row is p. */
function repeated(p: ArrayLike<number>, labels: Int32Array, k: number) {
  const probs = new Float32Array(labels.length * k);
  for (let r = 0; r < labels.length; r++) for (let j = 0; j < k; j++) probs[r * k + j] = p[j];
  return fromProbs(probs, labels, k);
}

const sameBits = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('constant', () => {
  it('equals fromProbs of the repeated row: ties, probabilities below the clamp, float64 input, labels outside 0..k−1', () => {
    const rng = mulberry32(4);
    const k = 7;
    const rows = [
      Float64Array.from({ length: k }, () => rng()),
      [0.2, 0.3, 0.1, 0.3, 0.05, 0.05, 0], // a tie for the largest: the first wins; a zero, clamped
      [1e-13, 0.5, 0.5, 0, 0, 0, 0],
      Float64Array.from({ length: k }, (_, j) => 1 / 7 + j * 1e-9), // differences below float32 precision
    ];
    const labels = Int32Array.from({ length: 500 }, () => Math.floor(rng() * k));
    for (const [r, t] of [[0, -1], [1, -3], [7, k], [9, k + 4], [11, -k - 2], [499, k], [498, 3 * k]]) labels[r] = t;
    for (const p of rows) {
      const got = constant(p, labels, k);
      const want = repeated(p, labels, k);
      expect(got.pred).toEqual(want.pred);
      expect(sameBits(got.loss, want.loss)).toBe(true);
    }
    expect(Number.isNaN(constant(rows[0], labels, k).loss[0])).toBe(true); // label −1 on the first row reads nothing
  });
});
