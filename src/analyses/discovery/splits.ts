/**
 * Which splits are "training" (probabilities there are in-sample, hence over-confident) and which
 * are held out. Decided by name because the dataset carries no other signal.
 */
import type { Dataset } from '../../types.ts';

const TRAINING = new Set(['train', 'training', 'trn', 'fit']);

export function isTrainingSplit(name: string): boolean {
  return TRAINING.has(name.trim().toLowerCase());
}

/** Held-out split names, in dataset order (empty when every split is a training split). */
export function heldOutSplits(dataset: Dataset): string[] {
  return dataset.splitNames.filter((s) => !isTrainingSplit(s));
}
