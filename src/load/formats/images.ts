/**
 * Image folders: `<class>/<file>.png|jpg` (or `<split>/<class>/<file>` when dataset.split is set)
 * become a table of id (the relative path), label, split and file; pixels are decoded in-process
 * with pngjs / jpeg-js into uint8 grey or RGB rows.
 */
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { InputError } from '../../messages.ts';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);
/** Name of the table column holding each image's path relative to the folder. */
export const IMAGE_FILE_COLUMN = 'file';

export interface ImageFolderOptions {
  id: string;
  label: string;
  split: string | null;
}

/** List the folder as a table, sorted by path so the row order never depends on the file system. */
export async function readImageFolder(dir: string, opts: ImageFolderOptions, onWarn: (w: string) => void = () => {}): Promise<ColumnTable> {
  const subdirs = async (d: string) => (await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const splits = opts.split ? await subdirs(dir) : [null];
  const rows: { id: string; label: string; split: string | null; file: string }[] = [];
  let skipped = 0;
  for (const split of splits) {
    const base = split === null ? dir : join(dir, split);
    for (const label of await subdirs(base)) {
      const files = (await readdir(join(base, label), { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
      for (const f of files) {
        if (!IMAGE_EXT.has(extname(f).toLowerCase())) {
          skipped++;
          continue;
        }
        const rel = [split, label, f].filter((p) => p !== null).join('/');
        rows.push({ id: rel, label, split, file: rel });
      }
    }
  }
  const layout = opts.split ? '<split>/<class>/<file>.png|jpg' : '<class>/<file>.png|jpg';
  if (rows.length === 0) throw new InputError(dir, `an image folder laid out as ${layout}`, 'no images');
  if (skipped) onWarn(`${dir}: ${skipped} file(s) that are not .png/.jpg were ignored`);
  const cols: Record<string, unknown[]> = { [opts.id]: rows.map((r) => r.id), [opts.label]: rows.map((r) => r.label) };
  if (opts.split) cols[opts.split] = rows.map((r) => r.split);
  cols[IMAGE_FILE_COLUMN] = rows.map((r) => r.file);
  return aq.table(cols);
}

export interface DecodedImage {
  width: number;
  height: number;
  /** Row-major, `channels` values per pixel (1 = grey, 3 = RGB), alpha dropped. */
  pixels: Uint8Array;
}

/** Decode a PNG or JPEG file; throws an InputError naming the file when the bytes do not decode. */
export async function decodeImage(file: string, channels: 1 | 3): Promise<DecodedImage> {
  return decodeImageBytes(file, await readFile(file), channels);
}

/** decodeImage of bytes already read from `file` (its name picks the format and names it in errors). */
export function decodeImageBytes(file: string, bytes: Buffer, channels: 1 | 3): DecodedImage {
  let rgba: { width: number; height: number; data: Uint8Array };
  try {
    rgba = extname(file).toLowerCase() === '.png' ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  } catch (e) {
    throw new InputError(file, 'a decodable PNG or JPEG image', `an undecodable file (${String((e as Error)?.message ?? e).split('\n')[0]})`);
  }
  const { width, height, data } = rgba;
  const pixels = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    const r = data[p * 4];
    const g = data[p * 4 + 1];
    const b = data[p * 4 + 2];
    if (channels === 1) pixels[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      pixels[p * 3] = r;
      pixels[p * 3 + 1] = g;
      pixels[p * 3 + 2] = b;
    }
  }
  return { width, height, pixels };
}

/** One image of decodeImageFiles: its pixels, or why it did not decode (an InputError's `found`), or another failure. */
export type DecodedOrNot = { ok: true; image: DecodedImage } | { ok: false; found: string } | { ok: false; fatal: string };

/**
 * Read and decode `files` (for a worker thread: load/inputs.ts hands it every other chunk of an
 * image folder). Failures come back as values, so one bad image does not lose the chunk.
 */
export async function decodeImageFiles(files: string[], channels: 1 | 3): Promise<DecodedOrNot[]> {
  const out: DecodedOrNot[] = [];
  for (const file of files) {
    try {
      out.push({ ok: true, image: decodeImageBytes(file, await readFile(file), channels) });
    } catch (e) {
      out.push(e instanceof InputError ? { ok: false, found: e.found } : { ok: false, fatal: String((e as Error)?.message ?? e) });
    }
  }
  return out;
}
