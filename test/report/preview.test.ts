/**
 * Image previews share one grey scale over the whole input set: [0, 1] widened to the smallest and
 * largest value that occurs in any record.
 */
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { RecordPreview } from '../../src/analyses/types.ts';
import { createPreviewer } from '../../src/report/preview.ts';
import type { Dataset, ModelInputs } from '../../src/types.ts';

const display = { type: 'image', width: 2, height: 2, channels: 1 } as const;

function setup(data: Uint8Array | Float32Array, scaling: { scale?: number; offset?: number } = {}) {
  const n = data.length / 4;
  const dataset = { ids: Array.from({ length: n }, (_, i) => `r${i}`) } as unknown as Dataset;
  const inputs: ModelInputs = { file: '/fake/inputs.npy', n, shape: [2, 2, 1], rowSize: 4, data, ...scaling };
  return createPreviewer(display, dataset, inputs);
}

/** The grey values a standard PNG decoder reads from the preview. */
function grey(preview: RecordPreview): number[] {
  if (preview.kind !== 'image') throw new Error(`not an image: ${preview.kind}`);
  const png = PNG.sync.read(Buffer.from(preview.src.replace('data:image/png;base64,', ''), 'base64'));
  return Array.from({ length: 4 }, (_, p) => png.data[p * 4]);
}

/** Expected grey value of v on the scale [min, max]. */
const shade = (v: number, min: number, max: number) => Math.round(((Math.fround(v) - min) / (max - min)) * 255);

describe('createPreviewer (image)', () => {
  it('uint8 codes scaled into [0, 1] keep the [0, 1] scale (nothing to scan)', () => {
    const preview = setup(Uint8Array.from([0, 51, 102, 255, 7, 7, 7, 7]), { scale: 1 / 255 });
    expect(grey(preview(0))).toEqual([0, 51, 102, 255]);
    expect(grey(preview(1))).toEqual([7, 7, 7, 7]);
  });

  it('uint8 codes mapped outside [0, 1]: the scale spans the extreme values of codes that occur in any record', () => {
    // value = code · 0.01 − 0.5: code 0 → −0.5 and code 200 → 1.5 occur (record 0 only); code 255 never does.
    const preview = setup(Uint8Array.from([0, 100, 150, 200, 50, 50, 50, 50]), { scale: 0.01, offset: -0.5 });
    expect(grey(preview(1))).toEqual(new Array(4).fill(shade(50 * 0.01 - 0.5, -0.5, 1.5)));
    expect(grey(preview(0))).toEqual([0, shade(0.5, -0.5, 1.5), shade(1, -0.5, 1.5), 255]);
  });

  it('uint8 codes mapped outside [0, 1] only above: the scale starts at 0', () => {
    const preview = setup(Uint8Array.from([10, 20, 30, 40]), { scale: 0.05 });
    expect(grey(preview(0))).toEqual([10, 20, 30, 40].map((c) => shade(c * 0.05, 0, 2)));
  });

  it('float inputs: the range of every value', () => {
    const preview = setup(Float32Array.from([-1, 0, 0.5, 3, 1, 1, 1, 1]));
    expect(grey(preview(1))).toEqual(new Array(4).fill(shade(1, -1, 3)));
    expect(grey(preview(0))).toEqual([0, shade(0, -1, 3), shade(0.5, -1, 3), 255]);
  });
});
