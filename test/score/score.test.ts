import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointsPerGroup, groupByBytes, looksLikeProbabilities, scoreRun } from '../../src/score/score.ts';
import { isShared } from '../../src/load/shared-file.ts';
import type { ScoringRuntime } from '../../src/score/runtime.ts';
import { silentProgress } from '../../src/progress.ts';
import type { Dataset, ModelInputs } from '../../src/types.ts';

/** A runtime whose "model" returns fixed raw outputs for input value x: [x, 0, -x]. */
function fakeRuntime(outputs = 3, transform: (x: number) => number[] = (x) => [x, 0, -x]): ScoringRuntime {
  return {
    name: 'fake',
    warnings: [],
    async load() {
      return {
        inputShape: [1],
        outputs,
        async predict(batch, rows) {
          const out = new Float32Array(rows * outputs);
          for (let r = 0; r < rows; r++) out.set(transform(batch[r]), r * outputs);
          return out;
        },
        dispose() {},
      };
    },
  };
}

function data(xs: number[], labels: number[]): { dataset: Dataset; inputs: ModelInputs } {
  const n = xs.length;
  const dataset = {
    file: 'r.csv', table: null as never, n, ids: xs.map((_, i) => `r${i}`), labels: Int32Array.from(labels),
    classes: ['a', 'b', 'c'], split: new Int32Array(n), splitNames: ['all'], groups: {}, unknownLabels: [],
  } satisfies Dataset;
  return { dataset, inputs: { file: 'x.npy', n, shape: [1], rowSize: 1, data: Float32Array.from(xs) } };
}

const ckpt = [{ id: 'c0', step: 0, path: '/c0/model.json' }];

describe('scoreRun', () => {
  it('treats non-normalised outputs as logits and applies softmax; loss is −ln p(label)', async () => {
    const { dataset, inputs } = data([2, 0], [0, 2]);
    const run = await scoreRun(fakeRuntime(), ckpt, dataset, inputs, { batchSize: 1, output: 'auto', progress: silentProgress });
    expect(run.outputKind).toEqual(['logits']);
    const s = run.scores[0];
    const z = [Math.exp(2), 1, Math.exp(-2)];
    const sum = z[0] + z[1] + z[2];
    expect(s.probs![0]).toBeCloseTo(z[0] / sum, 6);
    expect(s.pred[0]).toBe(0);
    expect(s.loss[0]).toBeCloseTo(-Math.log(z[0] / sum), 5);
    // Record 1: all logits 0 → uniform; ties go to the lowest index.
    expect(s.pred[1]).toBe(0);
    expect(s.loss[1]).toBeCloseTo(Math.log(3), 5);
  });

  it('keeps probabilities as they are and clamps p = 0 to a loss of −ln 1e-12', async () => {
    const { dataset, inputs } = data([1], [2]);
    const run = await scoreRun(fakeRuntime(3, () => [1, 0, 0]), ckpt, dataset, inputs, { batchSize: 8, output: 'auto', progress: silentProgress });
    expect(run.outputKind).toEqual(['probabilities']);
    expect(run.scores[0].loss[0]).toBeCloseTo(27.631021, 5);
    expect(run.scores[0].conf[0]).toBe(1);
    // The final checkpoint's probabilities are in shared memory: the analyses' worker thread reads them in place.
    expect(isShared(run.scores[0].probs!)).toBe(true);
  });

  it('lists records with non-finite inputs as unscorable instead of dropping them', async () => {
    const { dataset, inputs } = data([1, Number.NaN, 3], [0, 0, 0]);
    const run = await scoreRun(fakeRuntime(), ckpt, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    expect(run.unscorable).toEqual([{ index: 1, id: 'r1', reason: 'input value 0 is NaN' }]);
    expect(Array.from(run.scorable)).toEqual([1, 0, 1]);
    expect(run.scores[0].pred[1]).toBe(-1);
    expect(Number.isNaN(run.scores[0].loss[1])).toBe(true);
    expect(run.scores[0].pred[2]).toBe(0);
  });

  it('fails fast when the model has a different number of outputs than classes', async () => {
    const { dataset, inputs } = data([1], [0]);
    await expect(scoreRun(fakeRuntime(4, () => [1, 0, 0, 0]), ckpt, dataset, inputs, { batchSize: 1, output: 'auto', progress: silentProgress })).rejects.toThrow(
      '/c0/model.json: expected 3 outputs (one per class in dataset.classes), found 4 outputs',
    );
  });
});

describe('a declared model.output the outputs contradict', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i / 10);
  const { dataset, inputs } = data(xs, xs.map((_, i) => i % 3));
  const softmaxed = (x: number) => {
    const e = [Math.exp(x), 1, Math.exp(-x)];
    const sum = e[0] + e[1] + e[2];
    return e.map((v) => v / sum);
  };

  it('"probabilities" for logits is refused, naming the checkpoint and the row found', async () => {
    await expect(scoreRun(fakeRuntime(), ckpt, dataset, inputs, { batchSize: 8, output: 'probabilities', progress: silentProgress })).rejects.toThrow(
      /^\/c0\/model\.json \(model\.output = "probabilities"\): expected rows in \[0, 1\] summing to 1 \(±0\.001\); set model\.output to match, or to "auto" to tell from the values, found a row of the first batch summing to 0\.00000, values from 0\.000 to 0\.000$/,
    );
  });

  it('"logits" for probabilities (a softmax inside the model) is refused once 16 rows say so; fewer could be chance', async () => {
    await expect(scoreRun(fakeRuntime(3, softmaxed), ckpt, dataset, inputs, { batchSize: 20, output: 'logits', progress: silentProgress })).rejects.toThrow(/expected logits; .* found all 20 rows of the first batch in \[0, 1\] summing to 1/);
    const few = await scoreRun(fakeRuntime(3, softmaxed), ckpt, dataset, inputs, { batchSize: 15, output: 'logits', progress: silentProgress });
    expect(few.outputKind).toEqual(['logits']);
  });

  it('matching declarations and "auto" score as before', async () => {
    const declared = await scoreRun(fakeRuntime(3, softmaxed), ckpt, dataset, inputs, { batchSize: 8, output: 'probabilities', progress: silentProgress });
    const auto = await scoreRun(fakeRuntime(3, softmaxed), ckpt, dataset, inputs, { batchSize: 8, output: 'auto', progress: silentProgress });
    expect(auto.outputKind).toEqual(['probabilities']);
    expect(Array.from(declared.scores[0].loss)).toEqual(Array.from(auto.scores[0].loss));
    expect((await scoreRun(fakeRuntime(), ckpt, dataset, inputs, { batchSize: 8, output: 'logits', progress: silentProgress })).outputKind).toEqual(['logits']);
  });
});

describe('scoreRun with several checkpoints', () => {
  /** Checkpoint c's model returns [x·(c+1), c, −x]; the runtime logs loads, predicts and disposals. */
  function loggingRuntime(log: string[], maxLoaded?: number, turnBatches?: number): ScoringRuntime {
    return {
      name: 'fake',
      warnings: [],
      maxLoaded,
      turnBatches,
      async load(ck) {
        const c = Number(ck.id.slice(1));
        log.push(`load ${ck.id}`);
        return {
          inputShape: [1],
          outputs: 3,
          async predict(batch, rows) {
            log.push(`predict ${ck.id} ${rows}`);
            const out = new Float32Array(rows * 3);
            for (let r = 0; r < rows; r++) out.set([batch[r] * (c + 1), c, -batch[r]], r * 3);
            return out;
          },
          dispose: () => log.push(`dispose ${ck.id}`),
        };
      },
    };
  }
  const three = [0, 1, 2].map((c) => ({ id: `c${c}`, step: c, path: `/nonexistent/c${c}.onnx` }));

  it('scores a group of checkpoints batch by batch, with the same scores as one checkpoint at a time', async () => {
    const { dataset, inputs } = data([0.5, -1, 2, 3, -0.25], [0, 1, 2, 0, 1]);
    const together: string[] = [];
    const apart: string[] = [];
    const a = await scoreRun(loggingRuntime(together), three, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    const b = await scoreRun(loggingRuntime(apart, 1), three, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    // Together: all three loaded, then each batch goes through every model in checkpoint order.
    expect(together.slice(0, 6)).toEqual(['load c0', 'load c1', 'load c2', 'predict c0 2', 'predict c1 2', 'predict c2 2']);
    expect(together.filter((l) => l.startsWith('dispose'))).toHaveLength(3);
    // maxLoaded 1: one model at a time, disposed before the next loads.
    expect(apart.slice(0, 5)).toEqual(['load c0', 'predict c0 2', 'predict c0 2', 'predict c0 1', 'dispose c0']);
    for (let c = 0; c < 3; c++) {
      expect(a.scores[c].probs).toEqual(b.scores[c].probs);
      expect(a.scores[c].loss).toEqual(b.scores[c].loss);
      expect(a.scores[c].pred).toEqual(b.scores[c].pred);
    }
    expect(a.scores[2].pred[0]).toBe(1); // each model saw its own outputs: [0.5·3, 2, −0.5] for c2
    expect(a.scores[0].pred[0]).toBe(0); // [0.5, 0, −0.5] for c0
    expect(a.outputKind).toEqual(['logits', 'logits', 'logits']);
  });

  it('lets each model of a group score turnBatches batches in a row, with the same scores', async () => {
    const { dataset, inputs } = data([0.5, -1, 2, 3, -0.25, 7, 1.5], [0, 1, 2, 0, 1, 2, 0]);
    const turns: string[] = [];
    const each: string[] = [];
    const a = await scoreRun(loggingRuntime(turns, undefined, 2), three, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    const b = await scoreRun(loggingRuntime(each), three, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    // Seven records in batches of 2: turns of two batches (4 records), then the last 3 records.
    expect(turns.filter((l) => l.startsWith('predict'))).toEqual([
      'predict c0 2', 'predict c0 2', 'predict c1 2', 'predict c1 2', 'predict c2 2', 'predict c2 2',
      'predict c0 2', 'predict c0 1', 'predict c1 2', 'predict c1 1', 'predict c2 2', 'predict c2 1',
    ]);
    for (let c = 0; c < 3; c++) {
      expect(a.scores[c].probs).toEqual(b.scores[c].probs);
      expect(a.scores[c].loss).toEqual(b.scores[c].loss);
    }
  });

  it('hands a concurrentTurns runtime whole turns (in shared memory, with batchRows), through scoreTurn when it has one, with the same scores', async () => {
    const { dataset, inputs } = data([0.5, -1, 2, 3, -0.25, 7, 1.5], [0, 1, 2, 0, 1, 2, 0]);
    const log: string[] = [];
    const base = loggingRuntime(log, undefined, 2);
    const seen: { batchRows?: number; shared: boolean[] } = { shared: [] };
    const whole: ScoringRuntime = {
      ...base,
      concurrentTurns: true,
      async load(ck, o) {
        seen.batchRows = o?.batchRows;
        const m = await base.load(ck);
        return { ...m, predict: (batch, rows) => (seen.shared.push(batch.buffer instanceof SharedArrayBuffer), m.predict(batch, rows)) };
      },
    };
    const each = await scoreRun(loggingRuntime([]), three, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    const a = await scoreRun(whole, three, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    expect(seen.batchRows).toBe(2);
    expect(seen.shared.every(Boolean)).toBe(true);
    // Turns of two batches: 4 records, then the last 3, one call per model and turn (the second
    // turn is handed over before the first is written, so the calls of the two turns interleave).
    const calls = log.filter((l) => l.startsWith('predict'));
    for (const c of ['c0', 'c1', 'c2']) expect(calls.filter((l) => l.startsWith(`predict ${c} `))).toEqual([`predict ${c} 4`, `predict ${c} 3`]);
    expect(calls).toHaveLength(6);
    // With scoreTurn, one call per turn for the whole group.
    const turns: number[] = [];
    const grouped: ScoringRuntime = { ...whole, scoreTurn: async (models, input, rows) => (turns.push(rows), Promise.all(models.map((m) => m.predict(input as Float32Array, rows)))) };
    const b = await scoreRun(grouped, three, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress });
    expect(turns).toEqual([4, 3]);
    for (const run of [a, b]) {
      for (let c = 0; c < 3; c++) {
        expect(run.scores[c].probs).toEqual(each.scores[c].probs);
        expect(run.scores[c].loss).toEqual(each.scores[c].loss);
        expect(run.scores[c].pred).toEqual(each.scores[c].pred);
      }
    }
  });

  it('divides the byte budget of a group by the copies a runtime holds of each model', async () => {
    const { dataset, inputs } = data([0.5, -1, 2], [0, 1, 2]);
    const dir = mkdtempSync(join(tmpdir(), 'score-groups-'));
    const files = [0, 1, 2].map((c) => {
      const path = join(dir, `c${c}.onnx`);
      writeFileSync(path, new Uint8Array(100));
      return { id: `c${c}`, step: c, path };
    });
    const loadsBeforeFirstPredict = async (copiesPerModel?: number) => {
      const log: string[] = [];
      await scoreRun({ ...loggingRuntime(log), copiesPerModel }, files, dataset, inputs, { batchSize: 3, output: 'auto', progress: silentProgress, groupBytes: 250 });
      return log.slice(0, log.findIndex((l) => l.startsWith('predict'))).length;
    };
    expect(await loadsBeforeFirstPredict()).toBe(2); // 200 of 250 bytes: two checkpoints loaded together
    expect(await loadsBeforeFirstPredict(2)).toBe(1); // 2 × 100 > 125: one at a time
  });

  it('bounds a group by its checkpoints\u2019 probabilities as well as by their files, with the same scores', async () => {
    const { dataset, inputs } = data([0.5, -1, 2, 3, -0.25], [0, 1, 2, 0, 1]);
    const largestGroup = async (groupProbBytes?: number) => {
      const log: string[] = [];
      const run = await scoreRun(loggingRuntime(log), three, dataset, inputs, { batchSize: 2, output: 'auto', progress: silentProgress, groupProbBytes });
      let loaded = 0;
      let most = 0;
      for (const l of log) {
        if (l.startsWith('load')) most = Math.max(most, ++loaded);
        if (l.startsWith('dispose')) loaded--;
      }
      return { most, run };
    };
    // 5 records × 3 classes × 4 bytes = 60 bytes of probabilities per checkpoint.
    const unbounded = await largestGroup();
    const two = await largestGroup(120);
    const one = await largestGroup(59); // less than one checkpoint's: still one at a time
    expect([unbounded.most, two.most, one.most]).toEqual([3, 2, 1]);
    for (const { run } of [two, one]) {
      for (let c = 0; c < 3; c++) {
        expect(run.scores[c].loss).toEqual(unbounded.run.scores[c].loss);
        expect(run.scores[c].pred).toEqual(unbounded.run.scores[c].pred);
        expect(run.scores[c].conf).toEqual(unbounded.run.scores[c].conf);
      }
      expect(run.scores[2].probs).toEqual(unbounded.run.scores[2].probs);
    }
  });

  it('counts the checkpoints whose probabilities fit a budget, at least one', () => {
    expect(checkpointsPerGroup(1_000_000, 100)).toBe(1); // 400 MB each under 512 MB
    expect(checkpointsPerGroup(1_000_000, 10)).toBe(13); // 40 MB each
    expect(checkpointsPerGroup(10_000_000, 1_000)).toBe(1); // 40 GB: never zero
    expect(checkpointsPerGroup(5, 3, 120)).toBe(2);
  });

  it('disposes every loaded model of the group when one fails its shape check', async () => {
    const { dataset, inputs } = data([1], [0]);
    const log: string[] = [];
    const base = loggingRuntime(log);
    const runtime: ScoringRuntime = { ...base, async load(ck) {
      const m = await base.load(ck);
      return ck.id === 'c1' ? { ...m, outputs: 4 } : m;
    } };
    await expect(scoreRun(runtime, three, dataset, inputs, { batchSize: 1, output: 'auto', progress: silentProgress })).rejects.toThrow('expected 3 outputs');
    expect(log).toEqual(['load c0', 'load c1', 'dispose c0', 'dispose c1']);
  });
});

describe('groupByBytes', () => {
  it('keeps order, respects the byte budget and the item limit, and gives an oversized item its own group', () => {
    const size = (x: number) => x;
    expect(groupByBytes([3, 3, 3, 3], size, 7)).toEqual([[3, 3], [3, 3]]);
    expect(groupByBytes([10, 1, 1], size, 5)).toEqual([[10], [1, 1]]);
    expect(groupByBytes([1, 1, 1], size, 100, 2)).toEqual([[1, 1], [1]]);
    expect(groupByBytes([], size, 5)).toEqual([]);
  });
});

describe('looksLikeProbabilities', () => {
  it('needs every row in [0, 1] summing to 1 within 1e-3', () => {
    expect(looksLikeProbabilities(Float32Array.from([0.2, 0.8, 0.5, 0.5]), 2, 2)).toBe(true);
    expect(looksLikeProbabilities(Float32Array.from([0.2, 0.7]), 1, 2)).toBe(false);
    expect(looksLikeProbabilities(Float32Array.from([1.5, -0.5]), 1, 2)).toBe(false);
  });
});
