/**
 * Loss at initialisation: an untrained classifier should predict roughly uniform probabilities,
 * so its cross-entropy is ≈ ln K (or ≈ the class-prior entropy when the bias is set to the prior).
 * Far above means over-confident initial logits; far below means the first logged point is not
 * at initialisation, or the logged "loss" is not the mean cross-entropy.
 */
import { fix } from '../format.ts';
import type { Curves, Finding } from './types.ts';

/** Relative distance from ln K (or the prior entropy) still counted as "≈". */
export const INIT_TOLERANCE = 0.25;

export function initialLoss(c: Curves): Finding {
  const check = 'loss at initialisation ≈ ln K';
  const cands = [c.train, c.val].flatMap((s) => (s ? s.value.map((v, i) => ({ step: s.step[i], v })).filter((p) => Number.isFinite(p.v)).slice(0, 1) : []));
  if (cands.length === 0 || c.k < 2) return { id: 'initial-loss', check, status: 'unknown', evidence: 'no finite loss in the metrics log' };
  const first = cands.reduce((a, b) => (b.step < a.step ? b : a));
  const lnK = Math.log(c.k);
  const rel = Math.abs(first.v - lnK) / lnK;
  const relH = c.priorEntropy && c.priorEntropy > 0 ? Math.abs(first.v - c.priorEntropy) / c.priorEntropy : Infinity;
  const ref = `ln K = ${fix(lnK, 3)}${c.priorEntropy !== null ? `, class-prior entropy ${fix(c.priorEntropy, 3)}` : ''}`;
  const at = `first logged loss ${fix(first.v, 3)} at step ${first.step}`;
  if (Math.min(rel, relH) <= INIT_TOLERANCE) return { id: 'initial-loss', check, status: 'pass', evidence: `${at} is within ${INIT_TOLERANCE * 100} % of ${ref}`, steps: [first.step] };
  const why =
    first.v > lnK
      ? 'higher than a uniform guess: the initial logits are over-confident (check the output layer initialisation and that the loss gets logits, not probabilities)'
      : first.step > 0
        ? 'lower than a uniform guess: the first logged point is after training started, so initialisation was not checked'
        : 'lower than a uniform guess at step 0: is the logged loss a mean cross-entropy over K classes?';
  return { id: 'initial-loss', check, status: 'warn', evidence: `${at} is ${fix(first.v / lnK, 2)}× ${ref} — ${why}`, steps: [first.step] };
}
