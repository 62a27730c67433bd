/** Worker-thread entry of logreg-thread.ts: fit the job it was given and post the one result. */
import { parentPort, workerData } from 'node:worker_threads';
import { fitLogisticRegression, type LogRegInput } from './logreg.ts';

const { job } = workerData as { job: LogRegInput };
try {
  const r = await fitLogisticRegression(job);
  parentPort!.postMessage(r, [r.pred.buffer, r.loss.buffer] as ArrayBuffer[]);
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message });
}
