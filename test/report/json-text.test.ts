/**
 * summary.json's text in pieces: the same text as JSON.stringify's indented layout with arrays of
 * numbers on one line (the definition below, as stableJson was written before it was streamed),
 * for any value; and pieces of bounded size, so a summary longer than one string can be written.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonPieces, stableJson } from '../../src/report/json-text.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

const NUM = String.raw`-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`;
/** The definition: JSON.stringify (non-finite → null), then each one-per-line array of numbers/null joined on one line. */
function reference(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
  const array = new RegExp(String.raw`\[\n(?: *(?:${NUM}|null),\n)* *(?:${NUM}|null)\n *\]`, 'g');
  return `${text.replace(array, (a) => `[${a.slice(1, -1).trim().split(/,\s*/).join(', ')}]`)}\n`;
}

/** Random JSON-like values with the awkward cases: non-finite numbers, -0, undefined and functions, nested and empty containers, strings with brackets and line breaks, a Date. */
function randomValue(rng: () => number, depth: number): unknown {
  const r = rng();
  if (depth <= 0 || r < 0.35) {
    const leaves = [() => Math.round(rng() * 1000) / 8, () => -0, () => NaN, () => Infinity, () => -1e-7 * rng(), () => null, () => 'a "q" [1,\n2] \\ é', () => true, () => undefined, () => () => 1, () => new Date(0), () => 12345678901234567890];
    return leaves[Math.floor(rng() * leaves.length)]();
  }
  if (r < 0.55) return Array.from({ length: Math.floor(rng() * 5) }, () => (rng() < 0.7 ? rng() * 10 - 5 : rng() < 0.5 ? null : NaN));
  if (r < 0.75) return Array.from({ length: Math.floor(rng() * 4) }, () => randomValue(rng, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < Math.floor(rng() * 5); i++) o[['a', 'b', '2', '10', 'x y', 'ü'][Math.floor(rng() * 6)] + i] = randomValue(rng, depth - 1);
  return o;
}

describe('jsonPieces / stableJson', () => {
  it('gives the definition\'s text for 500 random values, written at once or walked value by value', () => {
    const rng = mulberry32(3);
    // Fixed awkward cases first: numbers after a walked element, number rows among objects, empty containers, all-skipped objects.
    const fixed = [{ a: [{ b: [1, 2, 3, 4] }, 1, NaN, [3, 4], [], 'x', undefined, {}, { f: () => 1 }] }, { m: [[1, 2], [3, 4]], s: ['a'], n: [[]] }];
    for (let i = 0; i < 500 + fixed.length; i++) {
      const v = fixed[i] ?? { root: randomValue(rng, 4), list: [randomValue(rng, 3), randomValue(rng, 3)] };
      const expected = reference(v);
      expect(stableJson(v), JSON.stringify(v)).toBe(expected);
      // Subtrees of at most 0, 1 or 3 values at once: every container is walked (the path of huge summaries).
      for (const atOnce of [0, 1, 3]) expect([...jsonPieces(v, { size: 16, atOnce, walk: true })].join(''), `${atOnce} ${JSON.stringify(v)}`).toBe(expected);
    }
  });

  it('gives it for the committed example summaries', () => {
    for (const name of ['mnist', 'spam', 'penguins']) {
      const summary = JSON.parse(readFileSync(new URL(`../../reports/${name}.json`, import.meta.url), 'utf8'));
      const text = stableJson(summary);
      expect(text).toBe(reference(summary));
      expect(text).toBe(readFileSync(new URL(`../../reports/${name}.json`, import.meta.url), 'utf8'));
    }
  });

  it('yields pieces of bounded size that add up to the text', () => {
    const matrix = Array.from({ length: 300 }, (_, t) => Array.from({ length: 300 }, (_, p) => (t === p ? 7 : p % 3)));
    const value = { confusion: { labels: matrix.map((_, c) => `c${c}`), matrix } };
    const pieces = [...jsonPieces(value, { size: 4096, atOnce: 1000, walk: true })];
    expect(pieces.length).toBeGreaterThan(10);
    // Walked (as a summary too long for one string is): a piece closes once it reaches the size, so it
    // exceeds it by at most one part (here: one matrix row); written at once, it is one piece.
    expect([...jsonPieces(value)]).toHaveLength(1);
    for (const p of pieces) expect(p.length).toBeLessThan(4096 + 2000);
    expect(pieces.join('')).toBe(reference(value));
  });
});
