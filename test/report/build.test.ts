import { describe, expect, it } from 'vitest';
import { buildModel, buildSummary } from '../../src/report/build.ts';
import { stableJson } from '../../src/report/json-text.ts';
import { runAnalyses } from '../../src/analyses/index.ts';
import { makeContext } from '../helpers/context.ts';

describe('report model and summary.json', () => {
  it('writes NaN and ±Infinity as null and ends with a newline', () => {
    expect(stableJson({ a: NaN, b: [Infinity, 1] })).toBe('{\n  "a": null,\n  "b": [null, 1]\n}\n');
  });

  it('keeps arrays of numbers on one line (a matrix row per line), everything else indented, strings untouched', () => {
    const value = { m: [[1, 2], [3, -4.5e-7]], e: [], s: ['x', 'y'], o: [{ q: [0.25] }], t: 'see [1,2] and [\n3,\n4]' };
    const text = stableJson(value);
    expect(text).toBe('{\n  "m": [\n    [1, 2],\n    [3, -4.5e-7]\n  ],\n  "e": [],\n  "s": [\n    "x",\n    "y"\n  ],\n  "o": [\n    {\n      "q": [0.25]\n    }\n  ],\n  "t": "see [1,2] and [\\n3,\\n4]"\n}\n');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('carries every CONTRACT key, pins the time and omits the wall time when pinned', async () => {
    const ctx = makeContext({ probs: [[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]], labels: [0, 1, 1], splits: ['train', 'val', 'val'] });
    const { sections, outputs } = await runAnalyses(ctx, []);
    const model = buildModel({ ctx, sections, outputs, warnings: ['w'], wallTimeMs: 1234, now: new Date(0), pinned: true });
    expect(model.run.generatedAt).toBe('1970-01-01T00:00:00.000Z');
    expect(model.run.wallTimeMs).toBeNull();
    const summary = buildSummary(model) as Record<string, any>;
    for (const key of ['schemaVersion', 'tool', 'run', 'dataset', 'checkpoints', 'final', 'perClass', 'confusion', 'outliers', 'baselines', 'sections']) expect(summary).toHaveProperty(key);
    expect(summary.tool.name).toBe('losslens');
    expect(summary.dataset).toMatchObject({ n: 3, splits: { train: 1, val: 2 }, unscorable: 0 });
    expect(summary.final).toMatchObject({ split: 'val', n: 2, accuracy: 0.5 });
    expect(summary.checkpoints[0].splits.train).toMatchObject({ n: 1, accuracy: 1 });
  });
});
