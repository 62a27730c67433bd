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

/** Counts of two flags over records, added one record at a time. */
export class AgreementCounter {
  private both = 0;
  private onlyA = 0;
  private onlyB = 0;
  private neither = 0;

  add(inA: boolean, inB: boolean): void {
    if (inA && inB) this.both++;
    else if (inA) this.onlyA++;
    else if (inB) this.onlyB++;
    else this.neither++;
  }

  result(): Agreement {
    const { both, onlyA, onlyB, neither } = this;
    const union = both + onlyA + onlyB;
    return { both, onlyA, onlyB, neither, jaccard: union === 0 ? NaN : both / union };
  }
}

/** Agreement of two flag sets (1 = flagged, per dataset index) over the records `rows`. */
export function agreement(rows: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): Agreement {
  const counter = new AgreementCounter();
  for (let r = 0; r < rows.length; r++) counter.add(a[rows[r]] === 1, b[rows[r]] === 1);
  return counter.result();
}
