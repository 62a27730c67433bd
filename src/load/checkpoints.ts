/**
 * Discovers checkpoints with a glob and orders them by training step. The step is the last integer
 * in the checkpoint's path relative to the config folder ("checkpoints/epoch-03/model.json" → 3);
 * ties and step-less paths fall back to path order, so the order is always deterministic.
 */
import { relative, sep } from 'node:path';
import { globby } from 'globby';
import { messages } from '../messages.ts';
import type { Checkpoint } from '../types.ts';
import { checkpointPathOf, collapseParts } from './parts.ts';

export async function discoverCheckpoints(pattern: string, baseDir: string): Promise<Checkpoint[]> {
  // A folder of part files (Spark/Dask predictions) is one checkpoint: src/load/parts.ts.
  const paths = collapseParts(await globby(pattern, { cwd: baseDir, absolute: true, onlyFiles: true }));
  if (paths.length === 0) throw messages.noCheckpoints(pattern);
  const found = paths.map((path) => {
    const rel = checkpointPathOf(relative(baseDir, path).split(sep).join('/'));
    return { id: checkpointId(rel), step: stepOf(rel), path };
  });
  found.sort((a, b) => (a.step - b.step) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let lastStep = -1;
  return found.map((c, i) => {
    // Step-less checkpoints keep their position after the numbered ones.
    const step = Number.isFinite(c.step) ? c.step : lastStep + 1;
    lastStep = step;
    return { ...c, id: uniqueId(c.id, found.slice(0, i).map((f) => f.id)), step };
  });
}

/** The folder name for `<dir>/model.json`-style checkpoints, otherwise the file name. */
function checkpointId(rel: string): string {
  const parts = rel.split('/');
  const file = parts[parts.length - 1];
  if (/^(model\.json|model\.onnx|saved_model\.pb)$/.test(file) && parts.length > 1) return parts[parts.length - 2];
  return file.replace(/\.[^.]+$/, '');
}

function stepOf(rel: string): number {
  const stem = rel.replace(/\.(json|onnx|pb|npy|csv|jsonl|parquet)$/i, '');
  const ints = stem.match(/\d+/g);
  return ints ? Number(ints[ints.length - 1]) : Number.POSITIVE_INFINITY;
}

function uniqueId(id: string, earlier: string[]): string {
  if (!earlier.includes(id)) return id;
  let i = 2;
  while (earlier.includes(`${id}-${i}`)) i++;
  return `${id}-${i}`;
}

