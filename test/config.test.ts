import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../src/config.ts';

const minimal = { dataset: { file: 'r.csv' }, inputs: { file: 'x.npy' }, model: { checkpoints: 'c/*/model.json' } };

describe('config', () => {
  it('fills documented defaults and resolves paths against the config folder', () => {
    const c = normalizeConfig(minimal, '/runs/exp1/losslens.config.json');
    expect(c.name).toBe('exp1');
    expect(c.dataset).toMatchObject({ file: '/runs/exp1/r.csv', id: 'id', label: 'label', split: null, onUnknownLabel: 'error' });
    expect(c.model).toMatchObject({ type: 'tfjs-layers', output: 'auto', batchSize: 512 });
    expect(c.analysis.topK).toBe(25);
    expect(c.display).toEqual({ type: 'fields', columns: null });
  });

  it('names the key, the expectation and what was found', () => {
    expect(() => normalizeConfig({ ...minimal, model: { checkpoints: 3 } }, '/r/c.json')).toThrow('/r/c.json: model.checkpoints: expected a non-empty string, found 3');
    expect(() => normalizeConfig({ ...minimal, dataset: {} }, '/r/c.json')).toThrow('dataset.file: expected a non-empty string, found nothing (the key is missing)');
    expect(() => normalizeConfig({ ...minimal, dataset: { file: 'r', classes: ['a', 'a'] } }, '/r/c.json')).toThrow(/distinct values, found "a" twice/);
  });

  it('rejects unknown keys with a suggestion', () => {
    expect(() => normalizeConfig({ ...minimal, dataest: {} }, '/r/c.json')).toThrow(/dataest: expected one of the known keys .* \(did you mean "dataset"\?\), found an unknown key/);
  });
});
