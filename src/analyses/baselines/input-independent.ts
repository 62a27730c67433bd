/**
 * The model's own output on an all-zero input (in the model's input space), given to every record:
 * what the network predicts when it sees nothing. If this is close to the model, the inputs carry
 * little of what the model uses.
 */
import { constant } from './evaluate.ts';
import type { PredictedBaseline } from './types.ts';

export async function inputIndependent(
  predict: (checkpoint: number, batch: Float32Array, rows: number) => Promise<Float32Array>,
  checkpoint: number,
  checkpointId: string,
  rowSize: number,
  labels: Int32Array,
  k: number,
): Promise<PredictedBaseline> {
  const p = await predict(checkpoint, new Float32Array(rowSize), 1);
  const { pred, loss } = constant(p, labels, k);
  return { name: 'model on zeroed inputs', kind: 'input-independent', note: `checkpoint ${checkpointId} on an all-zero input; every record gets that one prediction`, pred, loss };
}
