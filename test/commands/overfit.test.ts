/** `losslens overfit`: re-initialise and memorise 20 training records; a broken pipeline fails. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describe as describeResult, overfitCheck, overfitCommand, reinitialise } from '../../src/commands/overfit.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDataset } from '../../src/load/dataset.ts';
import { loadInputs } from '../../src/load/inputs.ts';
import { loadTf } from '../../src/score/backend.ts';
import { loadLayersModel } from '../../src/score/tfjs-files.ts';

const TINY = join(import.meta.dirname, '../fixtures/tiny');
const MODEL = join(TINY, 'checkpoints/step-0100/model.json');

async function tiny() {
  const config = loadConfig(TINY);
  const dataset = await loadDataset(config.dataset, () => {});
  const inputs = await loadInputs(config.inputs!, dataset.n);
  return { dataset, inputs };
}

let out: string[];
beforeEach(() => {
  out = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('overfitCheck', () => {
  it('drives the loss of 20 training records near zero, deterministically', async () => {
    const { dataset, inputs } = await tiny();
    const opts = { dataset, inputs, modelJson: MODEL, checkpoint: 'step-0100', records: 20, steps: 300, lr: 0.05, seed: 3 };
    const a = await overfitCheck(opts);
    expect(a.records).toBe(20);
    expect(a.ids.every((id) => dataset.split[dataset.ids.indexOf(id)] === dataset.splitNames.indexOf('train'))).toBe(true);
    expect(a.passed).toBe(true);
    expect(a.initialLoss).toBeGreaterThan(a.finalLoss);
    const b = await overfitCheck(opts);
    expect(b.finalLoss).toBe(a.finalLoss);
    expect(describeResult(a)).toMatch(a.passed ? /PASS/ : /FAIL/);
  }, 60_000);

  it('fails when the inputs carry nothing to memorise (a broken pipeline)', async () => {
    const { dataset, inputs } = await tiny();
    // Every record gets the same input: a model cannot map identical inputs to different labels.
    const blank = { ...inputs, data: new Float32Array(inputs.data.length) };
    const r = await overfitCheck({ dataset, inputs: blank, modelJson: MODEL, checkpoint: 'step-0100', records: 20, steps: 200, lr: 0.05, seed: 3 });
    expect(r.passed).toBe(false);
    expect(r.finalLoss).toBeGreaterThan(0.5);
  }, 60_000);

  it('re-initialises from the seed, not from the trained weights', async () => {
    const { tf } = await loadTf();
    const m1 = await loadLayersModel(tf, MODEL);
    const m2 = await loadLayersModel(tf, join(TINY, 'checkpoints/step-0000/model.json'));
    reinitialise(tf, m1, 11);
    reinitialise(tf, m2, 11);
    expect(Array.from(m1.getWeights()[0].dataSync())).toEqual(Array.from(m2.getWeights()[0].dataSync()));
    expect(Array.from(m1.getWeights()[1].dataSync()).every((v) => v === 0)).toBe(true);
    m1.dispose();
    m2.dispose();
  });
});

describe('overfit command', () => {
  it('prints the verdict, appends a tagged row with --log, and exits 0/1 on pass/fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'losslens-overfit-'));
    cpSync(TINY, dir, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(dir, 'losslens.config.json'), 'utf8'));
    writeFileSync(join(dir, 'losslens.config.json'), JSON.stringify({ ...cfg, logs: { experiments: 'experiments.jsonl' } }));
    const code = await overfitCommand.run([dir, '--steps', '300', '--lr', '0.05', '--log', '--quiet']);
    const row = JSON.parse(readFileSync(join(dir, 'experiments.jsonl'), 'utf8'));
    expect(row).toMatchObject({ id: 'overfit-01', metric: 'overfit_loss', tags: ['overfit', code === 0 ? 'pass' : 'fail'], seed: 3 });
    expect(out.join('')).toMatch(/^overfit check \(20 training records, seed 3/);
  }, 60_000);

  it('runs on inputs from a preprocess module (the spam example), as the audit loads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'losslens-overfit-spam-'));
    cpSync(join(import.meta.dirname, '../../examples/spam'), dir, { recursive: true });
    expect(await overfitCommand.run([dir, '--json', '--quiet'])).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ passed: true, records: 20, accuracy: 1 });
  }, 120_000);

  it('rejects a bad flag value', async () => {
    await expect(overfitCommand.run([TINY, '--steps', 'x'])).rejects.toThrow(/--steps/);
  });
});
