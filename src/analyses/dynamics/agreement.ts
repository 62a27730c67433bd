/**
 * The two mislabel signals side by side: AUM-style mean margin < 0 (on average another class
 * out-scores the given label across checkpoints) and the confident-learning flags of the
 * label-issues section (discovery/detect.ts: final checkpoint, held-out splits by default).
 */
import { discover } from '../discovery/detect.ts';
import type { AnalysisContext } from '../types.ts';

/** The label-issues section's flags (1 per flagged dataset index) and the records it examined (so agreement is counted on the same records). */
export function confidentLearningFlags(ctx: AnalysisContext): { flagged: Uint8Array; examined: Uint8Array; splits: string[] } {
  const li = discover(ctx).labelIssues;
  return { flagged: li.flagged, examined: li.examined, splits: li.splits };
}

export interface Agreement {
  both: number;
  onlyA: number;
  onlyB: number;
  neither: number;
  /** |A ∩ B| / |A ∪ B|; NaN when both are empty. */
  jaccard: number;
}

/** Agreement of two flag sets (1 = flagged, per dataset index) over the records `rows`. */
export function agreement(rows: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): Agreement {
  let both = 0;
  let onlyA = 0;
  let onlyB = 0;
  let neither = 0;
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const inA = a[i] === 1;
    const inB = b[i] === 1;
    if (inA && inB) both++;
    else if (inA) onlyA++;
    else if (inB) onlyB++;
    else neither++;
  }
  const union = both + onlyA + onlyB;
  return { both, onlyA, onlyB, neither, jaccard: union === 0 ? NaN : both / union };
}
