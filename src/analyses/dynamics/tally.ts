/**
 * Everything the section counts over the records, in one pass over the per-record summaries:
 * region counts (overall, per split, with their correctness sums), forgetting totals and histogram,
 * the margin / confident-learning agreement, the binned data maps, and the candidates of each
 * ranked table. At a million records each separate pass (and the n-long arrays some needed) cost
 * about as much as its work, so they are fused; every sum is still added in record order, as the
 * separate passes did, so the figures are the same to the bit.
 */
import { AgreementCounter, type Agreement } from './agreement.ts';
import type { RecordDynamics } from './matrix.ts';
import { DATA_MAP_BINS, dataMapBin, HARD, regionIndex } from './regions.ts';

export interface TallyInput {
  /** Split index per dataset index, and the number of splits. */
  split: Int32Array;
  splits: number;
  /** One data map per split (else one for all records). */
  mapPerSplit: boolean;
  /** Checkpoints in the worst q of the split, per position, and how many make a record persistent. */
  worstQHits: Int32Array;
  requiredHits: number;
  /** Confident-learning flags and the records it examined, per dataset index. */
  flagged: Uint8Array;
  examined: Uint8Array;
}

export interface Tally {
  /** Records per split (index) and region (index into REGIONS). */
  bySplitRegion: number[][];
  /** Records and summed correctness per region, over every split. */
  regionRecords: number[];
  regionCorrect: number[];
  forgettingEvents: number;
  forgotten: number;
  neverLearned: number;
  /** [0]: never learned; [f + 1]: learned with f forgetting events, up to the most of any record. */
  forgettingHistogram: number[];
  /** Records confident learning examined, and how the two signals agree on them. */
  compared: number;
  agreement: Agreement;
  /** Per data map (split index, or 0 for all records): record count and summed correctness per bin. */
  maps: { count: Float64Array; correct: Float64Array }[];
  /** Positions, ascending, of the hard-to-learn, mean-margin < 0, forgotten and persistently high-loss records. */
  hard: number[];
  negativeMargin: number[];
  forgottenRecords: number[];
  persistent: number[];
}

export function tally(d: RecordDynamics, input: TallyInput): Tally {
  const { split, splits, worstQHits, requiredHits, flagged, examined } = input;
  const { rows, confidence, variability, correctness, meanMargin, forgetting, neverLearned } = d;
  const bins = DATA_MAP_BINS;
  const bySplitRegion = Array.from({ length: splits }, () => [0, 0, 0]);
  const regionRecords = [0, 0, 0];
  const regionCorrect = [0, 0, 0];
  const histogram = [0, 0];
  const maps = Array.from({ length: input.mapPerSplit ? splits : 1 }, () => ({ count: new Float64Array(bins * bins), correct: new Float64Array(bins * bins) }));
  const agree = new AgreementCounter();
  const out = { forgettingEvents: 0, forgotten: 0, neverLearned: 0, compared: 0 };
  const hard: number[] = [];
  const negativeMargin: number[] = [];
  const forgottenRecords: number[] = [];
  const persistent: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r];
    const s = split[i];
    const g = regionIndex(confidence[r], variability[r]);
    bySplitRegion[s][g]++;
    regionRecords[g]++;
    regionCorrect[g] += correctness[r];
    if (g === HARD) hard.push(r);
    const f = forgetting[r];
    out.forgettingEvents += f;
    if (f > 0) {
      out.forgotten++;
      forgottenRecords.push(r);
    }
    out.neverLearned += neverLearned[r];
    while (histogram.length < f + 2) histogram.push(0);
    histogram[neverLearned[r] ? 0 : f + 1]++;
    const negative = meanMargin[r] < 0;
    if (negative) negativeMargin.push(r);
    if (examined[i] === 1) {
      out.compared++;
      agree.add(negative, flagged[i] === 1);
    }
    if (worstQHits[r] >= requiredHits) persistent.push(r);
    const map = maps[input.mapPerSplit ? s : 0];
    const cell = dataMapBin(confidence[r], variability[r], bins);
    map.count[cell]++;
    map.correct[cell] += correctness[r];
  }
  return { bySplitRegion, regionRecords, regionCorrect, ...out, forgettingHistogram: histogram, agreement: agree.result(), maps, hard, negativeMargin, forgottenRecords, persistent };
}
