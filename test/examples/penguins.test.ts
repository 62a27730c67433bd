import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { firstNonFinite } from '../../src/load/input-values.ts';
import { loadInputs } from '../../src/load/inputs.ts';
import { buildCsv, DIR } from '../../examples/penguins/prepare.ts';

describe('examples/penguins', () => {
  it('prepare.ts rebuilds the committed penguins.csv byte for byte, real missing values kept', () => {
    const csv = buildCsv();
    expect(csv).toBe(readFileSync(join(DIR, 'penguins.csv'), 'utf8'));
    const rows = csv.trimEnd().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.filter((r) => r[4] === '').length).toBeGreaterThan(0); // penguins without measurements
    expect(rows.some((r) => r[8] === '.')).toBe(true); // the "." sex in the source data
  });

  it('its preprocess hook makes exactly the penguins without measurements unscorable', async () => {
    const config = loadConfig(DIR);
    const dataset = await loadDataset(config.dataset);
    const inputs = await loadInputs(config.inputs!, dataset);
    expect(inputs.shape).toEqual([9]);
    const bill = Array.from(dataset.table.array('bill_length_mm') as ArrayLike<unknown>);
    const missing = bill.map((v, i) => (v === null ? i : -1)).filter((i) => i >= 0);
    const nonFinite = Array.from({ length: dataset.n }, (_, i) => i).filter((i) => firstNonFinite(inputs, i) >= 0);
    expect(nonFinite).toEqual(missing);
  });
});
