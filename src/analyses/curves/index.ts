/** Every training-curve detector, in report order. Each is a pure function of the curves. */
import { divergence } from './divergence.ts';
import { explodingGradients, vanishingGradients } from './grad-norms.ts';
import { initialLoss } from './initial-loss.ts';
import { lrSchedule } from './lr-schedule.ts';
import { nonFinite } from './non-finite.ts';
import { plateau } from './plateau.ts';
import { spikes } from './spikes.ts';
import { trainValGap } from './train-val-gap.ts';
import type { Curves, Finding } from './types.ts';

export function detectAll(c: Curves): Finding[] {
  return [initialLoss(c), nonFinite(c), spikes(c), plateau(c), divergence(c), trainValGap(c), explodingGradients(c), vanishingGradients(c), ...lrSchedule(c)];
}

/** The detectors that count as "curve anomalies" (the rest are recipe checks: init, schedule). */
export const ANOMALY_IDS = ['non-finite', 'spikes', 'plateau', 'divergence', 'train-val-gap', 'exploding-gradients', 'vanishing-gradients'];
