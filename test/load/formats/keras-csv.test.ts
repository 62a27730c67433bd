import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKerasCsv, parseNumber } from '../../../src/load/formats/keras-csv.ts';
import { InputError } from '../../../src/messages.ts';

const FILE = join(import.meta.dirname, '../../fixtures/logs/keras-training.csv');

describe('parseKerasCsv', () => {
  it('splits each epoch into a train and a val row at step = epoch + 1', () => {
    const rows = parseKerasCsv(readFileSync(FILE, 'utf8'), FILE);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({ step: 1, epoch: 1, split: 'train', accuracy: 0.6, loss: 0.9, lr: 0.001 });
    expect(rows[1]).toEqual({ step: 1, epoch: 1, split: 'val', accuracy: 0.55, loss: 0.8 });
    expect(Number.isNaN(rows[5].loss)).toBe(true); // epoch 2's val_loss is "nan"
  });
  it('sniffs a semicolon separator and normalises learning_rate', () => {
    expect(parseKerasCsv('epoch;loss;learning_rate\n0;1.5;0.01\n', 'f.csv')).toEqual([{ step: 1, epoch: 1, split: 'train', loss: 1.5, lr: 0.01 }]);
  });
  it('names the file and line of a malformed row', () => {
    expect(() => parseKerasCsv('epoch,loss\n0,1,2\n', 'f.csv')).toThrow(InputError);
    expect(() => parseKerasCsv('epoch,loss\n0,1,2\n', 'f.csv')).toThrow(/f\.csv line 2/);
    expect(() => parseKerasCsv('loss\n1\n', 'f.csv')).toThrow(/epoch/);
  });
  it('parses nan / inf spellings', () => {
    expect(parseNumber('-inf')).toBe(-Infinity);
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('abc')).toBeNull();
  });
});
