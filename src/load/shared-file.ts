/**
 * Read a whole file into shared memory: a Uint8Array over a SharedArrayBuffer, which worker threads
 * receive without a copy (the inputs of a million-record audit are ~800 MB; the logistic-regression
 * baseline reads them from its own thread while the other analyses run).
 */
import { open } from 'node:fs/promises';

export async function readFileShared(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const out = new Uint8Array(new SharedArrayBuffer(size));
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(out, off, size - off, off);
      if (bytesRead === 0) throw new Error(`${path}: the file shrank while it was read (${off} of ${size} bytes)`);
      off += bytesRead;
    }
    return out;
  } finally {
    await fh.close();
  }
}
