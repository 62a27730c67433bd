/** A baseline evaluated on the same records as the model (per-record predictions), or a figure. */
export interface PredictedBaseline {
  name: string;
  kind: 'majority' | 'stratified' | 'input-independent' | 'logistic-regression';
  /** How it was built (seed, data, regularisation) — shown under the table. */
  note: string;
  /** Per evaluated record (parallel to FinalView.rows). */
  pred: Int32Array;
  /** −ln max(p(given label), 1e-12) per evaluated record. */
  loss: Float32Array;
}

/** A named figure from the config or the experiment log: not re-evaluated, so no interval. */
export interface FigureBaseline {
  name: string;
  source: 'config' | 'experiment log';
  accuracy: number | null;
  macroF1: number | null;
  nll: number | null;
  note: string;
}
