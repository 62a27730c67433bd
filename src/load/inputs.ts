/**
 * Loads model inputs (one row per dataset record) into a Float32Array, applying the configured
 * `scale`/`offset` (e.g. uint8 pixels × 1/255).
 */
import { readFile } from 'node:fs/promises';
import type { Config } from '../config.ts';
import { InputError, messages } from '../messages.ts';
import type { ModelInputs } from '../types.ts';
import { parseNpy } from './formats/npy.ts';

export async function loadInputs(cfg: NonNullable<Config['inputs']>, expectedRows: number): Promise<ModelInputs> {
  let buf: Uint8Array;
  try {
    buf = await readFile(cfg.file);
  } catch {
    throw messages.missingFile('inputs.file', cfg.file);
  }
  if (!cfg.file.toLowerCase().endsWith('.npy')) {
    throw new InputError(cfg.file, 'model inputs as a .npy array', `a "${cfg.file.split('.').pop()}" file`);
  }
  const arr = parseNpy(buf, cfg.file);
  if (arr.shape.length < 2) throw new InputError(cfg.file, 'an array of shape [records, ...features]', `shape [${arr.shape.join(', ')}]`);
  const [n, ...shape] = arr.shape;
  if (n !== expectedRows) {
    throw new InputError(cfg.file, `${expectedRows} rows (one per dataset record, in dataset order)`, `${n} rows`);
  }
  const rowSize = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n * rowSize);
  const src = arr.data;
  const { scale, offset } = cfg;
  if (src instanceof BigInt64Array) {
    for (let i = 0; i < data.length; i++) data[i] = Number(src[i]) * scale + offset;
  } else {
    for (let i = 0; i < data.length; i++) data[i] = src[i] * scale + offset;
  }
  return { file: cfg.file, n, shape, rowSize, data };
}

/** Index of the first non-finite value in each row, or -1: such records cannot be scored. */
export function firstNonFinite(inputs: ModelInputs, row: number): number {
  const base = row * inputs.rowSize;
  for (let j = 0; j < inputs.rowSize; j++) if (!Number.isFinite(inputs.data[base + j])) return j;
  return -1;
}
