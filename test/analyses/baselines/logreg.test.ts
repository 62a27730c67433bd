/** The logistic regression's input standardisation: uint8 inputs through a per-column table of their 256 results. */
import { describe, expect, it } from 'vitest';
import { standardise } from '../../../src/analyses/baselines/logreg.ts';
import { codeTable } from '../../../src/load/input-values.ts';
import { mulberry32 } from '../../../src/stats/rng.ts';
import type { ModelInputs } from '../../../src/types.ts';

describe('standardise', () => {
  it('gives uint8 inputs, looked up per column, the float32 of (value − mean) / sd computed per element', () => {
    const rng = mulberry32(5);
    const n = 1000;
    const d = 7;
    const inputs: ModelInputs = { file: 'x.npy', n, shape: [d], rowSize: d, data: Uint8Array.from({ length: n * d }, () => Math.floor(rng() * 256)), scale: 1 / 255, offset: -0.5 };
    const mean = Float64Array.from({ length: d }, () => rng() - 0.5);
    const sd = Float64Array.from({ length: d }, () => 0.1 + rng());
    const rows = Int32Array.from({ length: 600 }, () => Math.floor(rng() * n)); // more rows than codes: the table is used
    const codes = codeTable(inputs)!;
    const expected = new Float32Array(rows.length * d);
    rows.forEach((i, r) => {
      for (let j = 0; j < d; j++) expected[r * d + j] = (codes[inputs.data[i * d + j]] - mean[j]) / sd[j];
    });
    expect(Buffer.from(standardise(inputs, rows, mean, sd).buffer)).toEqual(Buffer.from(expected.buffer));
  });
});
