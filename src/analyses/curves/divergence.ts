/**
 * Divergence: the smoothed train loss ends well above its minimum — more than 50 % above it and by
 * more than 20 % of the total drop — or the last logged loss is not finite.
 */
import { fix } from '../format.ts';
import { finite, smooth } from './series.ts';
import type { Curves, Finding } from './types.ts';

export const DIVERGE_RATIO = 1.5;
export const DIVERGE_SHARE_OF_DROP = 0.2;

export function divergence(c: Curves): Finding {
  const check = 'no divergence';
  if (!c.train || c.train.value.length < 5) return { id: 'divergence', check, status: 'unknown', evidence: `needs at least 5 train-loss points (found ${c.train?.value.length ?? 0})` };
  const lastRaw = c.train.value[c.train.value.length - 1];
  if (!Number.isFinite(lastRaw)) return { id: 'divergence', check, status: 'warn', evidence: `the last logged train loss (step ${c.train.step[c.train.step.length - 1]}) is ${lastRaw}`, steps: [c.train.step[c.train.step.length - 1]] };
  const f = finite(c.train);
  const s = smooth(f.value);
  let m = 0;
  for (let i = 1; i < s.length; i++) if (s[i] < s[m]) m = i;
  const end = s[s.length - 1];
  const rise = end - s[m];
  const drop = s[0] - s[m];
  const diverged = end > DIVERGE_RATIO * s[m] && rise > DIVERGE_SHARE_OF_DROP * Math.max(drop, 0);
  const ev = `smoothed train loss: start ${fix(s[0], 3)}, minimum ${fix(s[m], 3)} at step ${f.step[m]}, end ${fix(end, 3)}`;
  if (!diverged) return { id: 'divergence', check, status: 'pass', evidence: ev };
  return { id: 'divergence', check, status: 'warn', evidence: `${ev} — ${fix(end / s[m], 2)}× its minimum${end > s[0] ? ', above where it started' : ''}`, steps: [f.step[m], f.step[f.step.length - 1]] };
}
