/**
 * Builds the penguins example table from the Palmer penguins data shipped in `vega-datasets`
 * (344 penguins, three species), keeping its real defects: two penguins with no measurements at
 * all, ten with no sex recorded and one whose sex is ".". Adds a stable id and a seeded 75/25
 * train/val split; nothing else is changed.
 *
 *   tsx examples/penguins/prepare.ts    # rewrites penguins.csv (byte-identical on every run)
 */
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mulberry32, shuffle } from '../../src/stats/rng.ts';

export const SEED = 20261130;
export const DIR = dirname(fileURLToPath(import.meta.url));
export const SPECIES = ['Adelie', 'Chinstrap', 'Gentoo'] as const;
export const TRAIN_SHARE = 0.75;

interface Raw {
  Species: string;
  Island: string;
  'Beak Length (mm)': number | null;
  'Beak Depth (mm)': number | null;
  'Flipper Length (mm)': number | null;
  'Body Mass (g)': number | null;
  Sex: string | null;
}

export function buildCsv(): string {
  // The package exports only its JS entry (build/index.js); the data files sit next to build/.
  const entry = createRequire(import.meta.url).resolve('vega-datasets');
  const rows = JSON.parse(readFileSync(join(dirname(entry), '..', 'data', 'penguins.json'), 'utf8')) as Raw[];
  const n = rows.length;
  const isTrain = new Array<boolean>(n).fill(false);
  for (const i of shuffle(Array.from({ length: n }, (_, i) => i), mulberry32(SEED)).slice(0, Math.round(n * TRAIN_SHARE))) isTrain[i] = true;
  const cell = (v: string | number | null) => (v === null ? '' : String(v));
  const lines = rows.map((r, i) =>
    [
      `penguin-${String(i + 1).padStart(3, '0')}`, r.Species, isTrain[i] ? 'train' : 'val', r.Island,
      cell(r['Beak Length (mm)']), cell(r['Beak Depth (mm)']), cell(r['Flipper Length (mm)']), cell(r['Body Mass (g)']), cell(r.Sex),
    ].join(','),
  );
  return 'id,species,split,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\n' + lines.join('\n') + '\n';
}

export async function prepare(dir = DIR): Promise<string> {
  const path = join(dir, 'penguins.csv');
  const csv = buildCsv();
  await writeFile(`${path}.tmp-${process.pid}`, csv);
  await rename(`${path}.tmp-${process.pid}`, path);
  return `prepare: wrote ${path} (${csv.trimEnd().split('\n').length - 1} penguins)`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) console.error(await prepare());
