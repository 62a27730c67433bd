/**
 * Content hash of an evaluated split, for test-set discipline: the same records with the same labels
 * and the same input values give the same hash, whatever the file is called or where it lives.
 * sha256 over, per record in dataset order: id, NUL, label name, NUL, then the Float32 input row.
 */
import { createHash } from 'node:crypto';
import { rowValues } from '../load/input-values.ts';
import type { Dataset, ModelInputs } from '../types.ts';

export function splitHash(dataset: Dataset, inputs: ModelInputs | null, split: string): string {
  const s = dataset.splitNames.indexOf(split);
  const h = createHash('sha256');
  const scratch = new Float32Array(inputs?.rowSize ?? 0);
  for (let i = 0; i < dataset.n; i++) {
    if (dataset.split[i] !== s) continue;
    const label = dataset.labels[i] >= 0 ? dataset.classes[dataset.labels[i]] : '';
    h.update(`${dataset.ids[i]}\u0000${label}\u0000`);
    if (inputs) {
      const row = rowValues(inputs, i, scratch);
      h.update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
    }
  }
  return `sha256:${h.digest('hex').slice(0, 32)}`;
}

/** Splits whose name says they are the held-out test set. */
export const isTestSplit = (split: string): boolean => /^(test|testing|holdout|held[-_]?out)$/i.test(split);
