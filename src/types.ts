/**
 * The data that flows through the pipeline: load → score → analyses → report. Per-sample data is
 * kept in typed arrays (one entry per dataset row) so nothing on the hot path allocates per record.
 */
import type { ColumnTable } from 'arquero';

/** The dataset table and the columns every analysis needs, decoded once. */
export interface Dataset {
  file: string;
  table: ColumnTable;
  n: number;
  ids: string[];
  /** Class index of the given label; -1 when the label is missing or outside the class list. */
  labels: Int32Array;
  classes: string[];
  /** Split index per record into `splitNames`. */
  split: Int32Array;
  splitNames: string[];
  /** groupBy column → value per record (as text; missing values become "(missing)"). */
  groups: Record<string, string[]>;
  /** Records with a label outside the class list (only when onUnknownLabel = "unscorable"). */
  unknownLabels: { index: number; label: string }[];
}

/**
 * Model inputs, one flattened row per dataset record. Read values through src/load/input-values.ts
 * (`copyRow`, `fillBatch`, `rowValues`, …), never `data` directly: uint8 files stay uint8 in memory
 * (4× smaller than Float32 at a million images) and are mapped per batch.
 */
export interface ModelInputs {
  file: string;
  n: number;
  /** Shape of one record, e.g. [784] or [28, 28, 1]. */
  shape: number[];
  rowSize: number;
  /** Stored values: the model's Float32 values, or the file's uint8 codes (see scale/offset). */
  data: Float32Array | Uint8Array;
  /**
   * When set (either), the model sees Math.fround(data[i] * scale + offset), computed in float64;
   * when both are absent, data (then Float32) holds the values as they are.
   */
  scale?: number;
  offset?: number;
}

export interface Checkpoint {
  id: string;
  step: number;
  /** Absolute path of the checkpoint's main file (e.g. model.json). */
  path: string;
}

/** Scores of one checkpoint over all records (NaN / -1 for records that could not be scored). */
export interface CheckpointScores {
  /**
   * n·k, row-major; null on a compact checkpoint. Every checkpoint but the final one is kept compact
   * once scored (score.ts compactScores): analyses read those only through the per-record columns
   * below, so a run holds n·k floats once, not once per checkpoint.
   */
  probs: Float32Array | null;
  loss: Float32Array; // −ln max(p_label, 1e-12); NaN when unscorable or unlabelled
  pred: Int32Array; // argmax, -1 when unscorable
  conf: Float32Array; // max probability
  /** Compact checkpoints: p(given label), and the largest p of another class (NaN when unlabelled). */
  pLabel?: Float32Array;
  pOther?: Float32Array;
}

export interface UnscorableRecord {
  index: number;
  id: string;
  reason: string;
}

export interface ScoredRun {
  n: number;
  k: number;
  classes: string[];
  backend: string;
  checkpoints: Checkpoint[];
  /** Parallel to `checkpoints` (ordered by step). */
  scores: CheckpointScores[];
  /** 1 when the record was scored. */
  scorable: Uint8Array;
  unscorable: UnscorableRecord[];
  /** How model outputs were interpreted (probabilities or logits→softmax) per checkpoint. */
  outputKind: ('probabilities' | 'logits')[];
}

export interface MetricRow {
  step: number;
  epoch?: number;
  split: string;
  [key: string]: number | string | undefined;
}

export interface ExperimentRow {
  date: string;
  id: string;
  change: string;
  metric: string;
  value: number;
  note?: string;
  tags?: string[];
  [key: string]: unknown;
}

export interface Logs {
  metrics: MetricRow[] | null;
  metricsFile: string | null;
  experiments: ExperimentRow[] | null;
  experimentsFile: string | null;
  /** Where the metrics rows came from (format and row count per file), and any notes from merging them. */
  metricsSources?: { file: string; format: MetricsFormat; rows: number }[];
  metricsNotes?: string[];
}

export type MetricsFormat = 'jsonl' | 'keras-csv' | 'tfevents';
