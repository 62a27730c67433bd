/**
 * The scores CSV is enough to recompute every headline number: run the library audit on the tiny
 * fixture, write the CSV, parse it back, recompute with src/stats from the `p:<class>` columns only
 * (prediction and confidence re-derived by argmax), and compare with summary.json.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/index.ts';
import { scoresCsv } from '../../src/report/scores.ts';
import { brier, ece, equalWidthBins, mce, nll, topLabel } from '../../src/stats/index.ts';
import { accuracy, confusionMatrix, macroF1 } from '../../src/stats/classification.ts';

const TINY = fileURLToPath(new URL('../fixtures/tiny', import.meta.url));
const TOL = 1e-6;

/** RFC 4180 fields: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

interface Recomputed {
  n: number;
  accuracy: number;
  macroF1: number;
  nll: number;
  brier: number;
  ece: number;
  mce: number;
}

function recompute(records: Record<string, string>[], classes: string[]): Recomputed {
  const k = classes.length;
  const probs = Float32Array.from(records.flatMap((r) => classes.map((c) => Number(r[`p:${c}`]))));
  const labels = Int32Array.from(records, (r) => classes.indexOf(r.label!));
  const { pred, conf } = topLabel(probs, k);
  const hit = Array.from(pred, (p, i) => (p === labels[i] ? 1 : 0));
  const bins = equalWidthBins(conf, hit, 15);
  return {
    n: records.length,
    accuracy: accuracy(labels, pred),
    macroF1: macroF1(confusionMatrix(labels, pred, k)),
    nll: nll(probs, labels, k),
    brier: brier(probs, labels, k),
    ece: ece(bins),
    mce: mce(bins),
  };
}

let summary: Record<string, any>;
let header: string[];
let records: Record<string, string>[];

beforeAll(async () => {
  const result = await audit(TINY);
  summary = result.summary as Record<string, any>;
  const [head, ...body] = parseCsv(Buffer.concat([...scoresCsv(result.ctx)]).toString('utf8'));
  header = head!;
  records = body.map((cells) => Object.fromEntries(header.map((h, j) => [h, cells[j] ?? ''])));
}, 60_000);

describe('scores CSV reproduces summary.json (tiny fixture)', () => {
  it('has one row per record and a p:<class> column per class', () => {
    expect(records).toHaveLength(summary.dataset.n);
    expect(header.filter((h) => h.startsWith('p:'))).toEqual(summary.dataset.classes.map((c: string) => `p:${c}`));
  });

  it('final.{accuracy, macroF1, nll, brier, ece, mce} recomputed from the p: columns of the headline split', () => {
    const { final } = summary;
    const rows = records.filter((r) => r.split === final.split && r.confidence !== '');
    const got = recompute(rows, summary.dataset.classes);
    expect(got.n).toBe(final.n);
    for (const key of ['accuracy', 'macroF1', 'nll', 'brier', 'ece', 'mce'] as const) {
      expect(Math.abs(got[key] - final[key]), `${key}: ${got[key]} vs ${final[key]}`).toBeLessThanOrEqual(TOL);
    }
  });

  it('every split\u2019s calibration numbers and the intervals\u2019 estimates recompute too', () => {
    const per = summary.calibration.perSplit as Record<string, Recomputed>;
    expect(Object.keys(per).length).toBeGreaterThan(1);
    for (const [split, want] of Object.entries(per)) {
      const got = recompute(records.filter((r) => r.split === split && r.confidence !== ''), summary.dataset.classes);
      for (const key of ['n', 'accuracy', 'nll', 'brier', 'ece', 'mce'] as const) {
        expect(Math.abs(got[key] - want[key]), `${split} ${key}`).toBeLessThanOrEqual(TOL);
      }
    }
    const iv = summary.intervals;
    expect(Math.abs(iv.accuracy.estimate - summary.final.accuracy)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(iv.macroF1.estimate - summary.final.macroF1)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(iv.ece.estimate - summary.final.ece)).toBeLessThanOrEqual(TOL);
  });

  it('loss@<checkpoint> columns reproduce every checkpoint\u2019s per-split mean loss', () => {
    for (const c of summary.checkpoints) {
      for (const [split, m] of Object.entries(c.splits as Record<string, { n: number; meanLoss: number }>)) {
        const losses = records.filter((r) => r.split === split && r[`loss@${c.id}`] !== '').map((r) => Number(r[`loss@${c.id}`]));
        expect(losses).toHaveLength(m.n);
        expect(Math.abs(losses.reduce((a, b) => a + b, 0) / losses.length - m.meanLoss)).toBeLessThanOrEqual(TOL);
      }
    }
  });

  it('the per-class table and confusion matrix follow from the predicted and label columns', () => {
    const classes: string[] = summary.dataset.classes;
    const rows = records.filter((r) => r.split === summary.final.split && r.confidence !== '');
    const m = confusionMatrix(Int32Array.from(rows, (r) => classes.indexOf(r.label!)), Int32Array.from(rows, (r) => classes.indexOf(r.predicted!)), classes.length);
    expect(summary.confusion.matrix).toEqual(m);
    expect(summary.perClass.map((p: { support: number }) => p.support)).toEqual(m.map((row) => row.reduce((a, b) => a + b, 0)));
  });
});
