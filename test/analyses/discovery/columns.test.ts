/** The per-record discovery flags appended to the scores file. */
import { describe, expect, it } from 'vitest';
import { discoveryColumns } from '../../../src/analyses/discovery/columns.ts';
import { softplus } from '../../../src/analyses/discovery/loss-outliers.ts';
import { makeContext } from '../../helpers/context.ts';

describe('discoveryColumns', () => {
  // Ten "0" records in val (the last one an outlier and a label issue), one in train, one unscorable.
  const T = [-4, -3, -3, -2, -2, -2, -1, -1, 0, 6];
  const probs: (number[] | null)[] = T.map((t) => [Math.exp(-softplus(t)), 1 - Math.exp(-softplus(t))]);
  probs.push([0.2, 0.8], null, [0.1, 0.9]);
  const ctx = makeContext({
    probs,
    labels: [...Array(10).fill(0), 1, 0, 1],
    splits: [...Array(10).fill('val'), 'val', 'val', 'train'],
    inputs: [...Array.from({ length: 11 }, (_, i) => [i, 1]), [0, 1], [5, 5]],
  });
  const cols = Object.fromEntries(discoveryColumns(ctx).map((c) => [c.name, c.values]));

  it('names the columns in a fixed order', () => {
    expect(discoveryColumns(ctx).map((c) => c.name)).toEqual(['outlier', 'loss_z', 'label_issue', 'suggested_label', 'duplicate_group']);
  });

  it('outlier and loss_z: empty for records without a loss', () => {
    expect(cols.outlier(9)).toBe('1');
    expect(cols.outlier(0)).toBe('0');
    expect(cols.outlier(11)).toBe('');
    expect(Number(cols.loss_z(9))).toBeCloseTo(8 / 1.4826, 4);
    expect(cols.loss_z(11)).toBe('');
  });

  it('label_issue: empty outside the examined (held-out) splits; suggested label for candidates', () => {
    expect(cols.label_issue(9)).toBe('1');
    expect(cols.suggested_label(9)).toBe('1');
    expect(cols.label_issue(0)).toBe('0');
    expect(cols.label_issue(12)).toBe(''); // train: not examined
    expect(cols.suggested_label(0)).toBe('');
  });

  it('duplicate_group numbers exact-duplicate inputs', () => {
    expect(cols.duplicate_group(0)).toBe('0'); // [0, 1] = record 11's input
    expect(cols.duplicate_group(11)).toBe('0');
    expect(cols.duplicate_group(5)).toBe('');
  });
});
