import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InputsConfig } from '../../src/config.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { encodeNpy } from '../../src/load/formats/npy.ts';
import { fillBatch, firstNonFinite } from '../../src/load/input-values.ts';
import { loadInputRows, loadInputs, prefetchInputs } from '../../src/load/inputs.ts';
import { isShared } from '../../src/load/shared-file.ts';
import { InputError } from '../../src/messages.ts';
import type { ModelInputs } from '../../src/types.ts';
import { PNG } from 'pngjs';
import { png } from '../helpers/images.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'inputs-'));
const cfg = (over: Partial<InputsConfig>): InputsConfig => ({ source: 'npy', file: '', scale: 1, offset: 0, channels: 3, layout: 'hwc', ...over });
/** Every value the model sees, in dataset order. */
const values = (x: ModelInputs): Float32Array => {
  const out = new Float32Array(x.n * x.rowSize);
  fillBatch(x, Int32Array.from({ length: x.n }, (_, i) => i), out);
  return out;
};
const dsConfig = { id: 'id', label: 'label', split: null, classes: null, groupBy: [], onUnknownLabel: 'error' as const, format: 'auto' as const };

describe('loadInputs', () => {
  it('reads .npy rows with scale and offset, and checks the row count', async () => {
    const f = join(tmp(), 'x.npy');
    writeFileSync(f, encodeNpy({ dtype: 'uint8', shape: [2, 2], data: Uint8Array.from([0, 255, 10, 20]) }));
    const x = await loadInputs(cfg({ file: f, scale: 1 / 255, offset: -0.5 }), 2);
    // uint8 stays uint8 in memory (a quarter of Float32); values are mapped when read.
    expect(x.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(x.data)).toEqual([0, 255, 10, 20]);
    expect(Array.from(values(x), (v) => Math.round(v * 1000) / 1000)).toEqual([-0.5, 0.5, -0.461, -0.422]);
    // ... exactly as the float64 product rounded once to float32.
    expect(Array.from(values(x))).toEqual([0, 255, 10, 20].map((v) => Math.fround(v * (1 / 255) - 0.5)));
    await expect(loadInputs(cfg({ file: f }), 3)).rejects.toThrow(/expected 3 rows .* found 2 rows/);
  });

  it('reads a prefetched .npy file exactly as loadInputs reads it, and reports its errors only when awaited', async () => {
    const dir = tmp();
    const f = join(dir, 'x.npy');
    writeFileSync(f, encodeNpy({ dtype: 'float32', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }));
    const early = await loadInputs(cfg({ file: f }), 3, () => {}, prefetchInputs(cfg({ file: f })));
    const late = await loadInputs(cfg({ file: f }), 3);
    expect(early.shape).toEqual(late.shape);
    expect(Array.from(early.data)).toEqual(Array.from(late.data));
    expect(isShared(early.data)).toBe(true); // the analyses' worker threads read it in place
    // A missing file rejects the prefetch quietly (no unhandled rejection) until loadInputs awaits it.
    const missing = prefetchInputs(cfg({ file: join(dir, 'none.npy') }));
    await new Promise((r) => setTimeout(r, 20));
    await expect(loadInputs(cfg({ file: join(dir, 'none.npy') }), 3, () => {}, missing)).rejects.toThrow(/inputs\.file.*none\.npy/);
    // The row count is still checked against the dataset loaded meanwhile.
    await expect(loadInputs(cfg({ file: f }), 4, () => {}, prefetchInputs(cfg({ file: f })))).rejects.toThrow(/expected 4 rows .* found 3 rows/);
    // Other sources need the dataset first: nothing to prefetch.
    expect(prefetchInputs(cfg({ source: 'images', file: dir }))).toBeNull();
  });

  it('reads a prefetched .npy file on the worker thread into the memory it hands out first, and falls back to reading here', async () => {
    const dir = tmp();
    const f = join(dir, 'x.npy');
    writeFileSync(f, encodeNpy({ dtype: 'uint8', shape: [3, 2], data: Uint8Array.from([1, 2, 3, 4, 250, 6]) }));
    const handed: Uint8Array[] = [];
    const bytes = prefetchInputs(cfg({ file: f }), (filling) => handed.push(filling))!;
    expect(handed).toHaveLength(1); // at once, before the read is done
    const onThread = await loadInputs(cfg({ file: f }), 3, () => {}, bytes);
    const here = await loadInputs(cfg({ file: f }), 3);
    expect(Array.from(onThread.data)).toEqual(Array.from(here.data));
    expect(onThread.data.buffer).toBe(handed[0].buffer); // the inputs are a view of the memory the thread filled
    expect(isShared(onThread.data)).toBe(true);
    // Anything but a regular .npy file is read here, so its error is the usual one (and nothing is handed out).
    const missing = prefetchInputs(cfg({ file: join(dir, 'none.npy') }), (filling) => handed.push(filling));
    await expect(loadInputs(cfg({ file: join(dir, 'none.npy') }), 3, () => {}, missing)).rejects.toThrow(/inputs\.file.*none\.npy/);
    const notNpy = join(dir, 'x.bin');
    writeFileSync(notNpy, 'x');
    await expect(loadInputs(cfg({ file: notNpy }), 3, () => {}, prefetchInputs(cfg({ file: notNpy }), (filling) => handed.push(filling)))).rejects.toThrow(/\.npy array/);
    expect(handed).toHaveLength(1);
  });

  it('runs a preprocessing module over every record (text → hashed bag of words)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'r.csv'), 'id,label,text\na,spam,buy now buy\nb,ham,hello there\nc,ham,\n');
    writeFileSync(join(dir, 'vectorize.mjs'), `export const shape = [4];
export default function (r) { const v = [0, 0, 0, 0]; for (const w of String(r.text ?? '').split(/\\s+/).filter(Boolean)) v[w.length % 4] += 1; return v; }\n`);
    const ds = await loadDataset({ ...dsConfig, file: join(dir, 'r.csv') });
    const x = await loadInputs(cfg({ source: 'preprocess', file: join(dir, 'vectorize.mjs'), scale: 0.5 }), ds);
    expect(x.shape).toEqual([4]);
    expect(Array.from(values(x))).toEqual([0, 0, 0, 1.5, 0, 1, 0, 0, 0, 0, 0, 0]); // "buy now buy": 3 words of length 3
  });

  it('reports progress while it preprocesses or decodes (every 4 096 records and at the end)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'r.csv'), `id,label\n${Array.from({ length: 5000 }, (_, i) => `r${i},x`).join('\n')}\n`);
    writeFileSync(join(dir, 'one.mjs'), 'export default () => [1];\n');
    const ticks: string[] = [];
    const progress = (done: number, total: number, label: string) => void ticks.push(`${done}/${total} ${label}`);
    await loadInputs(cfg({ source: 'preprocess', file: join(dir, 'one.mjs') }), await loadDataset({ ...dsConfig, file: join(dir, 'r.csv') }), () => {}, null, { progress });
    expect(ticks).toEqual(['4096/5000 preprocessing records', '5000/5000 preprocessing records']);
    ticks.length = 0;
    const images = join(dir, 'img');
    mkdirSync(join(images, 'a'), { recursive: true });
    writeFileSync(join(images, 'a', '1.png'), png(2, 1));
    await loadInputs(cfg({ source: 'images', file: images }), await loadDataset({ ...dsConfig, file: images }), () => {}, null, { progress });
    expect(ticks).toEqual(['1/1 decoding images']);
  });

  it('names the module and record when a preprocess hook misbehaves', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'r.csv'), 'id,label,text\na,x,one\nb,y,two words\n');
    const ds = await loadDataset({ ...dsConfig, file: join(dir, 'r.csv') });
    const mod = (name: string, body: string) => {
      writeFileSync(join(dir, name), body);
      return cfg({ source: 'preprocess', file: join(dir, name) });
    };
    await expect(loadInputs(mod('ragged.mjs', 'export default (r) => r.text.split(" ").map(() => 1);'), ds)).rejects.toThrow(/ragged\.mjs\) for record "b": expected 1 values \(as for record "a"\), found 2 values/);
    await expect(loadInputs(mod('throws.mjs', 'export default (r) => { if (r.id === "b") throw new Error("boom"); return [1]; };'), ds)).rejects.toThrow(/for record "b": expected a function that returns the model input, found an exception \(boom\)/);
    await expect(loadInputs(mod('none.mjs', 'export const x = 1;'), ds)).rejects.toThrow(/expected a module whose default \(or "preprocess"\) export is a function record → number\[\], found exports x/);
    await expect(loadInputs(cfg({ source: 'preprocess', file: join(dir, 'absent.mjs') }), ds)).rejects.toThrow(/expected an importable JS module, found no such file/);
    // A non-number value makes the record unscorable instead of a silent 0.
    const x = await loadInputs(mod('nan.mjs', 'export function preprocess(r) { return [r.id === "a" ? "?" : 2]; }'), ds);
    expect(firstNonFinite(x, 0)).toBe(0);
    expect(firstNonFinite(x, 1)).toBe(-1);
  });

  it('decodes an image folder in hwc or chw layout; undecodable images become unscorable rows with a warning', async () => {
    const dir = tmp();
    for (const c of ['a', 'b']) mkdirSync(join(dir, c));
    writeFileSync(join(dir, 'a', '1.png'), png(2, 1));
    writeFileSync(join(dir, 'b', '2.png'), png(2, 1));
    writeFileSync(join(dir, 'b', '3.png'), Buffer.from('not a png'));
    const ds = await loadDataset({ ...dsConfig, file: dir });
    expect(ds.classes).toEqual(['a', 'b']);
    const warnings: string[] = [];
    const hwc = await loadInputs(cfg({ source: 'images', file: dir }), ds, (w) => warnings.push(w));
    expect(hwc.shape).toEqual([1, 2, 3]);
    expect(Array.from(values(hwc).subarray(0, 6))).toEqual([0, 0, 7, 10, 0, 7]);
    expect(firstNonFinite(hwc, 2)).toBe(0);
    expect(warnings[0]).toMatch(/^1 image\(s\) could not be decoded and are unscorable: b\/3\.png/);
    const chw = await loadInputs(cfg({ source: 'images', file: dir, layout: 'chw', scale: 0.1 }), ds);
    expect(chw.shape).toEqual([3, 1, 2]);
    expect(Array.from(values(chw).subarray(0, 6), (v) => Math.round(v * 10) / 10)).toEqual([0, 1, 0, 0, 0.7, 0.7]);
    // All images decoded: the pixels stay uint8, with scale/offset applied when read.
    rmSync(join(dir, 'b', '3.png'));
    const ok = await loadInputs(cfg({ source: 'images', file: dir, layout: 'chw', scale: 0.1 }), await loadDataset({ ...dsConfig, file: dir }));
    expect(ok.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(values(ok))).toEqual(Array.from(values(chw).subarray(0, 12)));
    writeFileSync(join(dir, 'b', '4.png'), png(3, 1));
    const ds2 = await loadDataset({ ...dsConfig, file: dir });
    await expect(loadInputs(cfg({ source: 'images', file: dir }), ds2)).rejects.toThrow(/4\.png: expected 2×1 pixels like a\/1\.png \(losslens does not resize\), found 3×1/);
  });

  it('decodes many images in dataset order while reading ahead, an undecodable one past the read-ahead window included', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'c'));
    // 90 one-pixel PNGs whose grey value is their index (files read 32 ahead of the one decoded).
    const onePixel = (v: number) => {
      const img = new PNG({ width: 1, height: 1 });
      img.data.set([v, v, v, 255]);
      return PNG.sync.write(img);
    };
    for (let i = 0; i < 90; i++) writeFileSync(join(dir, 'c', `${String(i).padStart(3, '0')}.png`), i === 70 ? Buffer.from('broken') : onePixel(i));
    const ds = await loadDataset({ ...dsConfig, file: dir });
    const warnings: string[] = [];
    const grey = await loadInputs(cfg({ source: 'images', file: dir, channels: 1, scale: 1 }), ds, (w) => warnings.push(w));
    const v = values(grey);
    for (let i = 0; i < 90; i++) if (i !== 70) expect(v[i]).toBe(i);
    expect(Number.isNaN(v[70])).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(/^1 image\(s\) could not be decoded and are unscorable: c\/070\.png/)]);
  });

  it('decodes every other chunk of 64 images on the worker thread, with the same inputs and warnings as one thread', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'c'));
    const onePixel = (v: number) => {
      const img = new PNG({ width: 1, height: 1 });
      img.data.set([v % 256, v % 256, v % 256, 255]);
      return PNG.sync.write(img);
    };
    // 300 images: chunks 1 and 3 (64–127, 192–255) go to the thread; 100 (thread) and 140 (this thread) do not decode.
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, 'c', `${String(i).padStart(3, '0')}.png`), i === 100 || i === 140 ? Buffer.from('broken') : onePixel(i));
    const ds = await loadDataset({ ...dsConfig, file: dir });
    const run = async (threads: number) => {
      const warnings: string[] = [];
      const inputs = await loadInputs(cfg({ source: 'images', file: dir, channels: 1, scale: 1 }), ds, (w) => warnings.push(w), null, { threads, minPixels: 0 });
      return { v: Array.from(values(inputs)), warnings };
    };
    const one = await run(1);
    const two = await run(2);
    expect(two).toEqual(one);
    expect(one.v[99]).toBe(99);
    expect(one.v[255]).toBe(255);
    expect(Number.isNaN(one.v[100]) && Number.isNaN(one.v[140])).toBe(true);
    expect(one.warnings).toEqual([expect.stringMatching(/^2 image\(s\) could not be decoded and are unscorable: c\/100\.png \(an undecodable file .*\); c\/140\.png/)]);
    // An image of another size in a later chunk: the same error, with the thread's work abandoned.
    writeFileSync(join(dir, 'c', '250.png'), png(2, 1));
    const ds2 = await loadDataset({ ...dsConfig, file: dir });
    await expect(loadInputs(cfg({ source: 'images', file: dir, channels: 1 }), ds2, () => {}, null, { threads: 2, minPixels: 0 })).rejects.toThrow(/250\.png: expected 1×1 pixels like c\/000\.png \(losslens does not resize\), found 2×1/);
  });
});

describe('loadInputRows', () => {
  const dataset = (n: number) => ({ n }) as never;

  it('reads just the rows of a record range of a .npy file, exactly as loadInputs gives them, for every dtype', async () => {
    const dir = tmp();
    const n = 7;
    const arrays = {
      uint8: Uint8Array.from({ length: n * 6 }, (_, i) => (i * 37) % 256),
      float32: Float32Array.from({ length: n * 6 }, (_, i) => Math.sin(i)),
      float64: Float64Array.from({ length: n * 6 }, (_, i) => Math.cos(i) * 1e3),
      int32: Int32Array.from({ length: n * 6 }, (_, i) => i * 1001 - 9000),
      int64: BigInt64Array.from({ length: n * 6 }, (_, i) => BigInt(i * 7 - 20)),
    } as const;
    for (const [dtype, data] of Object.entries(arrays)) {
      const f = join(dir, `${dtype}.npy`);
      writeFileSync(f, encodeNpy({ dtype: dtype as keyof typeof arrays, shape: [n, 2, 3], data }));
      const c = cfg({ file: f, scale: 0.5, offset: 1 });
      const all = await loadInputs(c, n);
      // In shared memory, so the analyses' worker threads read them in place (load/shared-file.ts).
      expect(all.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      for (const [start, end] of [[0, n], [0, 3], [3, 7], [6, 7], [2, 2]]) {
        const part = await loadInputRows(c, dataset(n), start, end);
        expect(part.data.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(part.n).toBe(end - start);
        expect(part.shape).toEqual([2, 3]);
        expect(part.data.constructor).toBe(all.data.constructor);
        expect(Array.from(values(part))).toEqual(Array.from(values(all)).slice(start * 6, end * 6));
      }
    }
  });

  it('reads a header longer than its first read (format 2.0, 70 000 bytes)', async () => {
    const f = join(tmp(), 'long.npy');
    let header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2), }";
    header += ' '.repeat(70_000 - 12 - header.length - 1) + '\n';
    const head = new Uint8Array(12 + header.length);
    head.set([0x93, ...Buffer.from('NUMPY', 'latin1'), 2, 0]);
    new DataView(head.buffer).setUint32(8, header.length, true);
    head.set(Buffer.from(header, 'latin1'), 12);
    writeFileSync(f, Buffer.concat([head, Uint8Array.from([1, 2, 3, 4, 5, 6])]));
    const part = await loadInputRows(cfg({ file: f }), dataset(3), 1, 3);
    expect(Array.from(part.data)).toEqual([3, 4, 5, 6]);
    expect(Array.from((await loadInputs(cfg({ file: f }), 3)).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('checks the row count, a truncated file and a missing one like loadInputs', async () => {
    const dir = tmp();
    const f = join(dir, 'x.npy');
    const bytes = encodeNpy({ dtype: 'float32', shape: [4, 3], data: new Float32Array(12) });
    writeFileSync(f, bytes);
    await expect(loadInputRows(cfg({ file: f }), dataset(5), 0, 2)).rejects.toThrow(/expected 5 rows .* found 4 rows/);
    writeFileSync(f, bytes.subarray(0, bytes.length - 4));
    await expect(loadInputRows(cfg({ file: f }), dataset(4), 0, 2)).rejects.toThrow(/48 data bytes .* 44 bytes \(truncated file\?\)/);
    await expect(loadInputRows(cfg({ file: join(dir, 'none.npy') }), dataset(4), 0, 2)).rejects.toThrow(/none\.npy/);
  });

  it('names an inputs path that is a directory, for the whole file and for a range', async () => {
    const dir = join(tmp(), 'folder.npy');
    mkdirSync(dir);
    await expect(loadInputs(cfg({ file: dir }), 4)).rejects.toThrow(/inputs\.file \(.*folder\.npy\): expected a \.npy file, found a directory/);
    await expect(loadInputRows(cfg({ file: dir }), dataset(4), 0, 2)).rejects.toThrow(InputError);
  });

  it('slices the other sources after loading them whole', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'r.csv'), 'id,label,text\na,x,one two\nb,y,three\nc,x,four five six\n');
    writeFileSync(join(dir, 'count.mjs'), 'export default (r) => [String(r.text).split(" ").length, 1];\n');
    const ds = await loadDataset({ ...dsConfig, file: join(dir, 'r.csv') });
    const c = cfg({ source: 'preprocess', file: join(dir, 'count.mjs') });
    const part = await loadInputRows(c, ds, 1, 3);
    expect(part.n).toBe(2);
    expect(Array.from(values(part))).toEqual([1, 1, 3, 1]);
  });
});

