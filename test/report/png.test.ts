import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../src/report/png.ts';

describe('encodePng', () => {
  it('encodes grey and RGB pixels that a standard decoder reads back exactly', () => {
    const grey = Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 7) % 256);
    const g = PNG.sync.read(Buffer.from(encodePng(grey, 28, 28, 1)));
    expect([g.width, g.height]).toEqual([28, 28]);
    for (let i = 0; i < grey.length; i++) expect(g.data[i * 4]).toBe(grey[i]);

    const rgb = Uint8Array.from({ length: 3 * 5 * 3 }, (_, i) => (i * 31) % 256);
    const c = PNG.sync.read(Buffer.from(encodePng(rgb, 5, 3, 3)));
    for (let p = 0; p < 15; p++) expect([c.data[p * 4], c.data[p * 4 + 1], c.data[p * 4 + 2]]).toEqual([rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]]);
  });

  it('splits images larger than one stored deflate block (64 KiB)', () => {
    const big = Uint8Array.from({ length: 300 * 300 }, (_, i) => i % 251);
    const d = PNG.sync.read(Buffer.from(encodePng(big, 300, 300, 1)));
    expect(d.data[4 * 299 * 300]).toBe(big[299 * 300]);
  });

  it('is deterministic', () => {
    const px = new Uint8Array(16).fill(9);
    expect(Buffer.from(encodePng(px, 4, 4, 1)).equals(Buffer.from(encodePng(px, 4, 4, 1)))).toBe(true);
  });
});
