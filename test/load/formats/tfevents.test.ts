/** The TensorBoard reader against fixtures written by scripts/gen-tfevents-fixture.py. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c, parseTfevents, readTfRecords, scalarsToRows, splitTag } from '../../../src/load/formats/tfevents.ts';
import { InputError } from '../../../src/messages.ts';

const DIR = join(import.meta.dirname, '../../fixtures/logs');
const expected = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { step: number; tag: string; value: number | null }[];
const nullNaN = (v: number) => (Number.isNaN(v) ? null : v);

describe('crc32c', () => {
  it('matches the published check value and masking', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8);
  });
});

describe('parseTfevents', () => {
  it('reads PyTorch SummaryWriter simple_value scalars, NaN included', () => {
    const f = join(DIR, 'pytorch/events.out.tfevents.1700000000.fixture.1.0');
    const got = parseTfevents(readFileSync(f), f).map((s) => ({ step: s.step, tag: s.tag, value: nullNaN(s.value) }));
    expect(got).toEqual(expected('pytorch.expected.json'));
  });
  it('reads tf.summary tensor scalars (float_val and double tensor_content)', () => {
    for (const split of ['train', 'validation']) {
      const f = join(DIR, `keras-tb/${split}/events.out.tfevents.1700000000.fixture.1.v2`);
      const got = parseTfevents(readFileSync(f), f).map((s) => ({ step: s.step, tag: s.tag, value: s.value }));
      expect(got).toEqual(expected(`keras-tb-${split}.expected.json`));
    }
  });
  it('rejects a corrupted byte and a truncated file with the file named', () => {
    const f = join(DIR, 'pytorch/events.out.tfevents.1700000000.fixture.1.0');
    const buf = Uint8Array.from(readFileSync(f));
    buf[40] ^= 0xff;
    expect(() => readTfRecords(buf, 'x.tfevents')).toThrow(InputError);
    expect(() => readTfRecords(buf, 'x.tfevents')).toThrow(/x\.tfevents.*CRC/);
    expect(() => readTfRecords(readFileSync(f).subarray(0, 30), 'y')).toThrow(/truncated/);
  });
});

describe('tags → rows', () => {
  it('finds the split in a path component, a prefix or the folder', () => {
    expect(splitTag('Loss/train', null)).toEqual({ split: 'train', metric: 'loss' });
    expect(splitTag('val/loss', null)).toEqual({ split: 'val', metric: 'loss' });
    expect(splitTag('val_loss', null)).toEqual({ split: 'val', metric: 'loss' });
    expect(splitTag('epoch_loss', 'val')).toEqual({ split: 'val', metric: 'loss' });
    expect(splitTag('grad_norm/fc1', null)).toEqual({ split: 'train', metric: 'grad_norm/fc1' });
    expect(splitTag('learning_rate', null)).toEqual({ split: 'train', metric: 'lr' });
  });
  it('groups scalars into one row per split and step', () => {
    const rows = scalarsToRows([{ step: 3, wallTime: 0, tag: 'loss/train', value: 1 }, { step: 3, wallTime: 0, tag: 'lr', value: 0.1 }, { step: 3, wallTime: 0, tag: 'loss/val', value: 2 }], null);
    expect(rows).toEqual([{ step: 3, split: 'train', loss: 1, lr: 0.1 }, { step: 3, split: 'val', loss: 2 }]);
  });
});
