/**
 * Builds a small AnalysisContext from hand-written probability rows, so analysis tests can pin
 * every number by hand: no files, no model, no scoring runtime.
 */
import * as aq from 'arquero';
import type { AnalysisContext } from '../../src/analyses/types.ts';
import { normalizeConfig } from '../../src/config.ts';
import { sampleLoss, topLabel } from '../../src/stats/losses.ts';
import type { CheckpointScores, Dataset, ScoredRun } from '../../src/types.ts';
import { compactScores } from '../../src/score/compact.ts';

export interface FakeRunSpec {
  classes: string[];
  /** Class index per record; -1 = unlabelled. */
  labels: number[];
  /** Split name per record (default "val" for all). */
  splits?: string[];
  /** Per checkpoint, one row of k probabilities per record (the last checkpoint is the final one). */
  checkpoints: number[][][];
  steps?: number[];
  /** Headline split (default "val"). */
  finalSplit?: string;
  seed?: number;
  analysis?: Record<string, unknown>;
  /** Record indices that could not be scored. */
  unscorable?: number[];
}

export function makeContext(spec: FakeRunSpec): AnalysisContext {
  const n = spec.labels.length;
  const k = spec.classes.length;
  const splitsPer = spec.splits ?? spec.labels.map(() => 'val');
  const splitNames = [...new Set(splitsPer)];
  const ids = spec.labels.map((_, i) => `r${String(i).padStart(3, '0')}`);
  const labels = Int32Array.from(spec.labels);
  const scorable = new Uint8Array(n).fill(1);
  for (const i of spec.unscorable ?? []) scorable[i] = 0;
  const dataset: Dataset = {
    file: '/fake/records.csv',
    table: aq.table({ id: ids }),
    n,
    ids,
    labels,
    classes: spec.classes,
    split: Int32Array.from(splitsPer, (s) => splitNames.indexOf(s)),
    splitNames,
    groups: {},
    unknownLabels: [],
  };
  const scores: CheckpointScores[] = spec.checkpoints.map((rows) => {
    if (rows.length !== n || rows.some((r) => r.length !== k)) throw new Error('checkpoint rows must be n × k');
    const probs = Float32Array.from(rows.flat());
    const { pred, conf } = topLabel(probs, k);
    const loss = sampleLoss(probs, labels, k);
    for (let i = 0; i < n; i++) {
      if (scorable[i]) continue;
      probs.fill(NaN, i * k, (i + 1) * k);
      pred[i] = -1;
      conf[i] = NaN;
      loss[i] = NaN;
    }
    return { probs, pred, conf, loss };
  });
  // As the pipeline keeps them (score/compact.ts): probabilities on the final checkpoint only.
  for (let c = 0; c + 1 < scores.length; c++) scores[c] = compactScores(scores[c], labels, k);
  const steps = spec.steps ?? spec.checkpoints.map((_, c) => c * 100);
  const run: ScoredRun = {
    n,
    k,
    classes: spec.classes,
    backend: 'fake',
    checkpoints: steps.map((step) => ({ id: `step-${step}`, step, path: `/fake/step-${step}/model.json` })),
    scores,
    scorable,
    unscorable: (spec.unscorable ?? []).map((index) => ({ index, id: ids[index], reason: 'test' })),
    outputKind: spec.checkpoints.map(() => 'probabilities' as const),
  };
  const config = normalizeConfig(
    { dataset: { file: 'records.csv' }, inputs: { file: 'x.npy' }, model: { checkpoints: '*/model.json' }, analysis: spec.analysis ?? {}, seed: spec.seed ?? 0 },
    '/fake/losslens.config.json',
  );
  const finalSplit = spec.finalSplit ?? 'val';
  const s = splitNames.indexOf(finalSplit);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (scorable[i] && labels[i] >= 0 && dataset.split[i] === s) rows.push(i);
  return {
    config,
    dataset,
    inputs: null,
    run,
    logs: { metrics: null, metricsFile: null, experiments: null, experimentsFile: null },
    final: { checkpoint: scores.length - 1, split: finalSplit, rows: Int32Array.from(rows) },
    seed: spec.seed ?? 0,
    preview: (index) => ({ kind: 'fields', fields: [['id', ids[index]]] }),
  };
}
