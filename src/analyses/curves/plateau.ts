/**
 * Plateaus: the longest stretch over which the smoothed train loss never gets more than 1 % below
 * its value at the stretch start. Flagged when it spans ≥ 25 % of the logged steps — unless it is
 * the final stretch and the loss had already halved (that is convergence, not a stall).
 */
import { fix } from '../format.ts';
import { finite, smooth } from './series.ts';
import type { Curves, Finding } from './types.ts';

export const PLATEAU_IMPROVEMENT = 0.01;
export const PLATEAU_SHARE = 0.25;
/** Long logs are averaged into at most this many buckets first (the scan is quadratic). */
const MAX_POINTS = 1000;

export function plateau(c: Curves): Finding {
  const check = 'no plateau';
  const raw = c.train ? finite(c.train) : null;
  if (!raw || raw.value.length < 8) return { id: 'plateau', check, status: 'unknown', evidence: `needs at least 8 finite train-loss points (found ${raw?.value.length ?? 0})` };
  const { step, value } = bucket(raw.step, raw.value);
  const s = smooth(value);
  const span = step[step.length - 1] - step[0];
  let best = { a: 0, b: 0 };
  for (let a = 0; a < s.length; a++) {
    const floor = s[a] * (1 - PLATEAU_IMPROVEMENT);
    let b = a;
    while (b + 1 < s.length && s[b + 1] >= floor) b++;
    if (step[b] - step[a] > step[best.b] - step[best.a]) best = { a, b };
    if (b === s.length - 1) break; // later starts cannot give a longer stretch
  }
  const len = step[best.b] - step[best.a];
  const share = span > 0 ? len / span : 0;
  const where = `smoothed train loss stays within ${PLATEAU_IMPROVEMENT * 100} % of ${fix(s[best.a], 3)} from step ${step[best.a]} to ${step[best.b]} (${fix(share * 100, 0)} % of the run)`;
  if (share < PLATEAU_SHARE) return { id: 'plateau', check, status: 'pass', evidence: `longest flat stretch: ${where}; threshold ${PLATEAU_SHARE * 100} %` };
  const tail = best.b === s.length - 1;
  if (tail && s[best.a] <= 0.5 * s[0]) return { id: 'plateau', check, status: 'pass', evidence: `converged: ${where}, after falling from ${fix(s[0], 3)}` };
  return { id: 'plateau', check, status: 'warn', evidence: `${where}${tail ? ' and never recovers' : ''}`, steps: [step[best.a], step[best.b]] };
}

function bucket(step: number[], value: number[]): { step: number[]; value: number[] } {
  if (step.length <= MAX_POINTS) return { step, value };
  const out = { step: [] as number[], value: [] as number[] };
  const size = step.length / MAX_POINTS;
  for (let b = 0; b < MAX_POINTS; b++) {
    const lo = Math.floor(b * size);
    const hi = Math.floor((b + 1) * size);
    let sum = 0;
    for (let i = lo; i < hi; i++) sum += value[i];
    out.step.push(step[hi - 1]);
    out.value.push(sum / (hi - lo));
  }
  return out;
}
