/**
 * Per-class analysis on hand-computed fixtures (every expected number is worked out in the
 * comments), plus agreement with sklearn on the committed cross-check fixture.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { averages, classAccuracyByCheckpoint, confusedPairs, learningPattern, MAX_ROW_NORMALISED, perClass, rowNormalise } from '../../src/analyses/per-class.ts';
import { subMatrix } from '../../src/analyses/class-selection.ts';
import type { AnalysisOutput, Block } from '../../src/analyses/types.ts';
import { confusionMatrix, perClassMetrics } from '../../src/stats/classification.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { makeContext } from '../helpers/calibration-context.ts';

const run = (ctx: ReturnType<typeof makeContext>) => perClass.run(ctx) as AnalysisOutput;
const blocksOf = (out: AnalysisOutput, type: Block['type']) => out.blocks.flatMap((b) => (b.type === 'grid' ? b.blocks : [b])).filter((b) => b.type === type);

/*
 * Four classes a, b, c, d. c is predicted once but never a label; d is neither (absent).
 *   record  label → pred  confidence
 *   0       a → a         0.9
 *   1       a → a         0.6
 *   2       a → b         0.8
 *   3       a → c         0.7
 *   4       b → a         0.6
 *   5       b → a         0.95
 *   6       b → b         0.7
 * Confusion rows (given) a: [2,1,1,0]  b: [2,1,0,0]  c: [0,0,0,0]  d: [0,0,0,0]
 *   a: P = 2/4, R = 2/4, F1 = 0.5          b: P = 1/2, R = 1/3, F1 = (1/3)/(5/6) = 0.4
 *   c: P = 0 (1 prediction, 0 right), R = 0 (no support), F1 = 0 — counted in the macro average
 *   d: no support and no predictions — left out of the macro average
 * macro P = (0.5+0.5+0)/3 = 1/3, R = (0.5+1/3+0)/3 = 5/18, F1 = (0.5+0.4+0)/3 = 0.3
 * weighted (support 4, 3): P = 3.5/7 = 0.5, R = 3/7 (= accuracy), F1 = (2+1.2)/7 = 3.2/7
 */
const fourClass = () =>
  makeContext({
    classes: ['a', 'b', 'c', 'd'],
    labels: [0, 0, 0, 0, 1, 1, 1],
    checkpoints: [
      [
        [0.9, 0.05, 0.05, 0],
        [0.6, 0.2, 0.2, 0],
        [0.1, 0.8, 0.1, 0],
        [0.2, 0.1, 0.7, 0],
        [0.6, 0.3, 0.1, 0],
        [0.95, 0.05, 0, 0],
        [0.3, 0.7, 0, 0],
      ],
    ],
  });

describe('per-class: hand-computed four-class fixture', () => {
  const out = run(fourClass());
  const s = out.summary as Record<string, any>;

  it('reports precision, recall, F1 and support per class, including absent classes', () => {
    expect(s.perClass.map((m: any) => m.class)).toEqual(['a', 'b', 'c', 'd']);
    expect(s.perClass[0]).toEqual({ class: 'a', precision: 0.5, recall: 0.5, f1: 0.5, support: 4 });
    expect(s.perClass[1].precision).toBe(0.5);
    expect(s.perClass[1].recall).toBeCloseTo(1 / 3, 15);
    expect(s.perClass[1].f1).toBeCloseTo(0.4, 15);
    expect(s.perClass[2]).toEqual({ class: 'c', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(s.perClass[3]).toEqual({ class: 'd', precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('macro averages skip a class with neither support nor predictions; weighted use support', () => {
    const { macro, weighted } = s.perClassAverages;
    expect(macro.precision).toBeCloseTo(1 / 3, 15);
    expect(macro.recall).toBeCloseTo(5 / 18, 15);
    expect(macro.f1).toBeCloseTo(0.3, 15);
    expect(weighted.precision).toBeCloseTo(0.5, 15);
    expect(weighted.recall).toBeCloseTo(3 / 7, 15);
    expect(weighted.f1).toBeCloseTo(3.2 / 7, 15);
    expect(macro.support).toBe(7);
    const table = blocksOf(out, 'table')[0] as Extract<Block, { type: 'table' }>;
    expect(table.rows).toHaveLength(6); // 4 classes + macro + weighted
    expect(table.rows[4]![3]).toBeCloseTo(0.3, 15);
  });

  it('confusion as counts and row-normalised (an empty row stays 0)', () => {
    expect(s.confusion.labels).toEqual(['a', 'b', 'c', 'd']);
    expect(s.confusion.matrix).toEqual([[2, 1, 1, 0], [2, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
    expect(s.confusion.rowNormalized[0]).toEqual([0.5, 0.25, 0.25, 0]);
    expect(s.confusion.rowNormalized[1][0]).toBeCloseTo(2 / 3, 15);
    expect(s.confusion.rowNormalized[2]).toEqual([0, 0, 0, 0]);
    const heatmaps = blocksOf(out, 'chart').filter((b: any) => b.chart.kind === 'heatmap') as any[];
    expect(heatmaps).toHaveLength(2);
    expect(heatmaps[0].chart.labels[0]).toEqual(['2', '1', '1', '0']);
    expect(heatmaps[1].chart.labels[0]).toEqual(['50', '25', '25', '']);
  });

  it('most-confused pairs: by count, ties by class order; examples most confident first', () => {
    expect(s.confusedPairs).toEqual([
      { given: 'b', predicted: 'a', count: 2, rate: 2 / 3, examples: ['r005', 'r004'] },
      { given: 'a', predicted: 'b', count: 1, rate: 0.25, examples: ['r002'] },
      { given: 'a', predicted: 'c', count: 1, rate: 0.25, examples: ['r003'] },
    ]);
    const pairs = blocksOf(out, 'table')[1] as Extract<Block, { type: 'table' }>;
    expect(pairs.rows[0]!.slice(0, 4)).toEqual(['b', 'a', 2, 2 / 3]);
    expect(pairs.rows[0]![4]).toEqual({ preview: { kind: 'fields', fields: [['id', 'r005']] } });
    expect(pairs.rows[1]![5]).toBeNull(); // only one example for a → b
  });

  it('says so when there is a single checkpoint', () => {
    expect(blocksOf(out, 'text').some((b: any) => /Only one checkpoint/.test(b.text))).toBe(true);
    expect(out.headline).toMatch(/Macro-F1 on val is 0\.300.*"b" with recall 33\.3 %.*"b" → "a" \(2 records\)/);
  });

  it('averages agree with recall = accuracy identity', () => {
    const m = [[5, 1], [2, 2]];
    const { weighted } = averages(m, perClassMetrics(m));
    expect(weighted.recall).toBeCloseTo(7 / 10, 15);
    expect(rowNormalise(m)).toEqual([[5 / 6, 1 / 6], [0.5, 0.5]]);
  });
});

describe('per-class accuracy across checkpoints', () => {
  /*
   * Classes x, y, z with two records each; three checkpoints.
   *   x: 1, 1, 1     y: 0, 0, 1 (learned late)     z: 1, 1, 0.5 (forgotten)
   */
  const right = (c: number) => [0, 1, 2].map((j) => (j === c ? 0.8 : 0.1));
  const wrong = (c: number) => right((c + 1) % 3);
  const ctx = makeContext({
    classes: ['x', 'y', 'z'],
    labels: [0, 0, 1, 1, 2, 2],
    steps: [10, 20, 30],
    checkpoints: [
      [right(0), right(0), wrong(1), wrong(1), right(2), right(2)],
      [right(0), right(0), wrong(1), wrong(1), right(2), right(2)],
      [right(0), right(0), right(1), right(1), right(2), wrong(2)],
    ],
  });

  it('computes within-class accuracy per checkpoint', () => {
    expect(classAccuracyByCheckpoint(ctx, ctx.final.rows)).toEqual([[1, 0, 1], [1, 0, 1], [1, 1, 0.5]]);
  });

  it('flags the forgotten and the late class, and draws one line per class against step', () => {
    const p = learningPattern(classAccuracyByCheckpoint(ctx, ctx.final.rows), 3);
    expect(p.forgotten).toEqual([{ c: 2, peak: 1, final: 0.5 }]);
    expect(p.late).toEqual([{ c: 1, at: 2 }]);
    // One checkpoint behind the median class is ordinary spread, not "late".
    expect(learningPattern([[1, 0.2, 1], [1, 1, 1], [1, 1, 1]], 3).late).toEqual([]);
    const out = run(ctx);
    const lines = blocksOf(out, 'chart').find((b: any) => b.chart.kind === 'lines') as any;
    expect(lines.chart.series.map((s: any) => s.name)).toEqual(['x', 'y', 'z']);
    expect(lines.chart.series[2].points).toEqual([{ x: 10, y: 1 }, { x: 20, y: 1 }, { x: 30, y: 0.5 }]);
    const list = blocksOf(out, 'list')[0] as Extract<Block, { type: 'list' }>;
    expect(list.items).toEqual([
      '"z" was forgotten: accuracy peaked at 100.0 % and ends at 50.0 %.',
      '"y" was learned late: within 5 % of its best accuracy only from checkpoint step-30.',
    ]);
  });

  it('is not applicable without scored, labelled records on the headline split', () => {
    const empty = makeContext({ classes: ['x', 'y'], labels: [0, -1], splits: ['val', 'val'], checkpoints: [[[1, 0], [0, 1]]], unscorable: [0] });
    expect(perClass.notApplicable!(empty)).toMatch(/no scored, labelled records in split "val"/);
  });
});

describe('per-class vs sklearn (committed cross-check fixture)', () => {
  const fx = JSON.parse(readFileSync(new URL('../fixtures/stats/crosscheck-multiclass.json', import.meta.url), 'utf8'));
  const k: number = fx.k;
  const rows = Array.from({ length: fx.n }, (_, i) => fx.probs.slice(i * k, (i + 1) * k));
  const ctx = makeContext({ classes: Array.from({ length: k }, (_, c) => `c${c}`), labels: fx.labels, checkpoints: [rows] });
  const s = run(ctx).summary as Record<string, any>;

  it('matches precision_recall_fscore_support, confusion_matrix and averaged F1 to 1e-9', () => {
    expect(s.confusion.matrix).toEqual(fx.expected.confusion);
    s.perClass.forEach((m: any, c: number) => {
      const e = fx.expected.perClass[c];
      expect(Math.abs(m.precision - e.precision)).toBeLessThan(1e-9);
      expect(Math.abs(m.recall - e.recall)).toBeLessThan(1e-9);
      expect(Math.abs(m.f1 - e.f1)).toBeLessThan(1e-9);
      expect(m.support).toBe(e.support);
    });
    expect(Math.abs(s.perClassAverages.macro.f1 - fx.expected.macroF1)).toBeLessThan(1e-9);
    expect(Math.abs(s.perClassAverages.weighted.f1 - fx.expected.weightedF1)).toBeLessThan(1e-9);
    expect(Math.abs(s.perClassAverages.weighted.recall - fx.expected.accuracy)).toBeLessThan(1e-9);
    expect(confusionMatrix(Int32Array.from(fx.labels), Int32Array.from(fx.expected.pred), k)).toEqual(s.confusion.matrix);
  });
});

describe('confusedPairs on many records', () => {
  it('keeps, per pair, the most confident examples (ties by dataset order) of the full ranking', () => {
    // 400 records over 3 classes; confidences on a coarse grid so many mistakes tie.
    const rng = mulberry32(5);
    const labels = Array.from({ length: 400 }, () => Math.floor(rng() * 3));
    const rows = labels.map((y) => {
      const p = y === 0 || rng() < 0.5 ? Math.floor(rng() * 3) : y; // class 0 is often confused
      const c = 0.4 + Math.floor(rng() * 3) / 10;
      return [0, 1, 2].map((j) => (j === p ? c : (1 - c) / 2));
    });
    const ctx = makeContext({ classes: ['a', 'b', 'c'], labels, checkpoints: [rows] });
    const s = ctx.run.scores[ctx.final.checkpoint];
    const matrix = confusionMatrix(Int32Array.from(ctx.final.rows, (i) => ctx.dataset.labels[i]), Int32Array.from(ctx.final.rows, (i) => s.pred[i]), 3);
    const pairs = confusedPairs(ctx, matrix, 6, 4);
    expect(pairs.length).toBeGreaterThan(2);
    for (const p of pairs) {
      const all = Array.from(ctx.final.rows).filter((i) => ctx.dataset.labels[i] === p.given && s.pred[i] === p.predicted);
      all.sort((a, b) => s.conf[b] - s.conf[a] || a - b);
      expect(p.examples).toEqual(all.slice(0, 4));
      expect(p.count).toBe(all.length);
    }
  });
});

describe('per-class with many classes (class-selection.ts)', () => {
  // 120 classes, two records each; at the final checkpoint class 7 is taken for 9 (both records),
  // 30 for 31 (one record), and classes 40…59 lose one record each to the class after them.
  const k = 120;
  const labels = Array.from({ length: 2 * k }, (_, i) => i % k);
  const predFinal = labels.map((l, i) => (l === 7 ? 9 : l === 30 && i < k ? 31 : l >= 40 && l < 60 && i < k ? l + 1 : l));
  const rows = (preds: number[]) => preds.map((p) => Array.from({ length: k }, (_, j) => (j === p ? 0.9 : 0.1 / (k - 1))));
  const ctx = makeContext({ classes: Array.from({ length: k }, (_, c) => `class-${c}`), labels, checkpoints: [rows(labels), rows(predFinal)] });
  const out = run(ctx);
  const charts = blocksOf(out, 'chart') as Extract<Block, { type: 'chart' }>[];

  it('draws the confusion heatmaps for the 30 most confused classes, with shares of the whole row', () => {
    const heat = charts.filter((b) => b.chart.kind === 'heatmap');
    expect(heat).toHaveLength(2);
    const chart = heat[0].chart as Extract<Block, { type: 'chart' }>['chart'] & { kind: 'heatmap' };
    expect(chart.x).toHaveLength(30);
    expect(chart.x).toEqual(chart.y);
    for (const c of [7, 9, 30, 31, 40, 59, 60]) expect(chart.x).toContain(`class-${c}`);
    const row7 = chart.y.indexOf('class-7');
    expect(chart.values[row7][chart.x.indexOf('class-9')]).toBe(1); // both records of class 7 → 9
    expect(chart.labels![row7][chart.x.indexOf('class-9')]).toBe('2');
    expect(heat[0].caption).toMatch(/the 30 classes of 120 with the most confused records .* summary\.json \(confusion\.matrix\)/);
    const confusion = (out.summary as { confusion: { matrix: number[][]; rowNormalized: number[][] } }).confusion;
    expect(confusion.matrix).toHaveLength(k);
    // The shares drawn are the whole matrix's row-normalised cells, bit for bit.
    const shown = chart.x.map((name) => Number(name.slice('class-'.length)));
    expect(chart.values).toEqual(subMatrix(rowNormalise(confusion.matrix), shown));
    expect(confusion.rowNormalized).toEqual(rowNormalise(confusion.matrix));
  });

  it('beyond MAX_ROW_NORMALISED classes summary.json keeps the counts only (the normalised copy would double it)', () => {
    const many = MAX_ROW_NORMALISED + 1;
    const few = Array.from({ length: 12 }, (_, i) => (i * 97) % many);
    const probs = few.map((l, i) => Array.from({ length: many }, (_, j) => (j === (i % 3 ? l : (l + 1) % many) ? 0.5 : 0.5 / (many - 1))));
    const big = run(makeContext({ classes: Array.from({ length: many }, (_, c) => `c${c}`), labels: few, checkpoints: [probs] }));
    const confusion = (big.summary as { confusion: Record<string, unknown> }).confusion;
    expect(Object.keys(confusion)).toEqual(['labels', 'matrix']);
    expect((confusion.matrix as number[][])[0][1]).toBe(1); // record 0 (label 0) predicted as class 1
  });

  it('lists the 100 classes with the lowest F1 in the table, worst first, then the averages', () => {
    const table = (blocksOf(out, 'table') as Extract<Block, { type: 'table' }>[])[0];
    expect(table.rows).toHaveLength(100 + 2);
    expect(table.rows[0][0]).toBe('class-7'); // F1 0 (never right)
    expect(table.rows.slice(-2).map((r) => (r[0] as { text: string }).text)).toEqual(['macro average', 'weighted average']);
    expect(table.caption).toMatch(/the 100 classes of 120 with the lowest F1, worst first/);
  });

  it('draws at most 12 per-class accuracy curves, the forgotten classes first', () => {
    const lines = charts.find((b) => b.chart.kind === 'lines')!;
    const series = (lines.chart as { series: { name: string }[] }).series.map((s) => s.name);
    expect(series).toHaveLength(12);
    expect(series).toContain('class-7');
    expect(lines.caption).toMatch(/Drawn: 12 classes of 120/);
  });

  it('lists 20 forgotten or late classes and counts the rest', () => {
    const list = (blocksOf(out, 'list') as Extract<Block, { type: 'list' }>[])[0];
    expect(list.items).toHaveLength(21);
    expect(list.items[0]).toMatch(/^"class-7" was forgotten/);
    expect(list.items[20]).toBe('… and 2 more (22 forgotten and 0 late classes in all).');
  });
});
