/**
 * The logistic-regression baseline on a worker thread. Its training depends on the inputs and
 * labels only, not on the scores, so baselines.ts starts it before the other analyses run and
 * collects it when its turn comes: at a million records that takes its ~1 s of single-threaded
 * work (790 minibatch steps, then the evaluated split's probabilities) off the main thread, onto
 * the core the analyses leave idle.
 *
 * Inputs in shared memory (.npy files: load/shared-file.ts) are read by the worker in place. Other
 * inputs go over as a compact copy of just the rows it needs (the training sample, then the
 * evaluated rows), transferred rather than cloned; that copy costs the main thread 0.3–0.6 s at a
 * million records, mostly first touches of fresh pages. Either way the worker runs the same
 * fitLogisticRegression on the same values in the same order, so the result is bit for bit the
 * in-process one (test/analyses/baselines/logreg-thread.test.ts). If the thread cannot start or
 * fails, the baseline is trained in-process instead.
 */
import { isShared } from '../../load/shared-file.ts';
import type { ModelInputs } from '../../types.ts';
import { callOnThread, THREAD_COPY_BYTES } from '../../thread.ts';
import { logisticRegression, trainingSample, type LogRegInput, type LogRegResult } from './logreg.ts';

/** Bytes of the compact copy threadJob would make for training on `train`. */
export function threadCopyBytes(inp: LogRegInput, train: Int32Array): number {
  return (train.length + inp.evaluate.length) * inp.inputs.rowSize * inp.inputs.data.BYTES_PER_ELEMENT;
}

/**
 * Train and evaluate on a worker thread; on the main thread when the copy is too large (wide
 * Float32 inputs, say 50 000 features on a large evaluated split; a million MNIST-sized uint8
 * records need ~172 MB) or the thread fails.
 */
export async function logisticRegressionOnThread(inp: LogRegInput, maxCopyBytes = THREAD_COPY_BYTES): Promise<LogRegResult> {
  const train = trainingSample(inp);
  const shared = isShared(inp.inputs.data);
  if (!shared && threadCopyBytes(inp, train) > maxCopyBytes) return logisticRegression(inp);
  try {
    return await fitOnThread(shared ? { ...inp, train } : threadJob(inp, train));
  } catch {
    // No thread (or it failed): the same fit here, from the original inputs (a compact copy went to the thread).
    return logisticRegression(inp);
  }
}

/**
 * fitLogisticRegression(job) on the worker thread (src/thread.ts); rejects if the thread cannot
 * start or fails.
 * Shared inputs are shared as they are (the labels, the dataset's own, are cloned); a compact copy
 * is transferred, not cloned.
 */
export function fitOnThread(job: LogRegInput): Promise<LogRegResult> {
  const transfer = isShared(job.inputs.data) ? [] : ([job.inputs.data.buffer, job.labels.buffer] as ArrayBuffer[]);
  return callOnThread(new URL('./logreg.ts', import.meta.url).href, 'fitLogisticRegression', [job], transfer);
}

/**
 * What the thread gets to train on `train` and evaluate `inp.evaluate`: just those rows, copied into
 * inputs of their own (training rows first), with train and evaluate renumbered to match.
 */
export function threadJob(inp: LogRegInput, train: Int32Array): LogRegInput {
  const src = inp.inputs;
  const d = src.rowSize;
  const rows = new Int32Array(train.length + inp.evaluate.length);
  rows.set(train);
  rows.set(inp.evaluate, train.length);
  const data = src.data instanceof Uint8Array ? new Uint8Array(rows.length * d) : new Float32Array(rows.length * d);
  const labels = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    data.set(src.data.subarray(rows[r] * d, rows[r] * d + d), r * d);
    labels[r] = inp.labels[rows[r]];
  }
  const range = (from: number, count: number) => Int32Array.from({ length: count }, (_, i) => from + i);
  const inputs: ModelInputs = { file: src.file, n: rows.length, shape: src.shape, rowSize: d, data, scale: src.scale, offset: src.offset };
  return { ...inp, inputs, labels, train: range(0, train.length), evaluate: range(train.length, inp.evaluate.length) };
}
