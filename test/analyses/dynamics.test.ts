/**
 * Training dynamics from hand-written probability trajectories: every figure here is computed by
 * hand from the rows below.
 */
import { describe, expect, it } from 'vitest';
import { dynamics } from '../../src/analyses/dynamics.ts';
import { agreement } from '../../src/analyses/dynamics/agreement.ts';
import { bestIndex, metricsPerCheckpoint } from '../../src/analyses/dynamics/curves.ts';
import { cellAt, dynamicsCheckpoints, logitMargin, meanMarginAt, recordDynamics } from '../../src/analyses/dynamics/matrix.ts';
import { requiredHits, worstQHits } from '../../src/analyses/dynamics/persistent.ts';
import { dataMapCells, DATA_MAP_BINS, HARD, hardestOrder, regionIndex, regionOf, REGIONS } from '../../src/analyses/dynamics/regions.ts';
import { tally } from '../../src/analyses/dynamics/tally.ts';
import type { AnalysisOutput, Block, ChartSpec } from '../../src/analyses/types.ts';
import { chartToSpec } from '../../src/render/charts/index.ts';
import { quantile } from '../../src/stats/quantiles.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { makeContext } from '../helpers/calibration-context.ts';

const CLASSES = ['a', 'b', 'c'];
/** p(given label) → a row with the rest split between the other two classes (first gets 2/3). */
const row = (label: number, p: number): number[] => {
  const out = [0, 0, 0];
  const others = [0, 1, 2].filter((j) => j !== label);
  out[label] = p;
  out[others[0]] = ((1 - p) * 2) / 3;
  out[others[1]] = (1 - p) / 3;
  return out;
};

// Four checkpoints (steps 100..400), five records:
//   r0 label a: learned early, stays              → easy-to-learn, 0 forgetting events
//   r1 label b: the model always says a           → hard-to-learn, never learned, mean margin < 0
//   r2 label c: right, wrong, right, wrong         → ambiguous, 2 forgetting events
//   r3 label a: stuck near 0.3 and wrong           → hard-to-learn, never learned
//   r4 label b: slowly learned                     → ambiguous (variability 0.28)
const labels = [0, 1, 2, 0, 1];
const P = [
  [0.9, 0.95, 0.97, 0.98],
  [0.05, 0.04, 0.03, 0.02],
  [0.8, 0.2, 0.8, 0.2],
  [0.3, 0.32, 0.28, 0.3],
  [0.2, 0.35, 0.7, 0.9],
];
const checkpoints = [0, 1, 2, 3].map((c) => P.map((ps, i) => row(labels[i], ps[c])));
const ctxOf = (extra: Partial<Parameters<typeof makeContext>[0]> = {}) =>
  makeContext({ classes: CLASSES, labels, checkpoints, steps: [100, 200, 300, 400], splits: ['train', 'train', 'val', 'val', 'val'], ...extra });

/** 3000 seeded records over three splits and five checkpoints, probabilities on a coarse grid (ties in losses). */
function randomCtx() {
  const rand = mulberry32(11);
  const n = 3000;
  const labels = Array.from({ length: n }, () => Math.floor(rand() * 3));
  const checkpoints = Array.from({ length: 5 }, () =>
    labels.map(() => {
      const w = [0, 1, 2].map(() => 1 + Math.floor(rand() * 8));
      const total = w.reduce((a, b) => a + b, 0);
      return w.map((x) => x / total);
    }),
  );
  const splits = labels.map((_, i) => ['train', 'val', 'test'][i % 3]);
  return makeContext({ classes: CLASSES, labels, checkpoints, steps: [100, 200, 300, 400, 500], splits });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

describe('per-sample matrix', () => {
  it('mean margin equals the logit margin of a softmax model', () => {
    const logits = [2.0, -1.0, 0.5];
    const z = logits.map(Math.exp);
    const sum = z.reduce((a, b) => a + b, 0);
    const probs = Float32Array.from(z.map((v) => v / sum));
    expect(logitMargin(probs, 0, 3, 0)).toBeCloseTo(2.0 - 0.5, 5);
    expect(logitMargin(probs, 0, 3, 1)).toBeCloseTo(-1.0 - 2.0, 5);
    // clamped like the loss: bounded by ±ln(1e12)
    expect(logitMargin(Float32Array.from([1, 0, 0]), 0, 3, 0)).toBeCloseTo(-Math.log(1e-12), 6);
  });

  it('summarises confidence, variability, correctness, margin and forgetting per record', () => {
    const ctx = ctxOf();
    const rows = Int32Array.from([0, 1, 2, 3, 4]);
    const d = recordDynamics(ctx.run, ctx.dataset.labels, rows, [0, 1, 2, 3]);
    P.forEach((ps, r) => {
      const f32 = ps.map((p) => Math.fround(p));
      expect(d.confidence[r]).toBeCloseTo(mean(f32), 6);
      expect(d.variability[r]).toBeCloseTo(std(f32), 6);
    });
    // r4 is correct once its p(label) beats the other classes' (1 − p)·2/3: at 0.7 and 0.9.
    expect(Array.from(d.correctness)).toEqual([1, 0, 0.5, 0, 0.5]);
    expect(Array.from(d.forgetting)).toEqual([0, 0, 2, 0, 0]);
    expect(Array.from(d.neverLearned)).toEqual([0, 1, 0, 1, 0]);
    expect(d.meanMargin[1]).toBeLessThan(0);
    expect(d.meanMargin[0]).toBeNaN(); // right at every checkpoint by a wide margin: not computed in bulk
    expect(meanMarginAt(ctx.run, ctx.dataset.labels, d, 0)).toBeGreaterThan(0);
    // r1: ln p_b − ln p_a with p_a = (1 − p)·2/3, averaged
    expect(d.meanMargin[1]).toBeCloseTo(mean(P[1].map((p) => Math.log(Math.fround(p)) - Math.log(Math.fround(((1 - p) * 2) / 3)))), 5);
  });

  it('equals the per-cell definition summed checkpoint by checkpoint, to the bit', () => {
    const ctx = randomCtx();
    const rows = Int32Array.from({ length: ctx.dataset.n }, (_, i) => i).filter((i) => i % 5 !== 2); // a subset, not every record
    const used = [0, 2, 3, 4];
    const d = recordDynamics(ctx.run, ctx.dataset.labels, rows, used);
    let bulk = 0;
    rows.forEach((i, r) => {
      const cells = used.map((c) => cellAt(ctx.run, ctx.dataset.labels, c, i));
      const sum = (f: (x: (typeof cells)[number]) => number) => cells.reduce((a, x) => a + f(x), 0);
      const conf = sum((x) => x.p) / used.length;
      expect(d.confidence[r]).toBe(conf);
      expect(d.variability[r]).toBe(Math.sqrt(Math.max(0, sum((x) => x.p * x.p) / used.length - conf * conf)));
      const meanMargin = sum((x) => x.margin) / used.length;
      expect(meanMarginAt(ctx.run, ctx.dataset.labels, d, r)).toBe(meanMargin);
      // Left uncomputed only where every margin is ≥ 0 and the record is not hard-to-learn.
      if (Number.isNaN(d.meanMargin[r])) {
        expect(cells.every((x) => x.margin >= 0)).toBe(true);
        expect(regionOf(d.confidence[r], d.variability[r])).not.toBe('hard-to-learn');
      } else expect(d.meanMargin[r]).toBe(meanMargin);
      bulk += Number.isNaN(d.meanMargin[r]) ? 0 : 1;
      expect(d.meanLoss[r]).toBe(sum((x) => x.loss) / used.length);
      expect(d.correctness[r]).toBe(sum((x) => (x.correct ? 1 : 0)) / used.length);
      expect(d.forgetting[r]).toBe(cells.filter((x, t) => t > 0 && cells[t - 1].correct && !x.correct).length);
    });
    // Both kinds occur: margins computed in the pass and left to meanMarginAt.
    expect(bulk).toBeGreaterThan(0);
    expect(bulk).toBeLessThan(rows.length);
  });

  it('leaves out a step-0 checkpoint only when two others remain', () => {
    const three = ctxOf({ checkpoints: checkpoints.slice(0, 3), steps: [0, 100, 200] });
    expect(dynamicsCheckpoints(three.run)).toEqual({ used: [1, 2], skipped: [0] });
    const two = ctxOf({ checkpoints: checkpoints.slice(0, 2), steps: [0, 100] });
    expect(dynamicsCheckpoints(two.run)).toEqual({ used: [0, 1], skipped: [] });
    expect(dynamicsCheckpoints(ctxOf().run).skipped).toEqual([]);
  });
});

describe('regions and the data map', () => {
  it('partitions the map at variability 0.2 and confidence 0.5', () => {
    expect(regionOf(0.9, 0.05)).toBe('easy-to-learn');
    expect(regionOf(0.5, 0.199)).toBe('easy-to-learn');
    expect(regionOf(0.49, 0.1)).toBe('hard-to-learn');
    expect(regionOf(0.9, 0.2)).toBe('ambiguous');
    const ctx = ctxOf();
    const d = recordDynamics(ctx.run, ctx.dataset.labels, Int32Array.from([0, 1, 2, 3, 4]), [0, 1, 2, 3]);
    const reg = Array.from(d.confidence, (c, r) => regionIndex(c, d.variability[r]));
    expect(reg.map((g) => REGIONS[g])).toEqual(['easy-to-learn', 'hard-to-learn', 'ambiguous', 'hard-to-learn', 'ambiguous']);
    expect(hardestOrder(d, [1, 3])).toEqual([1, 3]); // lowest confidence first
    expect(hardestOrder(d, [3, 1], 1)).toEqual([1]);
  });

  it('bins a million-record map into at most 20 × 20 cells that count every record', () => {
    const n = 1_000_000;
    const rand = mulberry32(7);
    const confidence = Float64Array.from({ length: n }, () => rand());
    const d = {
      rows: new Int32Array(n),
      used: [0, 1],
      confidence,
      variability: Float64Array.from(confidence, (c) => rand() * Math.sqrt(c * (1 - c))),
      correctness: Float64Array.from(confidence, (c) => (c > 0.5 ? 1 : 0)),
      meanMargin: new Float64Array(n),
      meanLoss: new Float64Array(n),
      forgetting: new Int32Array(n),
      neverLearned: new Uint8Array(n),
    };
    const cells = dataMapCells(d, Int32Array.from({ length: n }, (_, i) => i));
    expect(cells.length).toBeLessThanOrEqual(DATA_MAP_BINS * DATA_MAP_BINS);
    expect(cells.reduce((a, c) => a + c.count, 0)).toBe(n);
    for (const c of cells) expect(c.value).toBeGreaterThanOrEqual(0);
    // the rendered spec carries one datum per non-empty cell, not per record
    const spec = chartToSpec({ kind: 'density', cells, xDomain: [0, 0.5], yDomain: [0, 1], xLabel: 'v', yLabel: 'c', valueLabel: 'correct' }, 'alt') as unknown as { layer: { data: { values: unknown[] } }[] };
    expect(spec.layer[0].data.values).toHaveLength(cells.length);
  });
});

describe('persistently high loss', () => {
  it('needs ⌈80 % of checkpoints⌉ in the worst q of the record’s own split', () => {
    expect(requiredHits(5)).toBe(4);
    expect(requiredHits(4)).toBe(4);
    expect(requiredHits(10)).toBe(8);
    const ctx = ctxOf();
    const rows = Int32Array.from([0, 1, 2, 3, 4]);
    // q = 0.5: within train (r0, r1) the worse is r1 at every checkpoint.
    const hits = worstQHits(ctx.run, ctx.dataset, rows, [0, 1, 2, 3], 0.5);
    expect(hits[0]).toBe(0);
    expect(hits[1]).toBe(4);
    // within val (r2, r3, r4), r3 is at or above the median loss at every checkpoint
    expect(hits[3]).toBe(4);
  });
});

describe('persistently high loss at scale', () => {
  it('counts the same hits as sorting each split’s losses per checkpoint', () => {
    const ctx = randomCtx();
    const { run, dataset } = ctx;
    const rows = Int32Array.from({ length: dataset.n }, (_, i) => i);
    const used = [1, 2, 3, 4];
    const hits = worstQHits(run, dataset, rows, used);
    const expected = new Int32Array(rows.length);
    for (const c of used) {
      for (let s = 0; s < dataset.splitNames.length; s++) {
        const losses = Float64Array.from(rows.filter((i) => dataset.split[i] === s), (i) => run.scores[c].loss[i]).sort();
        const threshold = quantile(losses, 0.9);
        rows.forEach((i, r) => dataset.split[i] === s && run.scores[c].loss[i] >= threshold && expected[r]++);
      }
    }
    expect(Array.from(hits)).toEqual(Array.from(expected));
    // At least the worst 10 % of each split at each checkpoint (more with ties at the threshold).
    expect(hits.reduce((a, h) => a + h, 0)).toBeGreaterThanOrEqual(0.1 * (dataset.n - 3) * used.length);
  });
});

describe('agreement and curves', () => {
  it('counts both / only one / neither over the compared records', () => {
    // Flags per dataset index: A = {0, 1, 9}, B = {1, 2}; record 9 is not compared.
    const flags = (on: number[]) => Uint8Array.from({ length: 10 }, (_, i) => (on.includes(i) ? 1 : 0));
    const a = agreement([0, 1, 2, 3, 4], flags([0, 1, 9]), flags([1, 2]));
    expect(a).toEqual({ both: 1, onlyA: 1, onlyB: 1, neither: 2, jaccard: 1 / 3 });
    expect(agreement([0], flags([]), flags([])).jaccard).toBeNaN();
  });

  it('computes headline metrics per checkpoint and split, and finds the best one', () => {
    const ctx = ctxOf();
    const m = metricsPerCheckpoint(ctx.run, ctx.dataset);
    expect(m.train.accuracy).toEqual([0.5, 0.5, 0.5, 0.5]);
    // val: r2 right at 0 and 2, r4 right at 2 and 3
    expect(m.val.accuracy).toEqual([1 / 3, 0, 2 / 3, 1 / 3]);
    expect(m.val.meanLoss[0]).toBeCloseTo(mean([0.8, 0.3, 0.2].map((p) => -Math.log(Math.fround(p)))), 5);
    expect(bestIndex(m.val.accuracy, true)).toBe(2);
    expect(bestIndex([NaN, 0.3, 0.2], false)).toBe(2);
    expect(bestIndex([NaN], true)).toBe(-1);
  });
});

describe('dynamics analysis', () => {
  const find = (blocks: Block[], pred: (b: Block) => boolean): Block[] =>
    blocks.flatMap((b) => (b.type === 'grid' ? find(b.blocks, pred) : pred(b) ? [b] : []));

  it('is not applicable with a single checkpoint', () => {
    const ctx = ctxOf({ checkpoints: checkpoints.slice(0, 1), steps: [100] });
    expect(dynamics.notApplicable!(ctx)).toMatch(/at least 2 checkpoints/);
    expect(dynamics.notApplicable!(ctxOf())).toBeNull();
  });

  it('writes region counts and the hardest records to the summary', async () => {
    const ctx = ctxOf();
    const out = (await dynamics.run(ctx)) as AnalysisOutput;
    const s = out.summary!.dynamics as Record<string, any>;
    expect(s.regions).toEqual({ easyToLearn: 1, ambiguous: 2, hardToLearn: 2 });
    expect(s.regionsBySplit).toEqual({ train: { easyToLearn: 1, ambiguous: 0, hardToLearn: 1 }, val: { easyToLearn: 0, ambiguous: 2, hardToLearn: 1 } });
    expect(s.forgettingEvents).toBe(2);
    expect(s.neverLearned).toBe(2);
    expect(s.checkpoints).toEqual(['step-100', 'step-200', 'step-300', 'step-400']);
    expect(s.hardest.map((h: { id: string }) => h.id)).toEqual(['r001', 'r003']);
    expect(s.hardest[0]).toMatchObject({ split: 'train', label: 'b', predicted: 'a', correctness: 0, forgettingEvents: 0 });
    expect(s.meanMargin.negative).toBe(2); // r1 and r3; r4 and r2 are right by wider margins than they are wrong
    expect(out.headline).toMatch(/2 records \(40\.0 %\) are hard-to-learn/);
  });

  it('draws the data map binned, per split, and the headline metrics as small multiples', async () => {
    const out = (await dynamics.run(ctxOf())) as AnalysisOutput;
    const charts = find(out.blocks, (b) => b.type === 'chart').map((b) => (b as Extract<Block, { type: 'chart' }>).chart);
    const maps = charts.filter((c): c is Extract<ChartSpec, { kind: 'density' }> => c.kind === 'density');
    expect(maps).toHaveLength(2);
    expect(maps.reduce((a, m) => a + m.cells.reduce((x, c) => x + c.count, 0), 0)).toBe(5);
    const lines = charts.filter((c): c is Extract<ChartSpec, { kind: 'lines' }> => c.kind === 'lines');
    expect(lines.map((l) => l.yLabel)).toEqual(['accuracy', 'mean loss', 'ECE']);
    expect(lines[0].series.map((s) => s.name)).toEqual(['train', 'val']);
    // a late regression is marked: val accuracy is best at step-300, not the final step-400
    const table = find(out.blocks, (b) => b.type === 'table' && b.caption.startsWith('Best checkpoint')) as Extract<Block, { type: 'table' }>[];
    const valAcc = table[0].rows.find((r) => r[0] === 'val' && r[1] === 'accuracy')!;
    expect(valAcc[2]).toBe('step-300');
    expect(valAcc[5]).toMatchObject({ tone: 'warn' });
  });

  it('compares the mean margin with the label-issues flags on the records those examined', async () => {
    const out = (await dynamics.run(ctxOf())) as AnalysisOutput;
    const mm = (out.summary!.dynamics as Record<string, any>).meanMargin;
    expect(mm.comparedOn.splits).toEqual(['val']); // held-out split only, as the label-issues section does
    expect(mm.comparedOn.records).toBe(3);
    expect(mm.both + mm.marginOnly + mm.confidentLearningOnly).toBeLessThanOrEqual(3);
    expect(mm.both + mm.marginOnly).toBe(1); // r3 is the val record with margin < 0
  });
});
