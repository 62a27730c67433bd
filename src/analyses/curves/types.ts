/** What every training-curve detector returns: a verdict with the evidence that decided it. */
export type FindingStatus = 'pass' | 'warn' | 'unknown';

export interface Finding {
  id: string;
  /** The check, e.g. "loss spikes". */
  check: string;
  status: FindingStatus;
  /** Plain-language evidence with the numbers (steps, values, thresholds). */
  evidence: string;
  /** Steps worth marking on a chart (e.g. the spikes). */
  steps?: number[];
}

/** One curve: x = step, y = value, sorted by step (a repeated step keeps its last value). */
export interface Series {
  step: number[];
  value: number[];
}

/** Everything the detectors read, extracted once from the metrics rows. */
export interface Curves {
  /** Class count K and entropy of the training label distribution (nats), when known. */
  k: number;
  priorEntropy: number | null;
  train: Series | null;
  /** The validation-like split's loss (val, valid, validation, dev, eval). */
  val: Series | null;
  valSplit: string | null;
  lr: Series | null;
  gradNorm: Series | null;
  gradLayers: { name: string; series: Series }[];
  /** Every numeric scalar per split, for the non-finite scan. */
  all: { split: string; key: string; series: Series }[];
}
