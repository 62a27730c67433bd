/**
 * Some rows of an .npy file, read alone: a shard needs only its records' rows of the model inputs
 * (load/inputs.ts) or of a checkpoint's predictions (score/precomputed.ts), not the whole file.
 */
import type { FileHandle } from 'node:fs/promises';
import { checkNpyData, npyHeaderEnd, parseNpyHeader, type NpyHeader } from './formats/npy.ts';
import { withFile } from './read-whole.ts';
import { readFileRange } from './shared-file.ts';

/** The header of the .npy file open as `fh` (`size` bytes long). */
async function readNpyHeader(fh: FileHandle, size: number, file: string): Promise<NpyHeader> {
  let head = await readFileRange(fh, 0, Math.min(size, 1 << 16), file, false);
  // A header longer than the first read is rare but legal.
  const headerEnd = npyHeaderEnd(head);
  if (headerEnd > head.length && headerEnd <= size) head = await readFileRange(fh, 0, headerEnd, file, false);
  return parseNpyHeader(head, file);
}

/**
 * The header and the bytes of rows [start, end) of an .npy file (`key` names it in errors): `check`
 * sees the header first (e.g. the row count the dataset needs); throws when the file holds less
 * data than its header describes. The bytes are in shared memory when `shared` is set.
 */
export function readNpyRows(file: string, key: string, start: number, end: number, opts: { check?: (header: NpyHeader) => void; shared?: boolean } = {}): Promise<{ header: NpyHeader; rows: Uint8Array }> {
  return withFile(file, key, async (fh, size) => {
    const header = await readNpyHeader(fh, size, file);
    opts.check?.(header);
    checkNpyData(header, size - header.offset, file);
    const rowBytes = header.shape.slice(1).reduce((a, b) => a * b, 1) * header.bytes;
    const last = Math.min(end, header.shape[0] ?? 0);
    const first = Math.min(start, last);
    return { header, rows: await readFileRange(fh, header.offset + first * rowBytes, (last - first) * rowBytes, file, opts.shared ?? false) };
  });
}
