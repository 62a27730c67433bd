/**
 * Content hash of an evaluated split, for test-set discipline: the same records with the same labels
 * and the same input values give the same hash, whatever the file is called or where it lives.
 * sha256 over, per record in dataset order: id, NUL, label name, NUL, then the Float32 input row.
 */
import { createHash } from 'node:crypto';
import type { Dataset, ModelInputs } from '../types.ts';

export function splitHash(dataset: Dataset, inputs: ModelInputs | null, split: string): string {
  const s = dataset.splitNames.indexOf(split);
  const h = createHash('sha256');
  for (let i = 0; i < dataset.n; i++) {
    if (dataset.split[i] !== s) continue;
    const label = dataset.labels[i] >= 0 ? dataset.classes[dataset.labels[i]] : '';
    h.update(`${dataset.ids[i]}\u0000${label}\u0000`);
    if (inputs) {
      const row = inputs.data.subarray(i * inputs.rowSize, (i + 1) * inputs.rowSize);
      h.update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
    }
  }
  return `sha256:${h.digest('hex').slice(0, 32)}`;
}

/** Splits whose name says they are the held-out test set. */
export const isTestSplit = (split: string): boolean => /^(test|testing|holdout|held[-_]?out)$/i.test(split);
