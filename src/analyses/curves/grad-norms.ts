/**
 * Exploding or vanishing gradients, from the global gradient norm (and per-layer norms when
 * logged). Exploding: the median norm of the last 10 % of points is ≥ 10× that of the first 10 %,
 * or any norm is ≥ 100× the overall median. Vanishing: the last-10 % median is ≤ 1/1000 of the
 * first-10 % median or below 1e-7, or a layer's median norm is ≤ 1/1000 of the largest layer's.
 */
import { fix } from '../format.ts';
import { ends, finite, medianOf } from './series.ts';
import type { Curves, Finding } from './types.ts';

export const EXPLODE_TREND = 10;
export const EXPLODE_PEAK = 100;
export const VANISH_TREND = 1e-3;
export const VANISH_ABS = 1e-7;

const g = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? fix(v, 3) : v.toExponential(2));

export function explodingGradients(c: Curves): Finding {
  const check = 'gradient norms not exploding';
  const s = c.gradNorm ? finite(c.gradNorm) : null;
  if (!s || s.value.length < 6) return { id: 'exploding-gradients', check, status: 'unknown', evidence: `needs at least 6 finite grad_norm points (found ${s?.value.length ?? 0})` };
  const { first, last } = ends(s.value);
  const m0 = medianOf(first);
  const m1 = medianOf(last);
  const med = medianOf(s.value);
  let peak = 0;
  s.value.forEach((v, i) => (v > s.value[peak] ? (peak = i) : 0));
  const ev = `median grad norm ${g(m0)} over the first 10 % of points, ${g(m1)} over the last 10 %; peak ${g(s.value[peak])} at step ${s.step[peak]} (overall median ${g(med)})`;
  const trend = m0 > 0 && m1 >= EXPLODE_TREND * m0;
  const burst = med > 0 && s.value[peak] >= EXPLODE_PEAK * med;
  if (!trend && !burst) return { id: 'exploding-gradients', check, status: 'pass', evidence: ev };
  return { id: 'exploding-gradients', check, status: 'warn', evidence: `${ev} — ${trend ? `grew ${fix(m1 / m0, 1)}×` : `peak is ${fix(s.value[peak] / med, 0)}× the median`}`, steps: [s.step[peak]] };
}

export function vanishingGradients(c: Curves): Finding {
  const check = 'gradient norms not vanishing';
  const s = c.gradNorm ? finite(c.gradNorm) : null;
  if (!s || s.value.length < 6) return { id: 'vanishing-gradients', check, status: 'unknown', evidence: `needs at least 6 finite grad_norm points (found ${s?.value.length ?? 0})` };
  const { first, last } = ends(s.value);
  const m0 = medianOf(first);
  const m1 = medianOf(last);
  const problems: string[] = [];
  if (m1 < VANISH_ABS) problems.push(`the last-10 % median ${g(m1)} is below ${VANISH_ABS}`);
  else if (m0 > 0 && m1 <= VANISH_TREND * m0) problems.push(`fell to ${g(m1 / m0)}× its starting level`);
  const layers = c.gradLayers.map((l) => ({ name: l.name, med: medianOf(finite(l.series).value) })).filter((l) => Number.isFinite(l.med));
  const top = layers.reduce((a, b) => Math.max(a, b.med), 0);
  const dead = layers.filter((l) => top > 0 && l.med <= VANISH_TREND * top);
  if (dead.length) problems.push(`layer(s) ${dead.map((l) => `${l.name} (median ${g(l.med)})`).join(', ')} ≤ 1/1000 of the largest layer's median ${g(top)}`);
  const layerEv = layers.length ? `; per-layer medians: ${layers.map((l) => `${l.name} ${g(l.med)}`).join(', ')}` : '';
  const ev = `median grad norm ${g(m0)} over the first 10 % of points, ${g(m1)} over the last 10 %${layerEv}`;
  return { id: 'vanishing-gradients', check, status: problems.length ? 'warn' : 'pass', evidence: problems.length ? `${ev} — ${problems.join('; ')}` : ev };
}
