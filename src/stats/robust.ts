/**
 * Robust centre and scale for outlier flags. Median/MAD are used instead of mean/sd because the
 * very outliers we look for (mislabelled samples with huge loss) would inflate a standard deviation.
 */
import { quantile } from './quantiles.ts';

/** 1/Φ⁻¹(3/4): makes the MAD a consistent estimator of σ for normal data. */
const MAD_TO_SIGMA = 1.4826;
/** √(π/2): makes the mean absolute deviation a consistent estimator of σ for normal data. */
const MEANAD_TO_SIGMA = 1.2533;

/** Non-NaN values, sorted ascending, as a new array. */
function sortedNonNaN(values: ArrayLike<number>): Float64Array {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) kept.push(values[i]!);
  return Float64Array.from(kept).sort();
}

/** Median of the non-NaN values; NaN when there are none. */
export function median(values: ArrayLike<number>): number {
  return quantile(sortedNonNaN(values), 0.5);
}

/** Raw (unscaled) median absolute deviation from the median, ignoring NaN; NaN when empty. */
export function mad(values: ArrayLike<number>): number {
  const m = median(values);
  if (Number.isNaN(m)) return NaN;
  const dev: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) dev.push(Math.abs(v - m));
  }
  return median(dev);
}

/**
 * Robust z-scores (x − median) / (1.4826 · MAD). When more than half the values are identical the
 * MAD is 0, so the scale falls back to 1.2533 · mean absolute deviation; when that is 0 too, every
 * value equals the median (z = 0) except infinite ones (z = ±Infinity). NaN in → NaN out, and NaNs
 * do not influence the centre or scale.
 */
export function robustZ(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  const m = median(values);
  let scale = MAD_TO_SIGMA * mad(values);
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
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - m;
    if (Number.isNaN(d)) out[i] = NaN;
    else if (scale === 0) out[i] = d === 0 ? 0 : d > 0 ? Infinity : -Infinity;
    else out[i] = d / scale;
  }
  return out;
}
