/**
 * Generates test/fixtures/tiny: 40 records × 4 features, 3 classes, two tfjs layers checkpoints
 * (an untrained and a hand-set one), used by the end-to-end CLI tests. Deterministic.
 * Run: npx tsx scripts/gen-tiny-fixture.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNpy } from '../src/load/formats/npy.ts';
import { mulberry32 } from '../src/stats/rng.ts';
import { saveDenseCheckpoints } from './fixture-models.ts';

const OUT = new URL('../test/fixtures/tiny/', import.meta.url).pathname;
const N = 40;
const K = 3;
const D = 4;

const rng = mulberry32(7);
const rows: string[] = ['id,label,split,site'];
const x = new Float32Array(N * D);
for (let i = 0; i < N; i++) {
  const label = i % K;
  // Class c is centred on feature c; feature 3 is noise.
  for (let j = 0; j < D; j++) x[i * D + j] = Number(((j === label ? 2 : 0) + (rng() - 0.5)).toFixed(3));
  // Record 5 carries a wrong label: the audit should find it.
  const given = i === 5 ? (label + 1) % K : label;
  rows.push(`r${String(i).padStart(2, '0')},${['cat', 'dog', 'owl'][given]},${i < 30 ? 'train' : 'val'},${i % 4 === 0 ? 'north' : 'south'}`);
}
await mkdir(join(OUT, 'checkpoints'), { recursive: true });
await writeFile(join(OUT, 'records.csv'), `${rows.join('\n')}\n`);
await writeFile(join(OUT, 'inputs.npy'), encodeNpy({ dtype: 'float32', shape: [N, D], data: x }));

// An untrained checkpoint and one whose weights map feature c to class c: a near-perfect classifier.
await saveDenseCheckpoints(join(OUT, 'checkpoints'), D, K, 1, [[0, 0], [100, 3]]);
await writeFile(
  join(OUT, 'losslens.config.json'),
  `${JSON.stringify(
    {
      name: 'tiny',
      dataset: { file: 'records.csv', split: 'split', classes: ['cat', 'dog', 'owl'], groupBy: ['site'] },
      inputs: { file: 'inputs.npy' },
      model: { type: 'tfjs-layers', checkpoints: 'checkpoints/*/model.json' },
      analysis: { topK: 5 },
      seed: 3,
    },
    null,
    2,
  )}\n`,
);
process.stderr.write(`wrote ${OUT}\n`);
