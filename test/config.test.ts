import { describe, expect, it } from 'vitest';
import { MAX_SEED, normalizeConfig, parseConfigText } from '../src/config.ts';

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

  it('takes seeds the random streams can hold (32 bits), refusing larger ones rather than wrapping them', () => {
    expect(normalizeConfig({ ...minimal, seed: MAX_SEED }, '/r/c.json').seed).toBe(4294967295);
    expect(() => normalizeConfig({ ...minimal, seed: 4294967303 }, '/r/c.json')).toThrow('seed: expected an integer from 0 to 4294967295, found 4294967303');
  });

  it('reads the JSON as the README writes it: comments and a byte-order mark, a syntax error by line and column', () => {
    const text = '\ufeff{\n  // the run\n  "name": "a // not a comment", /* inline */ "seed": 3\n}\n';
    expect(parseConfigText(text, '/r/c.json')).toEqual({ name: 'a // not a comment', seed: 3 });
    expect(() => parseConfigText('{\n  "name": "a",\n  "seed": 3,\n}', '/r/c.json')).toThrow(/\/r\/c\.json: expected valid JSON \(comments allowed\), found a parse error at line 4, column 1/);
  });

  it('rejects unknown keys with a suggestion', () => {
    expect(() => normalizeConfig({ ...minimal, dataest: {} }, '/r/c.json')).toThrow(/dataest: expected one of the known keys .* \(did you mean "dataset"\?\), found an unknown key/);
  });
});

describe('config: model types, input sources and formats', () => {
  it('accepts every model type, precomputed options and byPosition', () => {
    for (const type of ['tfjs-layers', 'tfjs-graph', 'onnx', 'precomputed', 'saved-model']) {
      expect(normalizeConfig({ ...minimal, model: { type, checkpoints: '*' } }, '/r/c.json').model.type).toBe(type);
    }
    const c = normalizeConfig({ dataset: { file: 'r.csv' }, model: { type: 'precomputed', checkpoints: 'p/*.npy', byPosition: true, predictions: { ids: 'ids.txt', columns: ['a', 'b'] } } }, '/r/c.json');
    expect(c.inputs).toBeNull();
    expect(c.model.byPosition).toBe(true);
    expect(c.model.predictions).toEqual({ id: null, columns: ['a', 'b'], ids: '/r/ids.txt' });
    expect(normalizeConfig(minimal, '/r/c.json').model.predictions).toEqual({ id: null, columns: null, ids: null });
    expect(() => normalizeConfig({ ...minimal, model: { type: 'pytorch', checkpoints: '*' } }, '/r/c.json')).toThrow(/model\.type: expected one of "tfjs-layers", "tfjs-graph", "onnx", "precomputed", "saved-model", found "pytorch"/);
    expect(() => normalizeConfig({ ...minimal, model: { checkpoints: '*', byPosition: 'yes' } }, '/r/c.json')).toThrow(/model\.byPosition: expected true or false/);
  });

  it('reads exactly one input source: file, preprocess or images', () => {
    expect(normalizeConfig(minimal, '/r/c.json').inputs).toMatchObject({ source: 'npy', file: '/r/x.npy' });
    expect(normalizeConfig({ ...minimal, inputs: { preprocess: './vectorize.mjs' } }, '/r/c.json').inputs).toMatchObject({ source: 'preprocess', file: '/r/vectorize.mjs' });
    const img = normalizeConfig({ ...minimal, dataset: { file: 'images' }, inputs: { images: true, channels: 1, layout: 'chw', scale: 0.5 } }, '/r/c.json').inputs;
    expect(img).toEqual({ source: 'images', file: '/r/images', channels: 1, layout: 'chw', scale: 0.5, offset: 0 });
    expect(() => normalizeConfig({ ...minimal, inputs: { file: 'x.npy', preprocess: 'v.mjs' } }, '/r/c.json')).toThrow(/inputs: expected exactly one of .*, found file and preprocess/);
    expect(() => normalizeConfig({ ...minimal, inputs: { images: 'yes' } }, '/r/c.json')).toThrow(/inputs\.images: expected true/);
    expect(() => normalizeConfig({ ...minimal, dataset: { file: 'r.csv', format: 'xlsx' } }, '/r/c.json')).toThrow(/dataset\.format: expected one of "auto", "csv"/);
  });
});
