/**
 * Robust centre and scale for outlier flags. Median/MAD are used instead of mean/sd because the
 * very outliers we look for (mislabelled samples with huge loss) would inflate a standard deviation.
 * Medians are found by selection (O(n)), not by sorting: the loss-outlier rule takes them over
 * every record of a million-record run.
 */
import { selectQuantile } from './quantiles.ts';

/** 1/Φ⁻¹(3/4): makes the MAD a consistent estimator of σ for normal data. */
const MAD_TO_SIGMA = 1.4826;
/** √(π/2): makes the mean absolute deviation a consistent estimator of σ for normal data. */
const MEANAD_TO_SIGMA = 1.2533;

/** Median of the non-NaN values; NaN when there are none. */
export function median(values: ArrayLike<number>): number {
  return medianInto(values, new Float64Array(values.length));
}

/** Raw (unscaled) median absolute deviation from the median, ignoring NaN; NaN when empty. */
export function mad(values: ArrayLike<number>): number {
  const scratch = new Float64Array(values.length);
  return madAround(values, medianInto(values, scratch), scratch);
}

/** median, selecting in `scratch` (at least values.length long, overwritten). */
function medianInto(values: ArrayLike<number>, scratch: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) scratch[n++] = v;
  }
  return selectQuantile(scratch.subarray(0, n), 0.5);
}

/** Median of |v − m| over the non-NaN values (a deviation can itself be NaN: ∞ − ∞, then ignored). */
function madAround(values: ArrayLike<number>, m: number, scratch: Float64Array): number {
  if (Number.isNaN(m)) return NaN;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    const d = Math.abs(v - m);
    if (!Number.isNaN(d)) scratch[n++] = d;
  }
  return selectQuantile(scratch.subarray(0, n), 0.5);
}

/**
 * The centre (median) and scale robustZ divides by; see robustZ for the fallbacks. `scratch` (at
 * least values.length long, overwritten) lets a caller with many groups reuse one buffer.
 */
export function robustCenterScale(values: ArrayLike<number>, scratch = new Float64Array(values.length)): { center: number; scale: number } {
  const m = medianInto(values, scratch);
  let scale = MAD_TO_SIGMA * madAround(values, m, scratch);
  if (scale === 0) {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isNaN(v)) {
        sum += Math.abs(v - m);
        n++;
      }
    }
    scale = MEANAD_TO_SIGMA * (sum / n);
  }
  return { center: m, scale };
}

/**
 * Robust z-scores (x − median) / (1.4826 · MAD). When more than half the values are identical the
 * MAD is 0, so the scale falls back to 1.2533 · mean absolute deviation; when that is 0 too, every
 * value equals the median (z = 0) except infinite ones (z = ±Infinity). NaN in → NaN out, and NaNs
 * do not influence the centre or scale.
 */
export function robustZ(values: ArrayLike<number>): Float64Array {
  const { center, scale } = robustCenterScale(values);
  return zScores(values, center, scale, new Float64Array(values.length));
}

/** out[i] = (values[i] − center) / scale, with robustZ's handling of NaN and a zero scale. */
export function zScores(values: ArrayLike<number>, center: number, scale: number, out: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - center;
    if (Number.isNaN(d)) out[i] = NaN;
    else if (scale === 0) out[i] = d === 0 ? 0 : d > 0 ? Infinity : -Infinity;
    else out[i] = d / scale;
  }
  return out;
}
