/**
 * Data-integrity checks on hand-made tables and inputs: missing / NaN / Inf cells, constant
 * columns and inputs, exact duplicates (conflicting labels, leakage), class balance, unscorable
 * and unknown-label records.
 */
import * as aq from 'arquero';
import { beforeAll, describe, expect, it } from 'vitest';
import { duplicateGroups } from '../../src/analyses/discovery/duplicates.ts';
import { classBalance, columnHealth, duplicateFindings, inputHealth } from '../../src/analyses/discovery/integrity-checks.ts';
import { integrity } from '../../src/analyses/integrity.ts';
import type { AnalysisOutput } from '../../src/analyses/types.ts';
import type { ModelInputs } from '../../src/types.ts';
import { makeContext } from '../helpers/context.ts';

const inputsOf = (rows: number[][]): ModelInputs => ({ file: 'x.npy', n: rows.length, shape: [rows[0].length], rowSize: rows[0].length, data: Float32Array.from(rows.flat()) });

describe('columnHealth', () => {
  it('counts missing, NaN and ±Inf cells and finds constant columns', () => {
    const t = aq.table({ a: [1, null, NaN, Infinity, -Infinity], b: ['x', 'x', '', 'x', undefined], c: [1, 2, 3, 4, 5], d: [null, null, null, null, null] });
    const h = Object.fromEntries(columnHealth(t).map((c) => [c.column, c]));
    expect(h.a).toEqual({ column: 'a', missing: 1, nan: 1, inf: 2, constant: false });
    expect(h.b).toEqual({ column: 'b', missing: 2, nan: 0, inf: 0, constant: true });
    expect(h.c.constant).toBe(false);
    expect(h.d).toMatchObject({ missing: 5, constant: true }); // all missing counts as constant
  });
});

describe('inputHealth', () => {
  it('finds non-finite records and features, constant records and constant features', () => {
    const h = inputHealth(inputsOf([
      [0, 1, 5],
      [0, NaN, 5],
      [0, 0, 0], // constant record
      [0, Infinity, 5],
    ]));
    expect(h.nonFiniteRecords).toEqual([1, 3]);
    expect(h.nanValues).toBe(1);
    expect(h.infValues).toBe(1);
    expect(h.nonFiniteFeatures).toBe(1);
    expect(h.constantRecords).toEqual([2]);
    expect(h.constantFeatures).toBe(1); // feature 0 is 0 everywhere
  });
});

describe('duplicates', () => {
  it('groups bit-identical rows (NaN rows included), never merges different rows', () => {
    const g = duplicateGroups(inputsOf([
      [1, 2],
      [3, 4],
      [1, 2],
      [NaN, 0],
      [NaN, 0],
      [1, 2.001],
    ]));
    expect(g).toEqual([
      [0, 2],
      [3, 4],
    ]);
  });

  it('flags conflicting labels and leakage from a training split into held-out splits', () => {
    // splits: 0 = train, 1 = val. Group [0, 1]: labels 0/1 (conflict), train + val (leak: record 1).
    // Group [2, 3]: same label, both val (no leak). Group [4, 5]: train only.
    const f = duplicateFindings([[0, 1], [2, 3], [4, 5]], [0, 1, 2, 2, 0, 0], [0, 1, 1, 1, 0, 0], ['train', 'val']);
    expect(f).toEqual({ groups: 3, records: 6, extraCopies: 3, conflictingGroups: [[0, 1]], leaked: [1] });
  });

  it('without a training split, every record of a group spanning splits counts as leaked', () => {
    const f = duplicateFindings([[0, 1]], [0, 0], [0, 1], ['val', 'test']);
    expect(f.leaked).toEqual([0, 1]);
    expect(f.conflictingGroups).toEqual([]);
  });
});

describe('classBalance', () => {
  it('counts the training split, its entropy is the loss of a prior-only model', () => {
    // train labels: 0,0,0,1 → prior [0.75, 0.25]; val record ignored
    const b = classBalance([0, 0, 0, 1, 1], [0, 0, 0, 0, 1], ['train', 'val'], 2);
    expect(b.priorSplit).toBe('train');
    expect(b.counts).toEqual([3, 1]);
    expect(b.ratio).toBe(3);
    expect(b.priorEntropy).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 14);
    expect(b.lnK).toBeCloseTo(Math.LN2, 14);
  });

  it('a class with no records makes the ratio infinite; without a training split all records count', () => {
    const b = classBalance([0, 0, -1], [0, 0, 0], ['all'], 3);
    expect(b.priorSplit).toBeNull();
    expect(b.counts).toEqual([2, 0, 0]);
    expect(b.ratio).toBe(Infinity);
    expect(b.priorEntropy).toBe(0);
  });
});

describe('integrity section', () => {
  const ctx = makeContext({
    probs: [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], null, [0.5, 0.5], [0.6, 0.4]],
    labels: [0, 1, 1, 0, -1, 0],
    unknownLabels: { 4: 'cat' },
    splits: ['train', 'val', 'train', 'train', 'val', 'val'],
    inputs: [
      [1, 2, 3],
      [1, 2, 3], // same as record 0, other label, other split
      [0, 0, 0],
      [NaN, 1, 2],
      [4, 5, 6],
      [7, 8, 9],
    ],
    columns: { note: ['a', null, 'b', 'c', 'd', 'e'], site: ['s', 's', 's', 's', 's', 's'] },
  });
  let out: AnalysisOutput;
  let s: any;
  beforeAll(async () => {
    out = await integrity.run(ctx);
    s = (out.summary as any).integrity;
  });

  it('summary.json integrity counts', () => {
    expect(s).toMatchObject({
      records: 6,
      missingCells: { note: 1 },
      nonFiniteInputRecords: 1,
      constantInputRecords: 1,
      duplicateGroups: 1,
      duplicateRecords: 2,
      conflictingLabelGroups: 1,
      conflictingLabelRecords: 2,
      leakedRecords: 1,
      labelsOutsideClasses: 1,
      missingLabels: 0,
      unscorable: 1,
      classCounts: { '0': 2, '1': 1 },
      classCountsSplit: 'train',
      imbalanceRatio: 2,
    });
    expect(s.constantColumns).toEqual(['site']);
    expect(s.lnK).toBeCloseTo(Math.LN2, 14);
  });

  it('lists every finding in plain words and the unscorable record with its reason', () => {
    const list = out.blocks.find((b) => b.type === 'list');
    expect(list?.type === 'list' && list.items.join('\n')).toMatch(/conflicting labels/);
    expect(list?.type === 'list' && list.items.join('\n')).toMatch(/label outside the class list \("cat"\)/);
    expect(list?.type === 'list' && list.items.join('\n')).toMatch(/leakage/);
    const unscorable = out.blocks.find((b) => b.type === 'table' && b.caption.startsWith('Records that could not be scored'));
    expect(unscorable?.type === 'table' && unscorable.rows).toEqual([['r003', 'train', 'test: no scores']]);
    expect(out.headline).toMatch(/integrity findings/);
  });

  it('lists non-finite records first, then constant ones that are not also non-finite', async () => {
    const nan = [NaN, NaN, NaN]; // non-finite and constant
    const rows = [[1, 2, 3], nan, [0, 0, 0], [4, NaN, 6], nan, [7, 7, 7], [8, 9, 1]];
    const run = async (topK: number) => {
      const c = makeContext({ probs: rows.map(() => [0.6, 0.4]), labels: rows.map(() => 0), inputs: rows });
      const o = await integrity.run({ ...c, config: { ...c.config, analysis: { ...c.config.analysis, topK } } });
      const t = o.blocks.find((b) => b.type === 'table' && b.caption === 'Records with non-finite or constant inputs');
      return t?.type === 'table' ? t : null;
    };
    const all = await run(10);
    expect(all!.rows.map((r) => [r[1], r[4]])).toEqual([
      ['r001', 'NaN or infinite input values'],
      ['r003', 'NaN or infinite input values'],
      ['r004', 'NaN or infinite input values'],
      ['r002', 'constant input'],
      ['r005', 'constant input'],
    ]);
    expect(all!.note).toBeUndefined();
    const four = await run(4);
    expect(four!.rows.map((r) => r[1])).toEqual(['r001', 'r003', 'r004', 'r002']);
    expect(four!.note).toBe('First 4 shown.');
  });

  it('orders duplicate groups: conflicting labels first, then leakage, then by size', async () => {
    const rows = [[1, 1, 1], [1, 1, 1], [1, 1, 1], [2, 2, 2], [2, 2, 2], [3, 3, 3], [3, 3, 3], [4, 5, 6]];
    const c = makeContext({
      probs: rows.map(() => [0.6, 0.4]),
      labels: [0, 0, 0, 0, 1, 0, 0, 1], // records 3 and 4: same input, other labels
      splits: ['train', 'train', 'train', 'train', 'train', 'train', 'val', 'train'], // records 5 and 6: train and val
      inputs: rows,
    });
    const o = await integrity.run(c);
    const t = o.blocks.find((b) => b.type === 'table' && /duplicate/i.test(b.caption));
    expect(t?.type === 'table' && t.rows.map((r) => r[2])).toEqual(['r003, r004', 'r005, r006', 'r000, r001, r002']);
  });

  it('a clean dataset says so; without inputs the input checks are reported as skipped', async () => {
    const clean = await integrity.run(makeContext({ probs: [[0.9, 0.1], [0.2, 0.8]], labels: [0, 1], columns: { x: [1, 2] } }));
    expect(clean.headline).toMatch(/^No integrity problems found in 2 records/);
    expect((clean.summary as any).integrity.duplicateGroups).toBeNull();
    expect(clean.blocks.some((b) => b.type === 'text' && /No model inputs were loaded/.test(b.text))).toBe(true);
  });
});
