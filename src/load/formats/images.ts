/**
 * Image folders: `<class>/<file>.png|jpg` (or `<split>/<class>/<file>` when dataset.split is set)
 * become a table of id (the relative path), label, split and file; pixels are decoded in-process
 * with pngjs / jpeg-js into uint8 grey or RGB rows.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
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

/**
 * List the folder as a table, sorted by path so the row order never depends on the file system.
 * As torchvision's ImageFolder and Keras's image_dataset_from_directory do, a class folder's
 * sub-folders are searched too and symbolic links followed (each real folder once); hidden
 * entries (".ipynb_checkpoints", ".DS_Store") are skipped, and what is ignored is counted in a
 * warning rather than dropped silently.
 */
export async function readImageFolder(dir: string, opts: ImageFolderOptions, onWarn: (w: string) => void = () => {}): Promise<ColumnTable> {
  const ignored = { notImages: 0, hidden: 0, outside: 0 };
  const seen = new Set<string>();
  const entries = async (d: string) => {
    const dirs: string[] = [];
    const files: string[] = [];
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) {
        ignored.hidden++;
        continue;
      }
      const kind = e.isSymbolicLink() ? await stat(join(d, e.name)).then((st) => (st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other'), () => 'other') : e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other';
      if (kind === 'dir') dirs.push(e.name);
      else if (kind === 'file') files.push(e.name);
    }
    return { dirs: dirs.sort(), files: files.sort() };
  };
  const rows: { id: string; label: string; split: string | null; file: string }[] = [];
  // Every image under `rel` (a class folder, or a folder inside one), in path order.
  const walk = async (rel: string, label: string, split: string | null): Promise<void> => {
    const { dirs, files } = await entries(join(dir, rel));
    for (const f of files) {
      if (!IMAGE_EXT.has(extname(f).toLowerCase())) ignored.notImages++;
      else rows.push({ id: `${rel}/${f}`, label, split, file: `${rel}/${f}` });
    }
    for (const d of dirs) {
      const real = await realpath(join(dir, rel, d));
      // A link back up the tree or to another class's folder would count its images twice, under the wrong class.
      if (seen.has(real)) continue;
      seen.add(real);
      await walk(`${rel}/${d}`, label, split);
    }
  };
  const top = await entries(dir);
  const splits = opts.split ? top.dirs : [null];
  if (!opts.split) ignored.outside += top.files.length;
  const classFolders: { rel: string; label: string; split: string | null }[] = [];
  seen.add(await realpath(dir));
  for (const split of splits) {
    const level = split === null ? top : await entries(join(dir, split));
    if (split !== null) {
      ignored.outside += level.files.length;
      seen.add(await realpath(join(dir, split)));
    }
    for (const label of level.dirs) classFolders.push({ rel: split === null ? label : `${split}/${label}`, label, split });
  }
  for (const c of classFolders) seen.add(await realpath(join(dir, c.rel)));
  for (const c of classFolders) await walk(c.rel, c.label, c.split);
  const layout = opts.split ? '<split>/<class>/<file>.png|jpg' : '<class>/<file>.png|jpg';
  if (rows.length === 0) throw new InputError(dir, `an image folder laid out as ${layout}`, 'no images');
  const notes = [
    ignored.notImages && `${ignored.notImages} file(s) that are not .png/.jpg`,
    ignored.outside && `${ignored.outside} file(s) outside a ${opts.split ? '<split>/<class>' : 'class'} folder`,
    ignored.hidden && `${ignored.hidden} hidden file(s) or folder(s) (names starting with ".")`,
  ].filter(Boolean);
  if (notes.length) onWarn(`${dir}: ${notes.join(', ')} were ignored`);
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
    throw new InputError(file, 'a decodable PNG or JPEG image', bytes.length === 0 ? 'an empty file' : `an undecodable file (${undecodable(e)})`);
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

/** The decoder's reason, in words where its own are its internals. */
function undecodable(e: unknown): string {
  const message = String((e as Error)?.message ?? e).split('\n')[0];
  // pngjs's words for a file that ends before its image data does.
  return /read requests waitng on finished stream|unexpected end/i.test(message) ? `truncated: ${message}` : message;
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
