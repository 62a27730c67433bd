/**
 * Run one checkpoint on arbitrary input rows and return probabilities, interpreting the outputs
 * as the scoring pass did (probabilities, or logits → softmax). Used by analyses that need the
 * model on inputs outside the dataset (e.g. the input-independent baseline on zeroed inputs).
 */
import type { Checkpoint } from '../types.ts';
import type { ScoringRuntime } from './runtime.ts';

export async function predictProbs(runtime: ScoringRuntime, checkpoint: Checkpoint, batch: Float32Array, rows: number, kind: 'probabilities' | 'logits'): Promise<Float32Array> {
  const model = await runtime.load(checkpoint);
  try {
    const out = await model.predict(batch, rows);
    return kind === 'logits' ? softmaxRows(out, rows) : Float32Array.from(out);
  } finally {
    model.dispose();
  }
}

export function softmaxRows(out: Float32Array, rows: number): Float32Array {
  const k = out.length / rows;
  const p = new Float32Array(out.length);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, out[r * k + j]);
    let sum = 0;
    for (let j = 0; j < k; j++) sum += (p[r * k + j] = Math.exp(out[r * k + j] - max));
    for (let j = 0; j < k; j++) p[r * k + j] /= sum;
  }
  return p;
}
