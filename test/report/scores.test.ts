/**
 * The scores file, row by row, equals the plain reference writer (one array of cells per row,
 * numbers through toPrecision) — the fast writer changes how rows are built, not one byte of them.
 */
import { describe, expect, it } from 'vitest';
import { discoveryColumns } from '../../src/analyses/discovery/columns.ts';
import type { AnalysisContext } from '../../src/analyses/types.ts';
import { fullProbs } from '../../src/score/compact.ts';
import { scoresCsv } from '../../src/report/scores.ts';
import { mulberry32 } from '../../src/stats/rng.ts';
import { makeContext } from '../helpers/context.ts';

/** The straightforward writer the fast one must match. */
function reference(ctx: AnalysisContext): string {
  const { run, dataset, final } = ctx;
  const field = (s: string) => {
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const extra = discoveryColumns(ctx);
  const fs = run.scores[final.checkpoint];
  const probs = fullProbs(fs, 'test');
  const num = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(9))) : '');
  const unknown = new Map(dataset.unknownLabels.map((u) => [u.index, u.label]));
  const lines = [[...['id', 'split', 'label', 'predicted', 'confidence', 'loss'], ...run.classes.map((c) => `p:${c}`), ...run.checkpoints.map((c) => `loss@${c.id}`), ...extra.map((c) => c.name)].map(field).join(',')];
  for (let i = 0; i < run.n; i++) {
    const ok = run.scorable[i] === 1;
    const cells = [field(dataset.ids[i]), field(dataset.splitNames[dataset.split[i]]), field(dataset.labels[i] >= 0 ? run.classes[dataset.labels[i]] : (unknown.get(i) ?? '')), ok ? field(run.classes[fs.pred[i]]) : '', ok ? num(fs.conf[i]) : '', ok ? num(fs.loss[i]) : ''];
    for (let j = 0; j < run.k; j++) cells.push(ok ? num(probs[i * run.k + j]) : '');
    for (const s of run.scores) cells.push(ok ? num(s.loss[i]) : '');
    for (const c of extra) cells.push(c.numeric ? c.values(i) : field(c.values(i)));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe('scores file', () => {
  it('equals the reference writer: unscorable and unlabelled records, names needing quotes, tiny and certain probabilities', () => {
    const rng = mulberry32(3);
    const n = 300;
    const probs = Array.from({ length: n }, (_, i) => {
      if (i === 7 || i === 150) return null; // unscorable
      const a = i % 11 === 0 ? 1e-30 : rng();
      const b = i % 13 === 0 ? 0 : rng();
      const s = a + b + rng();
      return [a / s, b / s, 1 - a / s - b / s];
    });
    const labels = Array.from({ length: n }, (_, i) => (i === 9 ? -1 : i % 3));
    const ctx = makeContext({
      probs,
      labels,
      classes: ['cat', 'dog, big', '=owl'],
      ids: Array.from({ length: n }, (_, i) => (i === 4 ? 'a "quoted", id' : i === 5 ? '+1' : `r${i}`)),
      splits: Array.from({ length: n }, (_, i) => (i % 4 ? 'train' : 'val "held out"')),
      history: [probs.map((p) => p && [p[1], p[0], p[2]])],
      unknownLabels: { 9: 'emu' },
    });
    const fast = Buffer.concat([...scoresCsv(ctx)]).toString('utf8');
    expect(fast).toBe(reference(ctx));
    // The cases were there: an empty scored row, a quoted id, a neutralised formula.
    expect(fast).toContain('\nr7,train,"dog, big",,,,,,,,');
    expect(fast).toContain('"a ""quoted"", id"');
    expect(fast).toContain("\n'+1,");
    expect(fast).toContain(',emu,');
  });

  it('writes the discovery columns as numbers: a negative loss_z is not turned into text by the formula guard', () => {
    // Class 0 records fit from well to badly: robust z below and above the median, so negative ones exist.
    const n = 40;
    const probs = Array.from({ length: n }, (_, i) => [0.99 - i * 0.02, 0.01 + i * 0.02]);
    const ctx = makeContext({ probs, labels: Array(n).fill(0), classes: ['-a', 'b'] });
    const [head, ...rows] = Buffer.concat([...scoresCsv(ctx)]).toString('utf8').trimEnd().split('\n').map((l) => l.split(','));
    const z = rows.map((r) => r[head.indexOf('loss_z')]);
    expect(z.filter((v) => v.startsWith('-')).length).toBeGreaterThan(5);
    for (const v of z) expect(Number.isFinite(Number(v)), v).toBe(true);
    expect(rows.every((r) => ['0', '1'].includes(r[head.indexOf('outlier')]))).toBe(true);
    // The class name "-a" is data-derived text: still guarded.
    expect(rows[0][head.indexOf('label')]).toBe("'-a");
  });

  it('writes UTF-8, rows longer than a chunk, and many chunks, byte for byte as the reference', () => {
    const rng = mulberry32(4);
    const n = 12_000; // ~1.5 MB of rows: more than one chunk
    const probs = Array.from({ length: n }, () => {
      const a = rng();
      const b = rng();
      return [a / (a + b + 1), b / (a + b + 1), 1 / (a + b + 1)];
    });
    const huge = `long-${'é'.repeat(900_000)}`; // 1.8 MB in UTF-8: one row outgrows the chunk buffer
    const ctx = makeContext({
      probs,
      labels: Array.from({ length: n }, (_, i) => i % 3),
      classes: ['chat', 'chien 🐕', 'hibou'],
      ids: Array.from({ length: n }, (_, i) => (i === 100 ? huge : i % 7 === 0 ? `r${i}-ü` : `r${i}`)),
      splits: Array.from({ length: n }, (_, i) => (i % 5 ? 'train' : 'validación')),
    });
    const chunks = [...scoresCsv(ctx)];
    expect(chunks.length).toBeGreaterThan(2);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toBe(reference(ctx));
    expect(text).toContain(`\n${huge},validación,chien 🐕,`);
  });
});
