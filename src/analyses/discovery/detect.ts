/**
 * Runs the score-based record-level detectors (loss outliers, label issues) once per audit and
 * shares the result between the outliers, label-issues, slices and dynamics sections and the scores
 * file (memoised on the context, so every consumer sees the same flags). They may run on the worker
 * thread (startDiscovery; the sections await discoveryReady). The detectors on the model inputs
 * (duplicates, input health) are input-scan.ts, which may run on a worker thread too.
 */
import { InputError, messages } from '../../messages.ts';
import { rowsOf } from '../common.ts';
import type { AnalysisContext } from '../types.ts';
import type { Config } from '../../config.ts';
import type { Dataset } from '../../types.ts';
import { byRank, confidentLearning, type LabelIssue, type LabelIssueResult } from './confident-learning.ts';
import { packDiscovery, unpackDiscovery, type PackedDiscovery } from './packed-discovery.ts';
import { lossOutliers, type LossOutliers } from './loss-outliers.ts';
import { heldOutSplits, isTrainingSplit } from './splits.ts';
import { isShared } from '../../load/shared-file.ts';
import { fullProbs } from '../../score/compact.ts';
import { callOnThread, THREAD_COPY_BYTES, threadsAllowed } from '../../thread.ts';

export interface LabelIssueScope {
  /** Split names the detector ran on. */
  splits: string[];
  /** Per split: its thresholds and candidates. */
  perSplit: { split: string; rows: number; result: LabelIssueResult }[];
  /** Every candidate over the scope, worst first. */
  issues: LabelIssue[];
  /** 1 when the record was examined (in scope, scorable, labelled). */
  examined: Uint8Array;
  /** 1 when the record is a candidate. */
  flagged: Uint8Array;
  warnings: string[];
}

export interface Discovery {
  outliers: LossOutliers;
  labelIssues: LabelIssueScope;
}

const cache = new WeakMap<AnalysisContext, Discovery>();
/** Detectors started on the worker thread (startDiscovery), until discoveryReady collects them. */
const started = new WeakMap<AnalysisContext, Promise<Discovery | null>>();

/**
 * The detectors' result for this audit: the worker thread's when discoveryReady has collected it,
 * else computed here (the first time; memoised).
 */
export function discover(ctx: AnalysisContext): Discovery {
  let d = cache.get(ctx);
  if (!d) {
    d = discoveryOf(discoveryJob(ctx));
    cache.set(ctx, d);
  }
  return d;
}

/**
 * Start the detectors on the worker thread (idempotent; Analysis.start of the sections that use
 * them): at a million records their ~0.4 s then runs beside the main thread's analyses. The job's
 * arrays are posted — the probabilities are in shared memory (score/compact.ts sharedProbs), the
 * rest ~13 bytes a record — and the result comes back by structured cloning, every value as computed.
 */
export function startDiscovery(ctx: AnalysisContext): void {
  if (cache.has(ctx) || started.has(ctx) || !threadsAllowed(ctx.config)) return;
  const job = discoveryJob(ctx);
  if (copiedBytes(job) > THREAD_COPY_BYTES) return;
  const onThread = callOnThread<PackedDiscovery>(import.meta.url, 'packedDiscoveryOf', [job]).then(unpackDiscovery);
  started.set(ctx, onThread.catch(() => null)); // a failed thread: computed here instead
}

/**
 * The start rank of the sections that use the detectors (Analysis.startRank): their job goes to the
 * thread before the longer ones (the baseline's training, calibration's numbers), so the first of
 * them waits least, and they run before the sections that wait on those.
 */
export const DISCOVERY_RANK = -1;

/** Wait for detectors started on the thread (nothing to wait for otherwise); discover then answers at once. */
export async function discoveryReady(ctx: AnalysisContext): Promise<void> {
  const job = started.get(ctx);
  if (!job) return;
  const d = await job;
  started.delete(ctx);
  if (d && !cache.has(ctx)) cache.set(ctx, d);
}

/** What the detectors read: arrays and split names only, so they can run on the worker thread. */
export interface DiscoveryJob {
  /** The final checkpoint's losses and n·k probabilities; the dataset's labels and split codes. */
  loss: Float32Array;
  probs: Float32Array;
  labels: Int32Array;
  split: Int32Array;
  k: number;
  outlierK: number;
  /** The label-issue detector's splits (labelIssueSplits) with their scorable, labelled records. */
  labelIssueSplits: [string, Int32Array][];
  labelIssueWarnings: string[];
}

export function discoveryJob(ctx: AnalysisContext): DiscoveryJob {
  const { run, dataset, final, config } = ctx;
  const s = run.scores[final.checkpoint];
  const { splits, warnings } = labelIssueSplits(ctx);
  if (dataset.splitNames.length === 1 && !isTrainingSplit(dataset.splitNames[0]) && !config.dataset.split) {
    warnings.push('the dataset has no split column, so the label-issue detector cannot tell held-out records from trained-on ones; if the model was trained on these records, expect misses');
  }
  return {
    loss: s.loss,
    probs: fullProbs(s, 'label issues'),
    labels: dataset.labels,
    split: dataset.split,
    k: run.k,
    outlierK: config.analysis.outlierK,
    labelIssueSplits: splits.map((split): [string, Int32Array] => [split, rowsOf(run, dataset, split)]),
    labelIssueWarnings: warnings,
  };
}

/** The loss outliers and label issues of `job`: a function of its arrays alone (the same on either thread). */
export function discoveryOf(job: DiscoveryJob): Discovery {
  const outliers = lossOutliers(job.loss, job.labels, job.split, job.outlierK);
  return { outliers, labelIssues: labelIssues(job) };
}

/** discoveryOf for the worker thread: its result packed (unpackDiscovery restores it). */
export function packedDiscoveryOf(job: DiscoveryJob): PackedDiscovery {
  return packDiscovery(discoveryOf(job));
}

/** Bytes a post of `job` copies (shared memory is not copied). */
function copiedBytes(job: DiscoveryJob): number {
  const arrays: ArrayBufferView[] = [job.loss, job.probs, job.labels, job.split, ...job.labelIssueSplits.map(([, rows]) => rows)];
  return arrays.reduce((sum, a) => sum + (isShared(a) ? 0 : a.byteLength), 0);
}

/** The splits the label-issue detector should use: configured, else held-out, else all (with a warning). */
/** Every configured labelIssueSplits entry is a split of the dataset (the pipeline checks it before scoring). */
export function checkLabelIssueSplits(config: Pick<Config, 'path' | 'analysis'>, dataset: Dataset): void {
  const unknown = (config.analysis.labelIssueSplits ?? []).filter((s) => !dataset.splitNames.includes(s));
  if (unknown.length) throw new InputError(`${config.path}: analysis.labelIssueSplits`, `splits of the dataset (${dataset.splitNames.join(', ')})`, `"${unknown.join('", "')}"`);
}

export function labelIssueSplits(ctx: AnalysisContext): { splits: string[]; warnings: string[] } {
  const { dataset, config } = ctx;
  const configured = config.analysis.labelIssueSplits;
  if (configured) {
    checkLabelIssueSplits(config, dataset);
    return { splits: configured, warnings: configured.filter(isTrainingSplit).map((sp) => messages.trainingOnlyLabelIssues(sp)) };
  }
  const held = heldOutSplits(dataset);
  if (held.length) return { splits: held, warnings: [] };
  return { splits: dataset.splitNames, warnings: dataset.splitNames.map((sp) => messages.trainingOnlyLabelIssues(sp)) };
}

function labelIssues(job: DiscoveryJob): LabelIssueScope {
  const { probs, labels, k } = job;
  const examined = new Uint8Array(labels.length);
  const flagged = new Uint8Array(labels.length);
  const perSplit = job.labelIssueSplits.map(([split, rows]) => {
    rows.forEach((i) => (examined[i] = 1));
    const result = confidentLearning(probs, labels, k, rows);
    for (const is of result.issues) flagged[is.index] = 1;
    return { split, rows: rows.length, result };
  });
  const issues = perSplit.flatMap((p) => p.result.issues).sort(byRank); // sorted runs, one per split: a merge
  return { splits: job.labelIssueSplits.map(([split]) => split), perSplit, issues, examined, flagged, warnings: job.labelIssueWarnings };
}
