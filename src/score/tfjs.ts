/** tfjs layers checkpoints (model.json + weights) on tfjs-node, WebAssembly or cpu. */
import type { Checkpoint } from '../types.ts';
import { loadTf } from './backend.ts';
import type { LoadedModel, ScoringRuntime } from './runtime.ts';
import { loadLayersModel } from './tfjs-files.ts';

export async function createTfjsRuntime(): Promise<ScoringRuntime> {
  const { tf, backend, warnings } = await loadTf();
  return {
    name: backend,
    warnings,
    async load(checkpoint: Checkpoint): Promise<LoadedModel> {
      const model = await loadLayersModel(tf, checkpoint.path);
      const inShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
      const outShape = model.outputs[0].shape;
      return {
        inputShape: inShape,
        outputs: outShape[outShape.length - 1] ?? -1,
        async predict(batch, rows) {
          const out = tf.tidy(() => {
            const x = tf.tensor(batch, [rows, ...inShape.map((d) => (d < 0 ? 1 : d))]);
            return model.predict(x) as import('@tensorflow/tfjs').Tensor;
          });
          const data = (await out.data()) as Float32Array;
          out.dispose();
          return data;
        },
        dispose: () => model.dispose(),
      };
    },
  };
}
