/**
 * Dataset-cartography regions (Swayamdipta et al. 2020) as a partition of the data map:
 *
 *   ambiguous       variability ≥ 0.2                     (the model changes its mind)
 *   easy-to-learn   variability < 0.2, confidence ≥ 0.5   (consistently right)
 *   hard-to-learn   variability < 0.2, confidence < 0.5   (consistently wrong: mislabels live here)
 *
 * The paper ranks records and takes the top third per axis; fixed cut-offs are used here so the
 * counts mean the same on every run and can be gated on. Population std of values in [0, 1] is at
 * most 0.5 (and at most √(μ(1 − μ))), so 0.2 is 40 % of its range.
 */
import type { ChartSpec } from '../types.ts';
import type { RecordDynamics } from './matrix.ts';
import { firstInOrder } from '../first-in-order.ts';

export const AMBIGUOUS_VARIABILITY = 0.2;
export const EASY_CONFIDENCE = 0.5;

export const REGIONS = ['easy-to-learn', 'ambiguous', 'hard-to-learn'] as const;
export type Region = (typeof REGIONS)[number];

/** Indices into REGIONS. */
export const EASY = 0;
export const AMBIGUOUS = 1;
export const HARD = 2;

/** Region index (into REGIONS) of one point of the map. */
export function regionIndex(confidence: number, variability: number): number {
  if (variability >= AMBIGUOUS_VARIABILITY) return AMBIGUOUS;
  return confidence >= EASY_CONFIDENCE ? EASY : HARD;
}

export function regionOf(confidence: number, variability: number): Region {
  return REGIONS[regionIndex(confidence, variability)];
}

/**
 * The hard-to-learn positions `hard` (into d.rows), hardest first: lowest confidence, then lowest
 * mean margin (computed for every hard-to-learn record), then dataset order. Only the first
 * `limit` (default: all).
 */
export function hardestOrder(d: RecordDynamics, hard: ArrayLike<number>, limit = hard.length): number[] {
  const { confidence, meanMargin, rows } = d;
  return firstInOrder(hard, (a, b) => confidence[a] - confidence[b] || meanMargin[a] - meanMargin[b] || rows[a] - rows[b], limit);
}

export const VARIABILITY_MAX = 0.5;
/** Bins per axis of the data map: at most 400 cells whatever N. */
export const DATA_MAP_BINS = 20;

/** Bin (y · bins + x) of a point of the data map: variability [0, 0.5] on x, confidence [0, 1] on y, the edges clamped in. */
export function dataMapBin(confidence: number, variability: number, bins = DATA_MAP_BINS): number {
  const y = Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)));
  const x = Math.min(bins - 1, Math.max(0, Math.floor((variability / VARIABILITY_MAX) * bins)));
  return y * bins + x;
}

type DensityCells = Extract<ChartSpec, { kind: 'density' }>['cells'];

/**
 * The data map binned: `bins` × `bins` cells over variability [0, 0.5] × confidence [0, 1], each
 * with its record count and mean correctness. Only non-empty cells are returned.
 */
export function dataMapCells(d: RecordDynamics, positions: ArrayLike<number>, bins = DATA_MAP_BINS): DensityCells {
  const count = new Float64Array(bins * bins);
  const correct = new Float64Array(bins * bins);
  for (let q = 0; q < positions.length; q++) {
    const r = positions[q];
    const cell = dataMapBin(d.confidence[r], d.variability[r], bins);
    count[cell]++;
    correct[cell] += d.correctness[r];
  }
  return binnedCells(count, correct, bins);
}

/** The non-empty cells of per-bin record counts and correctness sums (dataMapBin's layout). */
export function binnedCells(count: Float64Array, correct: Float64Array, bins = DATA_MAP_BINS): DensityCells {
  const cells: DensityCells = [];
  for (let yi = 0; yi < bins; yi++) {
    for (let xi = 0; xi < bins; xi++) {
      const n = count[yi * bins + xi];
      if (n === 0) continue;
      cells.push({ x0: (xi * VARIABILITY_MAX) / bins, x1: ((xi + 1) * VARIABILITY_MAX) / bins, y0: yi / bins, y1: (yi + 1) / bins, count: n, value: correct[yi * bins + xi] / n });
    }
  }
  return cells;
}
