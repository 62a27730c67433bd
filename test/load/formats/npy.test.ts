import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { encodeNpy, parseNpy } from '../../../src/load/formats/npy.ts';
import { InputError } from '../../../src/messages.ts';

describe('npy', () => {
  it('round-trips float32 and uint8 arrays, with the header little-endian as numpy writes it', () => {
    const f = encodeNpy({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4.5, -5, 6]) });
    expect(new DataView(f.buffer).getUint16(8, true) + 10).toBe(64 * Math.ceil((10 + new DataView(f.buffer).getUint16(8, true)) / 64));
    const back = parseNpy(f, 'x.npy');
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4.5, -5, 6]);
    const u = parseNpy(encodeNpy({ dtype: 'uint8', shape: [3], data: Uint8Array.from([0, 128, 255]) }), 'u.npy');
    expect(u.dtype).toBe('uint8');
    expect(Array.from(u.data as Uint8Array)).toEqual([0, 128, 255]);
  });

  it('reads from a Node Buffer without leaking the header into the data', () => {
    const buf = Buffer.from(readFileSync(new URL('../../fixtures/tiny/inputs.npy', import.meta.url)));
    const arr = parseNpy(buf, 'inputs.npy');
    expect(arr.shape).toEqual([40, 4]);
    expect(arr.data.length).toBe(160);
    expect(Math.abs((arr.data as Float32Array)[0] - 1.512)).toBeLessThan(1e-6);
  });

  it('rejects truncated data, bad magic and Fortran order with the file name', () => {
    const good = encodeNpy({ dtype: 'float32', shape: [4], data: new Float32Array(4) });
    expect(() => parseNpy(good.subarray(0, good.length - 2), 'cut.npy')).toThrow(/cut\.npy: expected 16 data bytes.*found 14 bytes/);
    expect(() => parseNpy(new Uint8Array(20), 'bad.npy')).toThrow(InputError);
    const fortran = new TextDecoder('latin1').decode(good).replace("'fortran_order': False", "'fortran_order': True ");
    expect(() => parseNpy(Uint8Array.from(fortran, (c) => c.charCodeAt(0)), 'f.npy')).toThrow(/C-order/);
  });
});
