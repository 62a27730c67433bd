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
  const rels = paths.map((path) => checkpointPathOf(relative(baseDir, path).split(sep).join('/')));
  const ids = checkpointIds(rels);
  const found = paths.map((path, i) => ({ id: ids[i], step: stepOf(rels[i]), path }));
  found.sort((a, b) => (a.step - b.step) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let lastStep = -1;
  const taken = new Set<string>();
  return found.map((c) => {
    // Step-less checkpoints keep their position after the numbered ones.
    const step = Number.isFinite(c.step) ? c.step : lastStep + 1;
    lastStep = step;
    const id = uniqueId(c.id, taken);
    taken.add(id);
    return { ...c, id, step };
  });
}

/**
 * Ids by checkpointId; file names that repeat (`epoch-1/logits.npy`, `epoch-2/logits.npy`) take
 * their folder's name when that tells them apart (`epoch-1`, `epoch-2`), else — as do model folders
 * that repeat (`a/step-1/model.json`, `b/step-1/model.json`) — their path without the file
 * extension or model file name. A numbered suffix ("logits-2" for epoch 1) would name the wrong epoch.
 */
function checkpointIds(rels: string[]): string[] {
  const repeated = (ids: string[]) => {
    const seen = new Map<string, number>();
    for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    return (id: string) => seen.get(id)! > 1;
  };
  const base = rels.map(checkpointId);
  const clash = repeated(base);
  if (!base.some(clash)) return base;
  const folder = rels.map((rel, i) => (clash(base[i]) ? folderOf(rel) : base[i]));
  const still = repeated(folder);
  return folder.map((id, i) => (clash(base[i]) && (id === '' || still(id)) ? pathId(rels[i]) : id));
}

/** The folder a checkpoint file sits in; '' at the top or for a model file (its folder is already its id). */
function folderOf(rel: string): string {
  const parts = rel.split('/');
  return parts.length > 1 && !MODEL_FILE.test(parts[parts.length - 1]) ? parts[parts.length - 2] : '';
}

/** The checkpoint's path without its extension, or without its model file name. */
function pathId(rel: string): string {
  return MODEL_FILE.test(rel.split('/').pop()!) ? rel.slice(0, rel.lastIndexOf('/')) : rel.replace(/\.[^./]+$/, '');
}

/** File names that say nothing about the checkpoint: its folder names it. */
const MODEL_FILE = /^(model\.json|model\.onnx|saved_model\.pb)$/;

/** The folder name for `<dir>/model.json`-style checkpoints, otherwise the file name. */
function checkpointId(rel: string): string {
  const parts = rel.split('/');
  const file = parts[parts.length - 1];
  if (MODEL_FILE.test(file) && parts.length > 1) return parts[parts.length - 2];
  return file.replace(/\.[^.]+$/, '');
}

function stepOf(rel: string): number {
  const stem = rel.replace(/\.(json|onnx|pb|npy|csv|jsonl|parquet)$/i, '');
  const ints = stem.match(/\d+/g);
  return ints ? Number(ints[ints.length - 1]) : Number.POSITIVE_INFINITY;
}

/** `id`, or `id-2`, `id-3`, … if an earlier checkpoint took it (only if two paths still share a name). */
function uniqueId(id: string, taken: Set<string>): string {
  if (!taken.has(id)) return id;
  let i = 2;
  while (taken.has(`${id}-${i}`)) i++;
  return `${id}-${i}`;
}

