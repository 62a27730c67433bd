/** Tiny PNG / JPEG files for image-folder tests. */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** A w×h RGBA PNG whose pixel (x, y) is (10x, 10y, 7, 255). */
export function png(w: number, h: number): Buffer {
  const img = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data.set([10 * x, 10 * y, 7, 255], (y * w + x) * 4);
  return PNG.sync.write(img);
}

/** A w×h JPEG of one grey level. */
export function jpg(w: number, h: number, grey: number): Buffer {
  return jpeg.encode({ width: w, height: h, data: Buffer.alloc(w * h * 4, grey) }, 100).data;
}
