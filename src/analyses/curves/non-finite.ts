/** NaN or ±Inf anywhere in the logged scalars: training has numerically broken from that step on. */
import type { Curves, Finding } from './types.ts';

export function nonFinite(c: Curves): Finding {
  const check = 'no NaN / Inf in the logged values';
  let total = 0;
  let count = 0;
  let first: { step: number; split: string; key: string; v: number } | null = null;
  for (const { split, key, series } of c.all) {
    series.value.forEach((v, i) => {
      total++;
      if (Number.isFinite(v)) return;
      count++;
      if (!first || series.step[i] < first.step) first = { step: series.step[i], split, key, v };
    });
  }
  if (total === 0) return { id: 'non-finite', check, status: 'unknown', evidence: 'no numeric values in the metrics log' };
  if (!first) return { id: 'non-finite', check, status: 'pass', evidence: `all ${total.toLocaleString('en-US')} logged values are finite` };
  const f = first as { step: number; split: string; key: string; v: number };
  return { id: 'non-finite', check, status: 'warn', evidence: `${count} non-finite value(s); the first is ${f.split} ${f.key} = ${f.v} at step ${f.step}`, steps: [f.step] };
}
