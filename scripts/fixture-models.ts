/**
 * The checkpoints of the small test fixtures: one dense softmax layer (features → classes) per
 * step, saved as tfjs layers models under `dir/step-NNNN`. Scale 0 keeps the seeded glorot-uniform
 * weights (an untrained model); scale s > 0 maps feature c to class c with weight s (a near-perfect
 * classifier for data centred on feature c).
 */
import { join } from 'node:path';
import { loadTf } from '../src/score/backend.ts';
import { saveLayersModel } from '../src/score/tfjs-files.ts';

export async function saveDenseCheckpoints(dir: string, d: number, k: number, initSeed: number, steps: readonly (readonly [step: number, scale: number])[]): Promise<void> {
  const { tf } = await loadTf('tfjs-wasm');
  for (const [step, scale] of steps) {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [d], units: k, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: initSeed }) })] });
    if (scale > 0) {
      const w = new Float32Array(d * k);
      for (let c = 0; c < k; c++) w[c * k + c] = scale;
      model.layers[0].setWeights([tf.tensor2d(w, [d, k]), tf.zeros([k])]);
    }
    await saveLayersModel(tf, model, join(dir, `step-${String(step).padStart(4, '0')}`));
  }
}
