/** tfjs layers checkpoints (model.json + weights) on tfjs-node, WebAssembly or cpu. */
import type { Checkpoint } from '../types.ts';
import { loadTf } from './backend.ts';
import { chunkRows } from './chunking.ts';
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
      // Fixed for the model: a record's tensor shape, its number of values and the records per call.
      const shape = inShape.map((d) => (d < 0 ? 1 : d));
      const rowSize = shape.reduce((a, b) => a * b, 1);
      // WebAssembly: calls of about CHUNK_VALUES input values (chunking.ts) keep the activations in cache
      // (several times more records per second than 1 024-record calls; rows are independent,
      // so the outputs are bit for bit the same). Native tfjs-node takes the batch whole.
      const wasmRows = backend === 'tfjs-wasm' ? chunkRows(rowSize) : 0;
      const run = (values: Float32Array, count: number) => {
        const out = tf.tidy(() => model.predict(tf.tensor(values, [count, ...shape])) as import('@tensorflow/tfjs').Tensor);
        const data = out.dataSync() as Float32Array;
        out.dispose();
        return data;
      };
      return {
        inputShape: inShape,
        outputs: outShape[outShape.length - 1] ?? -1,
        async predict(batch, rows) {
          // Any other length never made a tensor of `rows` records.
          if (rows > 0 && batch.length !== rows * rowSize) throw new Error(`${checkpoint.path}: a batch of ${rows} records needs ${rows * rowSize} values, got ${batch.length}`);
          const per = wasmRows || rows;
          if (rows <= per) return run(batch.subarray(0, rows * rowSize), rows);
          let result: Float32Array | null = null;
          for (let start = 0; start < rows; start += per) {
            const count = Math.min(per, rows - start);
            const part = run(batch.subarray(start * rowSize, (start + count) * rowSize), count);
            result ??= new Float32Array((part.length / count) * rows);
            result.set(part, (part.length / count) * start);
          }
          return result!;
        },
        dispose: () => model.dispose(),
      };
    },
  };
}
