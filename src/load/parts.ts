/**
 * Multi-part prediction files as written by distributed engines — Spark (`part-00000-….parquet`),
 * Dask (`part.0.parquet`), Ray Data (`<uuid>_000000_000000.parquet` is not covered: rename or use a
 * `part-` prefix) — where one folder holds one checkpoint's predictions split across part files.
 * The folder is then the checkpoint: its name gives the id and the step (`epoch=3` → 3), and the
 * precomputed reader concatenates its parts in name order.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

const PART = /^part[-.]\d+/i;

/** True for a Spark/Dask part file name (`part-00000…`, `part.0…`). */
export function isPartFile(path: string): boolean {
  return PART.test(basename(path));
}

/** The path a checkpoint is named and ordered by: a part file's folder, else the path itself. */
export function checkpointPathOf(rel: string): string {
  return isPartFile(rel) ? dirname(rel) : rel;
}

/** Keep one path (the first part, in name order) per folder of part files; other paths unchanged. */
export function collapseParts(paths: string[]): string[] {
  const seen = new Set<string>();
  return [...paths].sort().filter((p) => {
    if (!isPartFile(p)) return true;
    const dir = dirname(p);
    if (seen.has(dir)) return false;
    seen.add(dir);
    return true;
  });
}

/** Every part file next to `file` with the same extension, in name order (just `file` if it is not a part). */
export function siblingParts(file: string): string[] {
  if (!isPartFile(file)) return [file];
  const ext = extname(file).toLowerCase();
  const dir = dirname(file);
  return readdirSync(dir)
    .filter((f) => PART.test(f) && extname(f).toLowerCase() === ext)
    .sort()
    .map((f) => join(dir, f));
}
