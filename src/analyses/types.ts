/**
 * The contract between analyses and the renderer. An analysis is metadata plus one pure function
 * returning content blocks; the renderer switches on each block's `type` and each chart's `kind`.
 * Analyses never import vega, handlebars or fs.
 */
import type { Config } from '../config.ts';
import type { Dataset, Logs, ModelInputs, ScoredRun } from '../types.ts';

/** How a record is shown to a person: the digit as an image, a text excerpt, or its fields. */
export type RecordPreview =
  | { kind: 'image'; src: string; width: number; height: number; alt: string }
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'fields'; fields: [string, string][] };

export type CellFormat = 'text' | 'int' | 'fixed2' | 'fixed3' | 'fixed4' | 'pct' | 'pct1' | 'sci';

export interface Column {
  label: string;
  format?: CellFormat;
  /** Shown as a tooltip on the header. */
  hint?: string;
}

export type Cell =
  | string
  | number
  | null
  | { preview: RecordPreview }
  | { text: string; tone: 'good' | 'warn' | 'bad' | 'muted' };

/** Chart descriptors: data plus intent. render/charts turns each kind into a vega-lite spec. */
export type ChartSpec =
  | {
      kind: 'histogram';
      /** Bins with optional series name (e.g. split) for overlaid histograms. */
      bins: { lo: number; hi: number; count: number; series?: string }[];
      xLabel: string;
      yLabel: string;
      logX?: boolean;
      rules?: { value: number; label: string }[];
    }
  | {
      kind: 'bars';
      items: { label: string; value: number; series?: string; lo?: number; hi?: number }[];
      xLabel: string;
      yLabel: string;
      domain?: [number, number];
      horizontal?: boolean;
    }
  | {
      kind: 'heatmap';
      x: string[];
      y: string[];
      /** values[row y][col x] */
      values: number[][];
      xLabel: string;
      yLabel: string;
      /** Shown inside each cell. */
      labels?: string[][];
    }
  | {
      kind: 'lines';
      series: { name: string; points: { x: number; y: number }[] }[];
      xLabel: string;
      yLabel: string;
      logY?: boolean;
      rules?: { value: number; label: string; axis: 'x' | 'y' }[];
      points?: boolean;
    }
  | {
      /** A binned 2-D scatter (stays small at any N): one rect per non-empty bin, coloured by `value` ∈ [0, 1], opacity by count. */
      kind: 'density';
      cells: { x0: number; x1: number; y0: number; y1: number; count: number; value: number }[];
      xDomain: [number, number];
      yDomain: [number, number];
      xLabel: string;
      yLabel: string;
      /** What `value` means, e.g. "fraction of checkpoints correct" (legend title). */
      valueLabel: string;
      rules?: { value: number; label: string; axis: 'x' | 'y' }[];
    }
  | {
      kind: 'reliability';
      bins: { lo: number; hi: number; count: number; accuracy: number; confidence: number }[];
      title?: string;
    };

export type Block =
  | { type: 'text'; text: string; tone?: 'info' | 'warn' | 'good' }
  | { type: 'metrics'; items: { label: string; value: string; hint?: string; tone?: 'good' | 'warn' | 'bad' }[] }
  | { type: 'table'; caption: string; columns: Column[]; rows: Cell[][]; note?: string }
  | { type: 'chart'; chart: ChartSpec; caption: string; alt: string }
  | { type: 'grid'; blocks: Block[] }
  | { type: 'list'; items: string[] };

export type SectionStatus = 'ok' | 'notApplicable' | 'error';

export interface SectionMeta {
  id: string;
  title: string;
  description: string;
}

export type SectionResult = SectionMeta &
  (
    | { status: 'ok'; headline: string; blocks: Block[]; warnings: string[] }
    | { status: 'notApplicable'; reason: string }
    | { status: 'error'; reason: string }
  );

/** What an analysis returns when it applies. `summary` keys are merged into summary.json. */
export interface AnalysisOutput {
  headline: string;
  blocks: Block[];
  warnings?: string[];
  summary?: Record<string, unknown>;
  /** Warnings important enough for the top of the report (e.g. a test set evaluated again), besides the section. */
  reportWarnings?: string[];
}

/** The checkpoint and records that the headline numbers use. */
export interface FinalView {
  checkpoint: number;
  split: string;
  /** Scorable, labelled records of the final split. */
  rows: Int32Array;
}

export interface AnalysisContext {
  config: Config;
  dataset: Dataset;
  inputs: ModelInputs | null;
  run: ScoredRun;
  logs: Logs;
  final: FinalView;
  seed: number;
  preview(index: number): RecordPreview;
  /** Run checkpoint `checkpoint` on `rows` flattened input rows → rows·K probabilities. Absent when no model runtime is at hand (e.g. unit tests). */
  predict?(checkpoint: number, batch: Float32Array, rows: number): Promise<Float32Array>;
}

export interface Analysis extends SectionMeta {
  /**
   * The summary.json keys its output's `summary` writes at the top level, known before it runs:
   * `--fail-on` paths are checked against them before any scoring, and a gate on the keys of a
   * section that did not run is null (it fails) rather than an unknown path.
   */
  summaryKeys?: readonly string[];
  /** A reason the analysis cannot run on these inputs, or null when it applies. */
  notApplicable?(ctx: AnalysisContext): string | null;
  /**
   * Called for every applicable analysis before any runs: starts work that needs neither the other
   * analyses nor the main thread (e.g. a baseline trained on a worker thread), which run collects.
   */
  start?(ctx: AnalysisContext): void;
  /**
   * Where start's work queues on the one worker thread, and when run collects it, among the
   * analyses with a start: by rank (default 0; lower goes first, negative allowed), then list
   * order. The analyses without a start run before all of them.
   */
  startRank?: number;
  /** May be async (e.g. a baseline trained with tfjs); must still be deterministic for a given seed. */
  run(ctx: AnalysisContext): AnalysisOutput | Promise<AnalysisOutput>;
}
