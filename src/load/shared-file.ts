/**
 * File bytes in shared memory: a Uint8Array over a SharedArrayBuffer, which worker threads receive
 * without a copy. The inputs of a million-record audit are ~800 MB; the analyses' worker threads
 * (the input scan, the logistic-regression baseline) read them in place while the main thread runs
 * the other analyses. onnxruntime-node refuses tensors over shared memory, so the code-fed model
 * copies each batch of shared codes first (score/layers.ts), never passing a view.
 */
import { open, type FileHandle } from 'node:fs/promises';

const READ_BYTES = 2 ** 30;

/**
 * `length` bytes of the file from `position`, in memory of their own — shared unless `shared` is
 * false (e.g. a header that is parsed and dropped); throws if the file is shorter.
 */
export async function readFileRange(fh: FileHandle, position: number, length: number, file: string, shared = true): Promise<Uint8Array> {
  const out = new Uint8Array(shared ? new SharedArrayBuffer(length) : new ArrayBuffer(length));
  await readInto(fh, out, position, file);
  return out;
}

/**
 * The first out.length bytes of `file` into `out`: the worker thread's part of a read whose shared
 * memory the main thread allocated (load/inputs.ts prefetchInputs); throws if the file is shorter.
 */
export async function readFileInto(file: string, out: Uint8Array): Promise<void> {
  const fh = await open(file, 'r');
  try {
    await readInto(fh, out, 0, file);
  } finally {
    await fh.close();
  }
}

async function readInto(fh: FileHandle, out: Uint8Array, position: number, file: string): Promise<void> {
  const length = out.length;
  for (let off = 0; off < length; ) {
    // At most READ_BYTES a call: one read of a file beyond 2 GiB would be refused.
    const { bytesRead } = await fh.read(out, off, Math.min(length - off, READ_BYTES), position + off);
    if (bytesRead === 0) throw new Error(`${file}: the file ended while it was read (${off} of ${length} bytes from byte ${position})`);
    off += bytesRead;
  }
}

/** Whether a typed array's memory is shared (a SharedArrayBuffer). */
export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}
