/**
 * The loss-outlier rule on hand-made losses (every expected number worked out in comments) and
 * the outliers section on tiny contexts: ties, a one-record class, identical losses, NaN losses.
 */
import { describe, expect, it } from 'vitest';
import { LOSS_FLOOR, lossOutliers, negLogOdds, softplus } from '../../src/analyses/discovery/loss-outliers.ts';
import { outliers, rankByLoss } from '../../src/analyses/outliers.ts';
import type { AnalysisOutput, Block } from '../../src/analyses/types.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { makeContext } from '../helpers/context.ts';

const run = (ctx: ReturnType<typeof makeContext>) => outliers.run(ctx) as Promise<AnalysisOutput>;
const tables = (out: AnalysisOutput) => out.blocks.filter((b): b is Extract<Block, { type: 'table' }> => b.type === 'table');

describe('negLogOdds / softplus', () => {
  it('maps loss to ln((1 − p)/p) and back', () => {
    expect(negLogOdds(Math.LN2)).toBeCloseTo(0, 14); // p = 1/2
    expect(negLogOdds(-Math.log(0.01))).toBeCloseTo(Math.log(99), 12); // p = 0.01 → ln 99
    expect(negLogOdds(40)).toBe(40); // large losses: t ≈ ℓ
    expect(negLogOdds(1e-3)).toBeCloseTo(Math.log(Math.expm1(1e-3)), 14); // ≈ ln ℓ for small ℓ
    expect(negLogOdds(0)).toBe(Math.log(Math.expm1(LOSS_FLOOR))); // p = 1 clamps at float32 resolution
    expect(negLogOdds(NaN)).toBeNaN();
    for (const t of [-10, -1, 0, 2.5, 12]) expect(negLogOdds(softplus(t))).toBeCloseTo(t, 9);
  });
});

/*
 * One group (split 0, class 0) with t = ln(e^ℓ − 1) chosen by hand:
 *   t = [-4, -3, -3, -2, -2, -2, -1, -1, 0, 6]  → median (-2 + -2)/2 = -2
 *   |t − median| = [2, 1, 1, 0, 0, 0, 1, 1, 2, 8] → sorted 0,0,0,1,1,1,1,2,2,8 → MAD 1
 *   scale 1.4826; z(6) = 8 / 1.4826 = 5.396 > 3.5 (flagged); z(0) = 2 / 1.4826 = 1.349
 *   cut-off in loss units: softplus(-2 + 3.5 · 1.4826) = softplus(3.1891) = 3.2290
 */
const T = [-4, -3, -3, -2, -2, -2, -1, -1, 0, 6];
const zeros = (n: number) => new Array<number>(n).fill(0);

describe('lossOutliers', () => {
  it('flags by robust z of the negative log-odds per (split, class)', () => {
    const loss = T.map(softplus);
    const o = lossOutliers(loss, zeros(10), zeros(10), 3.5);
    expect(Array.from(o.flagged)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(o.z[9]).toBeCloseTo(8 / 1.4826, 9);
    expect(o.z[8]).toBeCloseTo(2 / 1.4826, 9);
    expect(o.order).toEqual([9]);
    expect(o.groups).toHaveLength(1);
    expect(o.groups[0]).toMatchObject({ split: 0, label: 0, n: 10, flagged: 1 });
    expect(o.groups[0].thresholdLoss).toBeCloseTo(softplus(-2 + 3.5 * 1.4826), 9);
    expect(o.groups[0].max).toBeCloseTo(softplus(6), 6);
  });

  it('a larger k flags fewer records', () => {
    const o = lossOutliers(T.map(softplus), zeros(10), zeros(10), 6);
    expect(o.order).toEqual([]); // 5.396 < 6
  });

  it('ties: equal losses are flagged together and ordered by dataset index', () => {
    // t = [-2 ×7, -1, 6, 6]: median -2, |dev| = [0×7, 1, 8, 8] → MAD 0 → mean |dev| = 17/10
    // scale 1.2533 · 1.7 = 2.1306; z(6) = 8 / 2.1306 = 3.755 > 3.5
    const t = [-2, -2, -2, -2, -2, -2, -2, -1, 6, 6];
    const o = lossOutliers(t.map(softplus), zeros(10), zeros(10), 3.5);
    expect(o.order).toEqual([8, 9]);
    expect(o.z[8]).toBeCloseTo(8 / (1.2533 * 1.7), 9);
    expect(o.z[8]).toBe(o.z[9]);
  });

  it('a class with one record is never flagged', () => {
    // class 1 has a single record with a huge loss: its own median, z = 0.
    const loss = [...T.map(softplus), 20];
    const labels = [...zeros(10), 1];
    const o = lossOutliers(loss, labels, zeros(11), 3.5);
    expect(o.z[10]).toBe(0);
    expect(o.flagged[10]).toBe(0);
    expect(o.groups.find((g) => g.label === 1)).toMatchObject({ n: 1, flagged: 0, thresholdLoss: Infinity });
  });

  it('all-identical losses: nothing flagged, no cut-off', () => {
    const o = lossOutliers(new Array(6).fill(3), zeros(6), zeros(6), 3.5);
    expect(Array.from(o.z)).toEqual(new Array(6).fill(0));
    expect(o.order).toEqual([]);
    expect(o.groups[0].thresholdLoss).toBe(Infinity);
  });

  it('NaN losses are skipped: z NaN, never flagged, no influence on the others', () => {
    const loss = [...T.map(softplus), NaN, NaN];
    const o = lossOutliers(loss, zeros(12), zeros(12), 3.5);
    expect(o.z[10]).toBeNaN();
    expect(o.z[11]).toBeNaN();
    expect(o.order).toEqual([9]);
    expect(o.z[9]).toBeCloseTo(8 / 1.4826, 9);
    expect(o.groups[0].n).toBe(10);
  });

  it('never flags a record whose label still has p ≥ 0.5 (loss ≤ ln 2)', () => {
    // Nine losses of 0.01 and one of 0.5: MAD 0, mean |dev| tiny → huge z, but 0.5 < ln 2.
    const o = lossOutliers([...new Array(9).fill(0.01), 0.5], zeros(10), zeros(10), 3.5);
    expect(o.z[9]).toBeGreaterThan(3.5);
    expect(o.order).toEqual([]);
    const o2 = lossOutliers([...new Array(9).fill(0.01), 1.0], zeros(10), zeros(10), 3.5);
    expect(o2.order).toEqual([9]);
  });

  it('groups by split as well as class', () => {
    // The same losses in two splits: each split has its own median, both flag their own worst.
    const loss = [...T, ...T].map(softplus);
    const split = [...zeros(10), ...new Array(10).fill(1)];
    const o = lossOutliers(loss, zeros(20), split, 3.5);
    expect(o.order).toEqual([9, 19]);
    expect(o.groups.map((g) => g.split)).toEqual([0, 1]);
  });

  it('float32 losses (as scored) give exactly what the same values in a plain array give', () => {
    // Heavy-tailed losses in 2 splits × 3 classes, with repeated values (ties), NaN and unlabelled records.
    const rng = mulberry32(3);
    const n = 3000;
    const loss = Float32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? NaN : i % 50 === 0 ? 60 : i % 5 === 0 ? 2.5 : -Math.log(rng() ** 4)));
    const labels = Array.from({ length: n }, (_, i) => (i % 89 === 0 ? -1 : i % 3));
    const split = Array.from({ length: n }, (_, i) => (i * 7) % 2);
    const typed = lossOutliers(loss, labels, split, 3.5);
    const plain = lossOutliers(Array.from(loss), labels, split, 3.5);
    expect(typed.order.filter((i) => loss[i] === 60).length).toBeGreaterThan(10); // tied flagged records
    expect(typed.order).toEqual(plain.order);
    expect(typed.groups).toEqual(plain.groups);
    expect(Array.from(typed.z)).toEqual(Array.from(plain.z));
    expect(Array.from(typed.flagged)).toEqual(Array.from(plain.flagged));
  });

  it('rankByLoss orders by loss, ties by index, NaN dropped', () => {
    expect(rankByLoss(Float32Array.from([1, 3, NaN, 3, 2]), 10)).toEqual([1, 3, 4, 0]);
  });

  it('rankByLoss keeps the first `limit` of the full ranking', () => {
    const loss = Float32Array.from([0.5, 4, 2, 4, NaN, 9, 2, 0.1, 4, Infinity, Infinity]);
    const full = [9, 10, 5, 1, 3, 8, 2, 6, 0, 7];
    expect(rankByLoss(loss, 20)).toEqual(full);
    for (const limit of [0, 1, 2, 3, 5, 9]) expect(rankByLoss(loss, limit)).toEqual(full.slice(0, limit));
  });
});

/** Ten "0" records in val with p(label) = e^{−softplus(t)} and a second class of three. */
function fixture(extra: { analysis?: Record<string, unknown> } = {}) {
  const probs: number[][] = T.map((t) => {
    const p = Math.exp(-softplus(t));
    return [p, 1 - p];
  });
  probs.push([0.1, 0.9], [0.2, 0.8], [0.15, 0.85]);
  return makeContext({ probs, labels: [...zeros(10), 1, 1, 1], ...extra });
}

describe('outliers section', () => {
  it('summary: outliers[] top-K worst first with CONTRACT fields, every flagged id, the rule', async () => {
    const out = await run(fixture());
    const s = out.summary as Record<string, any>;
    expect(s.outlierIds).toEqual(['r009']);
    expect(s.outliers).toHaveLength(1);
    const o = s.outliers[0];
    expect(o).toMatchObject({ id: 'r009', split: 'val', label: '0', predicted: '1', rank: 1 });
    expect(o.loss).toBeCloseTo(softplus(6), 4);
    expect(o.confidence).toBeCloseTo(1 - Math.exp(-softplus(6)), 6);
    expect(o.reasons[0]).toMatch(/^loss 6\.00: 5\.4 robust SD above class "0" in val$/);
    expect(o.reasons[1]).toMatch(/^model says "1" \(0\.998\)$/);
    expect(s.outlierRule).toMatchObject({ k: 3.5, center: 'median', groupedBy: ['split', 'label'] });
    expect(s.outlierRule.groups).toHaveLength(2);
    expect(out.headline).toMatch(/^1 record .* have outlying loss/);
  });

  it('the table shows the record preview, label, predicted, confidence, loss, rank and reasons', async () => {
    const t = tables(await run(fixture()))[0];
    expect(t.columns.map((c) => c.label)).toEqual(['rank', 'record', 'id', 'split', 'label', 'predicted', 'confidence', 'loss', 'robust z', 'why flagged']);
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0][1]).toEqual({ preview: { kind: 'fields', fields: [['id', 'r009']] } });
    expect(String(t.rows[0][9])).toMatch(/robust SD/);
  });

  it('falls back to the highest-loss records when nothing crosses the rule, and respects topK', async () => {
    const out = await run(fixture({ analysis: { outlierK: 50, topK: 2 } }));
    const s = out.summary as Record<string, any>;
    expect(s.outliers).toEqual([]);
    expect(s.outlierIds).toEqual([]);
    const t = tables(out)[0];
    expect(t.caption).toMatch(/No record crossed the outlier rule/);
    expect(t.rows.map((r) => r[2])).toEqual(['r009', 'r008']); // highest losses first
    expect(out.headline).toMatch(/No record's loss is an outlier/);
  });

  it('unscorable records (NaN loss) are neither ranked nor flagged', async () => {
    const ctx = makeContext({ probs: [...T.map((t) => [Math.exp(-softplus(t)), 1 - Math.exp(-softplus(t))]), null], labels: zeros(11) });
    const s = (await run(ctx)).summary as Record<string, any>;
    expect(s.outlierIds).toEqual(['r009']);
    expect(s.outlierRule.groups[0].n).toBe(10);
  });

  it('rejects a non-positive analysis.outlierK with a message naming the key', () => {
    expect(() => fixture({ analysis: { outlierK: 0 } })).toThrow(/analysis\.outlierK: expected a finite number > 0/);
  });
});
