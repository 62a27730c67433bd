/**
 * A widening train/val gap. At each validation point the train loss is the mean of the last 3 train
 * losses logged since the previous validation point. The gap widens when its last value exceeds its
 * first by max(0.05 nats, 25 % of |first|) and the second half of the gaps averages above the first; val loss climbing > 5 % above its minimum at the same time is overfitting.
 */
import { fix, pct } from '../format.ts';
import type { Curves, Finding } from './types.ts';

export const GAP_MIN_NATS = 0.05;
export const VAL_RISE = 0.05;

export function trainValGap(c: Curves): Finding {
  const check = 'train/val gap not widening';
  if (!c.train || !c.val) return { id: 'train-val-gap', check, status: 'unknown', evidence: `needs train and validation loss in the metrics log (found ${c.train ? 'train' : 'no train'}, ${c.val ? c.valSplit : 'no validation split'})` };
  const gaps: { step: number; val: number; train: number }[] = [];
  // Train loss "at" a validation point: the mean of the last 3 finite train points since the
  // previous one (a whole-epoch mean would include the epoch's high early losses and lag behind).
  // Both series are sorted by step, so one walk of the train points serves every validation point
  // (a scan of all of them per validation point took minutes on a 40 000-epoch Keras log).
  const { step: ts, value: ty } = c.train;
  let j = 0;
  c.val.step.forEach((t, i) => {
    const v = c.val!.value[i];
    const use: number[] = [];
    for (; j < ts.length && ts[j] <= t; j++) {
      if (!Number.isFinite(ty[j])) continue;
      use.push(ty[j]);
      if (use.length > 3) use.shift();
    }
    if (use.length && Number.isFinite(v)) gaps.push({ step: t, val: v, train: use.reduce((a, y) => a + y, 0) / use.length });
  });
  if (gaps.length < 3) return { id: 'train-val-gap', check, status: 'unknown', evidence: `needs at least 3 validation points with train loss logged before them (found ${gaps.length})` };
  const g = gaps.map((p) => p.val - p.train);
  const half = Math.floor(g.length / 2);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const widening = g[g.length - 1] - g[0] > Math.max(GAP_MIN_NATS, 0.25 * Math.abs(g[0])) && mean(g.slice(g.length - half)) > mean(g.slice(0, half));
  let m = 0;
  gaps.forEach((p, i) => (p.val < gaps[m].val ? (m = i) : 0));
  const last = gaps[gaps.length - 1];
  const rising = last.val > (1 + VAL_RISE) * gaps[m].val;
  const ev = `val − train loss went from ${fix(g[0], 3)} at step ${gaps[0].step} to ${fix(g[g.length - 1], 3)} at step ${last.step}; ${c.valSplit} loss ${rising ? `is ${pct(last.val / gaps[m].val - 1)} above its minimum ${fix(gaps[m].val, 3)} at step ${gaps[m].step} (overfitting)` : `is within ${VAL_RISE * 100} % of its minimum ${fix(gaps[m].val, 3)}`}`;
  return { id: 'train-val-gap', check, status: widening ? 'warn' : 'pass', evidence: ev, steps: widening ? [gaps[m].step, last.step] : undefined };
}
