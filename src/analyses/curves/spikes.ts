/**
 * Loss spikes: step-to-step changes of the train loss whose robust z-score (median/MAD of all
 * changes) is large and positive. Changes are taken on ln(loss) when every loss is positive, so a
 * jump from 0.02 to 0.2 counts like one from 0.2 to 2.
 */
import { robustZ } from '../../stats/robust.ts';
import { fix } from '../format.ts';
import { finite } from './series.ts';
import type { Curves, Finding } from './types.ts';

export const SPIKE_Z = 6;
export const SPIKE_MIN_POINTS = 20;

/** The largest finite value (−Infinity when none); a loop, as Math.max(...) overflows the stack on a long run's 100 000s of points. */
function largestFinite(values: ArrayLike<number>): number {
  let most = -Infinity;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) most = Math.max(most, values[i]);
  return most;
}

export function spikes(c: Curves): Finding {
  const check = 'no loss spikes';
  const s = c.train ? finite(c.train) : null;
  if (!s || s.value.length < SPIKE_MIN_POINTS) return { id: 'spikes', check, status: 'unknown', evidence: `needs at least ${SPIKE_MIN_POINTS} finite train-loss points (found ${s?.value.length ?? 0})` };
  const logs = s.value.every((v) => v > 0);
  const y = logs ? s.value.map(Math.log) : s.value;
  const d = y.slice(1).map((v, i) => v - y[i]);
  const z = robustZ(d);
  const hits = [...z].map((zi, i) => ({ i: i + 1, z: zi })).filter((h) => h.z >= SPIKE_Z && d[h.i - 1] > 0);
  const basis = `robust z of the step-to-step change of ${logs ? 'ln ' : ''}train loss over ${d.length} changes; threshold z ≥ ${SPIKE_Z}`;
  if (hits.length === 0) return { id: 'spikes', check, status: 'pass', evidence: `largest z = ${fix(largestFinite(z), 1)} (${basis})` };
  const top = [...hits].sort((a, b) => b.z - a.z).slice(0, 5);
  const list = top.map((h) => `step ${s.step[h.i]}: ${fix(s.value[h.i - 1], 3)} → ${fix(s.value[h.i], 3)} (z ${Number.isFinite(h.z) ? fix(h.z, 1) : '∞'})`).join('; ');
  return { id: 'spikes', check, status: 'warn', evidence: `${hits.length} spike(s): ${list}${hits.length > 5 ? '; …' : ''} (${basis})`, steps: top.map((h) => s.step[h.i]) };
}
