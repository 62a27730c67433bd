import { describe, expect, it } from 'vitest';
import { nll, topLabel } from '../../src/stats/losses.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { applyTemperature, fitTemperature, temperatureNll } from '../../src/stats/temperature.ts';

/** Box–Muller normal from a seeded uniform. */
function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** n×k logits ~ N(0, 3²) and labels drawn from softmax(z / T). */
function synthetic(n: number, k: number, T: number, seed: number) {
  const rng = mulberry32(seed);
  const logits = new Float32Array(n * k);
  for (let i = 0; i < logits.length; i++) logits[i] = 3 * normal(rng);
  const p = applyTemperature(logits, k, T);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let u = rng();
    let c = 0;
    while (c < k - 1 && (u -= p[i * k + c]!) >= 0) c++;
    labels[i] = c;
  }
  return { logits, labels };
}

describe('applyTemperature', () => {
  it('softmax(z / T), hand-computed', () => {
    const p = applyTemperature(Float32Array.from([0, Math.log(3)]), 2, 1);
    expect(p[0]).toBeCloseTo(0.25, 7);
    expect(p[1]).toBeCloseTo(0.75, 7);
    const q = applyTemperature(Float32Array.from([0, Math.log(9)]), 2, 2);
    expect(q[1]).toBeCloseTo(0.75, 6);
  });

  it('is stable for huge logits and accepts ln p for probabilities', () => {
    const p = applyTemperature(Float32Array.from([1000, 0]), 2, 1);
    expect(Array.from(p)).toEqual([1, 0]);
    const probs = Float32Array.from([0.2, 0.3, 0.5]);
    const back = applyTemperature(probs.map((x) => Math.log(Math.max(x, 1e-12))), 3, 1);
    for (let j = 0; j < 3; j++) expect(back[j]).toBeCloseTo(probs[j]!, 6);
  });

  it('scaling never changes the argmax (so accuracy is unchanged)', () => {
    const { logits } = synthetic(2000, 6, 1, 11);
    const base = topLabel(applyTemperature(logits, 6, 1), 6).pred;
    for (const T of [0.05, 0.3, 2, 20]) {
      expect(topLabel(applyTemperature(logits, 6, T), 6).pred).toEqual(base);
    }
  });

  it('rejects T ≤ 0', () => {
    expect(() => applyTemperature(Float32Array.from([0, 1]), 2, 0)).toThrow(RangeError);
  });
});

/** Logits with ties at the row maximum, ±0, ±∞ and NaN rows, and labels with −1 and ≥ k. */
function awkward(n: number, k: number, seed: number) {
  const { logits, labels } = synthetic(n, k, 1, seed);
  for (let i = 0; i < n; i += 7) logits[i * k + 1] = logits[i * k]!; // ties (some at the maximum)
  for (let i = 3; i < n; i += 11) logits.fill(5, i * k, (i + 1) * k); // every entry the maximum
  logits.fill(-0, 2 * k, 3 * k);
  logits.fill(0, 4 * k, 5 * k);
  logits[6 * k] = Infinity;
  logits[8 * k + 1] = -Infinity;
  logits.fill(NaN, 9 * k, 10 * k);
  logits[12 * k] = NaN;
  for (let i = 5; i < n; i += 13) labels[i] = i % 2 ? -1 : k;
  return { logits, labels };
}

/** applyTemperature by its definition: Math.exp of every term. */
function softmaxByDefinition(z: Float32Array, k: number, T: number): Float32Array {
  const out = new Float32Array(z.length);
  for (let o = 0; o < z.length; o += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, z[o + j]! / T);
    const e = Array.from({ length: k }, (_, j) => Math.exp(z[o + j]! / T - max));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < k; j++) out[o + j] = e[j]! / sum;
  }
  return out;
}

describe('temperature scaling fast paths give the very same numbers', () => {
  it('applyTemperature (each z / T computed once) equals its definition bit for bit: ties, ±0, ±∞, NaN', () => {
    const { logits } = awkward(500, 5, 31);
    for (const T of [0.05, 0.7, 1, 1.9415805390621594, 20]) expect(applyTemperature(logits, 5, T)).toEqual(softmaxByDefinition(logits, 5, T));
  });

  it('fitTemperature with out-of-range labels equals the fit on the labelled rows alone', () => {
    const { logits, labels } = synthetic(3000, 3, 1.5, 33);
    const keep = Array.from(labels.keys()).filter((i) => i % 13 !== 5);
    const some = Int32Array.from(labels, (y, i) => (i % 13 === 5 ? (i % 2 ? -1 : 3) : y));
    const kept = new Float32Array(keep.length * 3);
    keep.forEach((i, r) => kept.set(logits.subarray(i * 3, i * 3 + 3), r * 3));
    expect(fitTemperature(logits, some, 3)).toEqual(fitTemperature(kept, Int32Array.from(keep, (i) => labels[i]!), 3));
  });
});

describe('fitTemperature', () => {
  it('recovers T = 2 on data generated at T = 2 (within 0.05)', () => {
    const { logits, labels } = synthetic(20000, 5, 2, 2024);
    const fit = fitTemperature(logits, labels, 5);
    expect(Math.abs(fit.temperature - 2)).toBeLessThan(0.05);
    const before = temperatureNll(logits, labels, 5, 1);
    const after = temperatureNll(logits, labels, 5, fit.temperature);
    expect(after).toBeLessThan(before);
    // A minimum: a step of 1e-4 in T either way does not lower the NLL.
    for (const f of [1 - 1e-4, 1 + 1e-4]) expect(temperatureNll(logits, labels, 5, fit.temperature * f)).toBeGreaterThan(after);
    // The NLL at T = 1 agrees with nll() on the T = 1 probabilities (float32 rounding only)
    expect(before).toBeCloseTo(nll(applyTemperature(logits, 5, 1), labels, 5), 5);
  });

  it('is deterministic and finds T ≈ 1 for calibrated data', () => {
    const { logits, labels } = synthetic(20000, 4, 1, 99);
    const a = fitTemperature(logits, labels, 4);
    expect(fitTemperature(logits, labels, 4)).toEqual(a);
    expect(Math.abs(a.temperature - 1)).toBeLessThan(0.05);
  });

  it('stays inside [0.05, 20] when the optimum is at a boundary', () => {
    // Always correct and separable: sharper is always better → smallest T allowed.
    const fit = fitTemperature(Float32Array.from([1, 0, 0, 1]), Int32Array.from([0, 1]), 2);
    expect(fit.temperature).toBe(0.05);
  });

  it('on a large fit (a strided sample gives the start) T is the minimum on all rows to ~1e-7', () => {
    const { logits, labels } = synthetic(70_000, 6, 1.6, 7);
    const T = fitTemperature(logits, labels, 6).temperature;
    // Central differences at ±1e-4: the Newton distance f′/f″ to the minimum is below 1e-7 relative.
    const h = 1e-4;
    const [lo, mid, hi] = [1 - h, 1, 1 + h].map((f) => temperatureNll(logits, labels, 6, T * f));
    const slope = (hi! - lo!) / (2 * h);
    const curvature = (hi! - 2 * mid! + lo!) / (h * h);
    expect(curvature).toBeGreaterThan(0);
    expect(Math.abs(slope / curvature)).toBeLessThan(1e-7);
    expect(Math.abs(T - 1.6)).toBeLessThan(0.05);
  });

  it('reaches the upper end T = 20 when NLL keeps falling as T grows (confidently wrong everywhere)', () => {
    const fit = fitTemperature(Float32Array.from([6, 0, 0, 6, 6, 0]), Int32Array.from([1, 0, 1]), 2);
    expect(fit.temperature).toBe(20);
  });

  it('no valid labels: T = 1 and NaN losses', () => {
    const fit = fitTemperature(Float32Array.from([1, 0]), Int32Array.from([-1]), 2);
    expect(fit).toEqual({ temperature: 1 });
    expect(temperatureNll(Float32Array.from([1, 0]), Int32Array.from([-1]), 2, 1)).toBeNaN();
  });
});
