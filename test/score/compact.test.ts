/** Compact checkpoints: every checkpoint but the final one keeps per-record columns, not n·k probabilities. */
import { describe, expect, it } from 'vitest';
import { compactScores, fullProbs, labelProbs } from '../../src/score/compact.ts';
import type { ScoringRuntime } from '../../src/score/runtime.ts';
import { scoreRun } from '../../src/score/score.ts';
import { silentProgress } from '../../src/progress.ts';
import type { CheckpointScores, Dataset, ModelInputs } from '../../src/types.ts';

/** Logits (x·s, 0, −x·s, x) for checkpoint step s: each checkpoint scores differently. */
const runtime: ScoringRuntime = {
  name: 'fake',
  warnings: [],
  async load(c) {
    return {
      inputShape: [1],
      outputs: 4,
      async predict(batch, rows) {
        const out = new Float32Array(rows * 4);
        for (let r = 0; r < rows; r++) out.set([batch[r] * c.step, 0, -batch[r] * c.step, batch[r]], r * 4);
        return out;
      },
      dispose() {},
    };
  },
};

function data(): { dataset: Dataset; inputs: ModelInputs } {
  const xs = [0.5, -1, 2, 0, 3, Number.NaN];
  const labels = [0, 1, 2, 3, -1, 0]; // record 4 unlabelled, record 5 unscorable (NaN input)
  const n = xs.length;
  const dataset = {
    file: 'r.csv', table: null as never, n, ids: xs.map((_, i) => `r${i}`), labels: Int32Array.from(labels),
    classes: ['a', 'b', 'c', 'd'], split: new Int32Array(n), splitNames: ['all'], groups: {}, unknownLabels: [],
  } satisfies Dataset;
  return { dataset, inputs: { file: 'x.npy', n, shape: [1], rowSize: 1, data: Float32Array.from(xs) } };
}

const checkpoints = [1, 2, 3].map((step) => ({ id: `s${step}`, step, path: `/s${step}/model.json` }));
const opts = { batchSize: 4, output: 'auto' as const, progress: silentProgress };

describe('compact checkpoints', () => {
  it('scoreRun keeps the probabilities of the final checkpoint only; the others hold exactly what scoring each alone gives', async () => {
    const { dataset, inputs } = data();
    const run = await scoreRun(runtime, checkpoints, dataset, inputs, opts);
    expect(run.scores.map((s) => s.probs === null)).toEqual([true, true, false]);
    for (const [c, cp] of checkpoints.entries()) {
      const alone = (await scoreRun(runtime, [cp], dataset, inputs, opts)).scores[0];
      const s = run.scores[c];
      expect(Array.from(s.loss)).toEqual(Array.from(alone.loss));
      expect(Array.from(s.pred)).toEqual(Array.from(alone.pred));
      expect(Array.from(s.conf)).toEqual(Array.from(alone.conf));
      const want = labelProbs(alone, dataset.labels, 4);
      const got = labelProbs(s, dataset.labels, 4);
      expect(Array.from(got.pLabel)).toEqual(Array.from(want.pLabel));
      expect(Array.from(got.pOther)).toEqual(Array.from(want.pOther));
    }
  });

  it('labelProbs: p of the given label and the largest other p, NaN when unlabelled; read as stored on a compact checkpoint', () => {
    const probs = Float32Array.from([0.1, 0.6, 0.3, /**/ 0.5, 0.25, 0.25, /**/ 0.2, 0.2, 0.6]);
    const s: CheckpointScores = { probs, loss: new Float32Array(3), pred: new Int32Array(3), conf: new Float32Array(3) };
    const labels = Int32Array.from([0, 1, -1]);
    const { pLabel, pOther } = labelProbs(s, labels, 3);
    expect(Array.from(pLabel)).toEqual([Math.fround(0.1), 0.25, Number.NaN]);
    expect(Array.from(pOther)).toEqual([Math.fround(0.6), 0.5, Number.NaN]);
    const compact = compactScores(s, labels, 3);
    expect(compact.probs).toBeNull();
    expect(compact.loss).toBe(s.loss);
    expect(labelProbs(compact, labels, 3).pLabel).toBe(compact.pLabel);
    expect(compactScores(compact, labels, 3)).toBe(compact);
  });

  it('fullProbs names the caller when a checkpoint was kept compact', () => {
    const s: CheckpointScores = { probs: null, loss: new Float32Array(1), pred: new Int32Array(1), conf: new Float32Array(1), pLabel: new Float32Array(1), pOther: new Float32Array(1) };
    expect(() => fullProbs(s, 'calibration')).toThrow(/calibration: this checkpoint was kept compact/);
    const p = new Float32Array(3);
    expect(fullProbs({ ...s, probs: p }, 'x')).toBe(p);
  });
});
