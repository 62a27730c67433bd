/**
 * The learning-rate schedule. Warmup: the first logged lr is ≤ half the peak and the peak comes
 * later. Decay: the last logged lr is ≤ half the peak. A constant lr has neither.
 */
import { finite } from './series.ts';
import type { Curves, Finding } from './types.ts';

export const SCHEDULE_RATIO = 0.5;

const e = (v: number) => v.toExponential(2);

export function lrSchedule(c: Curves): Finding[] {
  const s = c.lr ? finite(c.lr) : null;
  if (!s || s.value.length < 3) {
    const evidence = `needs at least 3 logged learning rates ("lr" in the metrics log; found ${s?.value.length ?? 0})`;
    return [
      { id: 'warmup', check: 'learning-rate warmup', status: 'unknown', evidence },
      { id: 'decay', check: 'learning-rate decay', status: 'unknown', evidence },
    ];
  }
  let p = 0;
  s.value.forEach((v, i) => (v > s.value[p] ? (p = i) : 0));
  const peak = s.value[p];
  const first = s.value[0];
  const last = s.value[s.value.length - 1];
  const warm = first <= SCHEDULE_RATIO * peak && p > 0;
  const decay = last <= SCHEDULE_RATIO * peak;
  return [
    {
      id: 'warmup',
      check: 'learning-rate warmup',
      status: warm ? 'pass' : 'warn',
      evidence: warm ? `lr rises from ${e(first)} at step ${s.step[0]} to its peak ${e(peak)} at step ${s.step[p]}` : `the first logged lr ${e(first)} (step ${s.step[0]}) is already ${first >= peak ? 'the peak' : `${Math.round((100 * first) / peak)} % of the peak ${e(peak)}`}: no warmup`,
      steps: [s.step[p]],
    },
    {
      id: 'decay',
      check: 'learning-rate decay',
      status: decay ? 'pass' : 'warn',
      evidence: decay ? `lr falls from its peak ${e(peak)} to ${e(last)} at step ${s.step[s.step.length - 1]}` : `the last logged lr ${e(last)} is ${Math.round((100 * last) / peak)} % of the peak ${e(peak)}: no decay`,
    },
  ];
}
