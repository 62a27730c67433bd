/**
 * A tiny AnalysisContext from hand-written rows, for analysis tests: no files, no model, no
 * scoring runtime. Only `probs` and `labels` are required:
 *
 *   makeContext({ probs: [[0.9, 0.1], [0.2, 0.8]], labels: [0, 0], splits: ['train', 'val'] })
 *
 * A `null` probability row is an unscorable record (NaN scores, listed in run.unscorable).
 * Loss, prediction and confidence follow src/stats (CONTRACT definitions).
 */
import * as aq from 'arquero';
import type { AnalysisContext } from '../../src/analyses/types.ts';
import { normalizeConfig } from '../../src/config.ts';
import { sampleLoss, topLabel } from '../../src/stats/losses.ts';
import type { CheckpointScores, Dataset, ModelInputs, ScoredRun } from '../../src/types.ts';
import { compactScores } from '../../src/score/compact.ts';

export interface ContextSpec {
  /** Final-checkpoint probabilities, one row of k per record; null = could not be scored. */
  probs: (number[] | null)[];
  /** Class index per record; -1 = no label / a label outside the class list (see unknownLabels). */
  labels: number[];
  /** Class names (default "0", "1", …). */
  classes?: string[];
  /** Split name per record (default "val"). */
  splits?: string[];
  /** Record ids (default r000, r001, …). */
  ids?: string[];
  /** groupBy column → value per record; also added to the table and config.dataset.groupBy. */
  groups?: Record<string, string[]>;
  /** Extra table columns (arbitrary values, e.g. with nulls or NaN). */
  columns?: Record<string, unknown[]>;
  /** Model input rows (all the same length); null/absent = no inputs (precomputed scores). */
  inputs?: number[][] | null;
  /** Earlier checkpoints' probability rows (same shape as probs), oldest first. */
  history?: (number[] | null)[][];
  /** The given text of records whose label index is -1 (default "(missing)"). */
  unknownLabels?: Record<number, string>;
  /** Raw `analysis` / `dataset` / `evaluate` config keys, validated by the real config reader. */
  analysis?: Record<string, unknown>;
  dataset?: Record<string, unknown>;
  /** Headline split (default: "val" when present, else the first split). */
  finalSplit?: string;
  seed?: number;
}

export function makeContext(spec: ContextSpec): AnalysisContext {
  const n = spec.labels.length;
  if (spec.probs.length !== n) throw new Error(`makeContext: ${spec.probs.length} probability rows for ${n} labels`);
  const k = spec.classes?.length ?? spec.probs.find((r) => r)?.length ?? 2;
  const classes = spec.classes ?? Array.from({ length: k }, (_, j) => String(j));
  const ids = spec.ids ?? spec.labels.map((_, i) => `r${String(i).padStart(3, '0')}`);
  const splitsPer = spec.splits ?? spec.labels.map(() => 'val');
  const splitNames = [...new Set(splitsPer)];
  const labels = Int32Array.from(spec.labels);
  const groups = spec.groups ?? {};
  const unknownLabels = spec.labels.flatMap((y, index) => (y < 0 ? [{ index, label: spec.unknownLabels?.[index] ?? '(missing)' }] : []));
  const table = aq.table({
    id: ids,
    label: spec.labels.map((y, i) => (y >= 0 ? classes[y] : (spec.unknownLabels?.[i] ?? null))),
    split: splitsPer,
    ...groups,
    ...(spec.columns ?? {}),
  });
  const dataset: Dataset = {
    file: '/fake/records.csv',
    table,
    n,
    ids,
    labels,
    classes,
    split: Int32Array.from(splitsPer, (s) => splitNames.indexOf(s)),
    splitNames,
    groups,
    unknownLabels,
  };
  const scorable = Uint8Array.from(spec.probs, (r) => (r ? 1 : 0));
  const toScores = (rows: (number[] | null)[]): CheckpointScores => {
    const probs = new Float32Array(n * k);
    rows.forEach((r, i) => {
      if (r && r.length !== k) throw new Error(`makeContext: record ${i} has ${r.length} probabilities, expected ${k}`);
      probs.set(r ?? new Array<number>(k).fill(NaN), i * k);
    });
    const { pred, conf } = topLabel(probs, k);
    const loss = sampleLoss(probs, labels, k);
    for (let i = 0; i < n; i++) {
      if (scorable[i] && labels[i] >= 0) continue;
      loss[i] = NaN;
      if (!scorable[i]) {
        pred[i] = -1;
        conf[i] = NaN;
      }
    }
    return { probs, pred, conf, loss };
  };
  const all = [...(spec.history ?? []), spec.probs];
  // As the pipeline keeps them (score/compact.ts): probabilities on the final checkpoint only.
  const scores = all.map(toScores).map((s, c) => (c === all.length - 1 ? s : compactScores(s, labels, k)));
  const run: ScoredRun = {
    n,
    k,
    classes,
    backend: 'fake',
    checkpoints: all.map((_, c) => ({ id: `ckpt-${c}`, step: c * 100, path: `/fake/ckpt-${c}/model.json` })),
    scores,
    scorable,
    unscorable: spec.probs.flatMap((r, index) => (r ? [] : [{ index, id: ids[index], reason: 'test: no scores' }])),
    outputKind: all.map(() => 'probabilities' as const),
  };
  const config = normalizeConfig(
    {
      dataset: { file: 'records.csv', split: 'split', classes, groupBy: Object.keys(groups), ...(spec.dataset ?? {}) },
      model: { checkpoints: '*/model.json' },
      analysis: spec.analysis ?? {},
      seed: spec.seed ?? 0,
    },
    '/fake/losslens.config.json',
  );
  let inputs: ModelInputs | null = null;
  if (spec.inputs) {
    const rowSize = spec.inputs[0]?.length ?? 0;
    inputs = { file: '/fake/inputs.npy', n, shape: [rowSize], rowSize, data: Float32Array.from(spec.inputs.flat()) };
  }
  const finalSplit = spec.finalSplit ?? (splitNames.includes('val') ? 'val' : splitNames[0]);
  const s = splitNames.indexOf(finalSplit);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (scorable[i] && labels[i] >= 0 && dataset.split[i] === s) rows.push(i);
  return {
    config,
    dataset,
    inputs,
    run,
    logs: { metrics: null, metricsFile: null, experiments: null, experimentsFile: null },
    final: { checkpoint: scores.length - 1, split: finalSplit, rows: Int32Array.from(rows) },
    seed: spec.seed ?? 0,
    preview: (index) => ({ kind: 'fields', fields: [['id', ids[index]]] }),
  };
}

/** Probability row with `p` on class `j` and the rest spread evenly over the other k − 1 classes. */
export function peaked(k: number, j: number, p: number): number[] {
  return Array.from({ length: k }, (_, c) => (c === j ? p : (1 - p) / (k - 1)));
}
