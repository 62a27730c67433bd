import { describe, expect, it } from 'vitest';
import {
  binEdges,
  binOf,
  byConfidence,
  calibrationSummary,
  ece,
  equalMassBins,
  equalWidthBins,
  WidthBinSums,
  mce,
  topLabelSummary,
  widthBinTable,
} from '../../src/stats/calibration.ts';
import { accuracy } from '../../src/stats/classification.ts';
import { brier, nll, topLabel } from '../../src/stats/losses.ts';
import { mulberry32 } from '../../src/stats/rng.ts';

const f32 = (xs: number[]) => Float32Array.from(xs);
const i32 = (xs: number[]) => Int32Array.from(xs);

describe('equalWidthBins', () => {
  it('(a, b] bins: 0 in the first, 1.0 in the last, on-edge values in the bin ending there', () => {
    const conf = [0, 2 / 15, 1, 1, 0.5, 7 / 15];
    const correct = [0, 1, 1, 0, 1, true];
    const bins = equalWidthBins(conf, correct);
    expect(bins).toHaveLength(15);
    expect(bins.map((b) => b.count)).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 2]);
    expect(bins[1]).toEqual({ lo: 1 / 15, hi: 2 / 15, count: 1, accuracy: 1, confidence: 2 / 15 });
    expect(bins[6]!.hi).toBe(7 / 15); // 7/15 sits on the edge → bin (6/15, 7/15]
    expect(bins[14]).toEqual({ lo: 14 / 15, hi: 1, count: 2, accuracy: 0.5, confidence: 1 });
    expect(bins[0]).toEqual({ lo: 0, hi: 1 / 15, count: 1, accuracy: 0, confidence: 0 });
  });

  it('empty bins have count 0 and NaN accuracy/confidence', () => {
    const b = equalWidthBins([0.5], [1])[3]!;
    expect(b.count).toBe(0);
    expect(b.accuracy).toBeNaN();
    expect(b.confidence).toBeNaN();
  });

  it('decimal edges with 10 bins: 0.3 goes to (0.2, 0.3], 0.30000000000000004 to (0.3, 0.4]', () => {
    const bins = equalWidthBins([0.3, 0.1 * 3], [1, 1], 10);
    expect(bins[2]!.count).toBe(1);
    expect(bins[3]!.count).toBe(1);
  });

  it('float32 confidence is binned by its exact value (fround(0.8) > 0.8 → bin 12)', () => {
    const bins = equalWidthBins(f32([0.8, 0.75]), [1, 1]);
    expect(bins[12]!.count).toBe(1);
    expect(bins[11]!.count).toBe(1);
  });

  it('NaN confidences are skipped; out-of-range ones go to the end bins', () => {
    const bins = equalWidthBins([NaN, -0.1, 1.0000001], [1, 1, 1]);
    expect(bins.map((b) => b.count).reduce((a, b) => a + b)).toBe(2);
    expect(bins[0]!.count).toBe(1);
    expect(bins[14]!.count).toBe(1);
  });
});

describe('ece / mce', () => {
  it('hand-computed example', () => {
    const bins = equalWidthBins([0, 2 / 15, 1, 1, 0.5], [0, 1, 1, 0, 1]);
    // bin gaps: 0 (n1), 13/15 (n1), 0.5 (n1 at conf .5), 0.5 (n2 at conf 1)
    expect(ece(bins, 5)).toBeCloseTo((13 / 15) / 5 + 0.1 + 0.2, 15);
    expect(ece(bins)).toBe(ece(bins, 5));
    expect(mce(bins)).toBeCloseTo(13 / 15, 15);
  });

  it('all samples in one bin', () => {
    const bins = equalWidthBins([0.9, 0.9, 0.9], [1, 1, 0]);
    expect(bins.filter((b) => b.count > 0)).toHaveLength(1);
    expect(ece(bins)).toBeCloseTo(0.9 - 2 / 3, 15);
    expect(mce(bins)).toBeCloseTo(0.9 - 2 / 3, 15);
  });

  it('no samples: NaN', () => {
    const bins = equalWidthBins([], []);
    expect(ece(bins)).toBeNaN();
    expect(mce(bins)).toBeNaN();
  });
});

describe('equalMassBins', () => {
  it('splits sorted confidences into near-equal groups, larger groups first', () => {
    const bins = equalMassBins([0.5, 0.1, 0.4, 0.2, 0.3], [1, 0, 1, 0, 0], 2);
    expect(bins.map((b) => b.count)).toEqual([3, 2]);
    expect(bins[0]).toMatchObject({ lo: 0.1, hi: 0.3, accuracy: 0 });
    expect(bins[0]!.confidence).toBeCloseTo(0.2, 15);
    expect(bins[1]).toMatchObject({ lo: 0.4, hi: 0.5, accuracy: 1, confidence: 0.45 });
  });

  it('ties are ordered by sample index and may straddle bins', () => {
    const bins = equalMassBins([0.5, 0.5, 0.5, 0.5], [1, 1, 0, 0], 2);
    expect(bins.map((b) => b.accuracy)).toEqual([1, 0]);
  });

  it('fewer samples than bins leaves trailing empty bins', () => {
    const bins = equalMassBins([0.9, 0.6], [1, 0], 3);
    expect(bins.map((b) => b.count)).toEqual([1, 1, 0]);
    expect(bins[2]!.lo).toBeNaN();
    expect(ece(bins)).toBeCloseTo((0.6 + 0.1) / 2, 15);
  });
});

describe('calibrationSummary', () => {
  // rows (0.75, 0.25) and (0.25, 0.75), both labelled 0 — all values exact in float32
  const probs = f32([0.75, 0.25, 0.25, 0.75]);
  const labels = i32([0, 0]);

  it('binary summary, hand-computed', () => {
    const s = calibrationSummary(probs, labels, 2);
    expect(s.ece).toBe(0.25); // both in (11/15, 12/15], acc .5, conf .75
    expect(s.mce).toBe(0.25);
    // adaptive: one sample per bin, so the gaps no longer cancel: |1−.75|/2 + |0−.75|/2
    expect(s.adaptiveEce).toBe(0.5);
    expect(s.brier).toBe(0.625);
    expect(s.nll).toBeCloseTo((-Math.log(0.75) - Math.log(0.25)) / 2, 15);
    expect(s.bins).toHaveLength(15);
    // class-wise: mean over classes of ECE(p_c, 1[y = c]); class 0: gaps |1−.75|, |1−.25| in
    // separate bins → 0.5; class 1: |0−.25|, |0−.75| → 0.5
    expect(s.classwiseEce).toBe(0.5);
  });

  it('labels out of range are left out of every number', () => {
    const s = calibrationSummary(f32([0.75, 0.25, 0.5, 0.5]), i32([0, -1]), 2);
    expect(s.bins.reduce((a, b) => a + b.count, 0)).toBe(1);
    expect(s.ece).toBe(0.25);
  });
});

describe('WidthBinSums', () => {
  it('gives equalWidthBins of the records added, in their order: edges, NaN, 0 and 1, records out of order and repeated', () => {
    const rng = mulberry32(21);
    const n = 5000;
    const conf = Float32Array.from({ length: n }, (_, i) => (i % 41 === 0 ? [0, 1, Math.fround(0.4), Math.fround(2 / 3), NaN][i % 5]! : rng()));
    const pred = Int32Array.from({ length: n }, () => Math.floor(rng() * 3));
    const labels = Int32Array.from({ length: n }, (_, i) => (i % 97 === 0 ? -1 : Math.floor(rng() * 3)));
    const rows = Int32Array.from({ length: 3000 }, () => Math.floor(rng() * n));
    const gathered = Float32Array.from(rows, (i) => conf[i]);
    const hit = Uint8Array.from(rows, (i) => (pred[i] === labels[i] ? 1 : 0));
    const bits = new Uint32Array(conf.buffer);
    const sums = new WidthBinSums(15, true);
    rows.forEach((i) => sums.add(conf[i], bits[i], pred[i] === labels[i] ? 1 : 0));
    expect(sums.bins()).toEqual(equalWidthBins(gathered, hit, 15));
    expect(sums.bins().reduce((a, b) => a + b.count, 0)).toBe(gathered.filter((c) => !Number.isNaN(c)).length);
  });
});

describe('WidthBinSums of several groups', () => {
  it('gives each group equalWidthBins of its records in the order added (edges, NaN, 0 and 1, empty groups)', () => {
    const rng = mulberry32(22);
    const n = 6000;
    const conf = Float32Array.from({ length: n }, (_, i) => (i % 43 === 0 ? [0, 1, Math.fround(0.4), Math.fround(2 / 3), NaN][i % 5]! : rng()));
    const hit = Uint8Array.from({ length: n }, () => (rng() < 0.7 ? 1 : 0));
    const group = Int32Array.from({ length: n }, () => Math.floor(rng() * 3)); // group 3 stays empty
    const bits = new Uint32Array(conf.buffer);
    const sums = new WidthBinSums(15, true, 4);
    for (let i = 0; i < n; i++) sums.add(conf[i], bits[i], hit[i], group[i]);
    for (let g = 0; g < 4; g++) {
      const mine = [...group.keys()].filter((i) => group[i] === g);
      expect(sums.bins(g)).toEqual(equalWidthBins(Float32Array.from(mine, (i) => conf[i]), Uint8Array.from(mine, (i) => hit[i]), 15));
    }
    expect(sums.bins(3).every((b) => b.count === 0)).toBe(true);
  });
});

describe('fast paths give the very same numbers', () => {
  /** n rows of k float32 probabilities, some exactly on bin edges, some NaN; labels with −1 and ≥ k. */
  function fixture(n: number, k: number, seed: number) {
    const rng = mulberry32(seed);
    const probs = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const row = Array.from({ length: k }, () => Math.exp(5 * rng() * rng()));
      const sum = row.reduce((a, b) => a + b, 0);
      row.forEach((v, j) => (probs[i * k + j] = v / sum));
      if (i % 37 === 0) probs[i * k] = [0, 1, Math.fround(0.8), Math.fround(2 / 3)][i % 4]!;
    }
    probs[5 * k + 1] = NaN;
    const labels = Int32Array.from({ length: n }, (_, i) => (i % 53 === 7 ? -1 : i % 61 === 9 ? k : Math.floor(rng() * k)));
    return { probs, labels };
  }

  it('calibrationSummary equals the single-purpose functions bit for bit (one fused pass)', () => {
    const k = 4;
    const { probs, labels } = fixture(3000, k, 3);
    const s = calibrationSummary(probs, labels, k);
    const valid = Array.from(labels.keys()).filter((i) => labels[i]! >= 0 && labels[i]! < k);
    const { pred, conf } = topLabel(probs, k);
    const c = Float64Array.from(valid, (i) => conf[i]!);
    const hit = Uint8Array.from(valid, (i) => (pred[i] === labels[i] ? 1 : 0));
    expect(s.accuracy).toBe(accuracy(labels, pred));
    expect(s.bins).toEqual(equalWidthBins(c, hit));
    expect(s.adaptiveBins).toEqual(equalMassBins(c, hit));
    expect(s.brier).toBe(brier(probs, labels, k));
    expect(s.nll).toBe(nll(probs, labels, k));
    // Class-wise ECE as its definition: equalWidthBins of p_c against 1[label = c], per class.
    let sum = 0;
    for (let j = 0; j < k; j++) sum += ece(equalWidthBins(Float64Array.from(valid, (i) => probs[i * k + j]!), Uint8Array.from(valid, (i) => (labels[i] === j ? 1 : 0))));
    expect(s.classwiseEce).toBe(sum / k);
  });

  it('rows select records without copying; topLabelSummary is the top-label part', () => {
    const k = 3;
    const { probs, labels } = fixture(2000, k, 8);
    const rows = Int32Array.from({ length: 700 }, (_, r) => 2 * r + 1);
    const copied = new Float32Array(rows.length * k);
    rows.forEach((i, r) => copied.set(probs.subarray(i * k, (i + 1) * k), r * k));
    const sub = calibrationSummary(copied, Int32Array.from(rows, (i) => labels[i]!), k);
    expect(calibrationSummary(probs, labels, k, 15, rows)).toEqual(sub);
    expect(topLabelSummary(probs, labels, k, 15, rows)).toEqual({ accuracy: sub.accuracy, ece: sub.ece, nll: sub.nll });
  });

  /** equalMassBins by its definition: a comparison sort (ties by index), groups summed in that order. */
  function massByDefinition(conf: ArrayLike<number>, correct: ArrayLike<number>, nBins = 15) {
    const order = Array.from({ length: conf.length }, (_, i) => i)
      .filter((i) => !Number.isNaN(conf[i]!))
      .sort((a, b) => conf[a]! - conf[b]! || a - b);
    const bins = [];
    for (let g = 0, start = 0; g < nBins; g++) {
      const size = Math.floor(order.length / nBins) + (g < order.length % nBins ? 1 : 0);
      let sumCorrect = 0;
      let sumConf = 0;
      for (const i of order.slice(start, start + size)) {
        sumCorrect += correct[i]!;
        sumConf += conf[i]!;
      }
      const [lo, hi] = size ? [conf[order[start]!]!, conf[order[start + size - 1]!]!] : [NaN, NaN];
      bins.push({ lo, hi, count: size, accuracy: size ? sumCorrect / size : NaN, confidence: size ? sumConf / size : NaN });
      start += size;
    }
    return bins;
  }

  it('adaptive bins (sorted by float32 keys, confidences read back from the keys) equal their definition: ties, −0, rows without a confidence', () => {
    const k = 3;
    const { probs, labels } = fixture(5000, k, 5);
    probs.fill(-0, 10 * k, 11 * k); // confidence −0 (as +0 in the keys; lo shows −0)
    probs.fill(NaN, 20 * k, 21 * k); // no confidence: in no adaptive bin
    for (let i = 100; i < 1000; i++) probs[i * k + (i % k)] = 0.75; // many ties, straddling bin ends
    const valid = Array.from(labels.keys()).filter((i) => labels[i]! >= 0 && labels[i]! < k);
    const { pred, conf } = topLabel(probs, k);
    const c = Float64Array.from(valid, (i) => conf[i]!);
    const hit = Uint8Array.from(valid, (i) => (pred[i] === labels[i] ? 1 : 0));
    expect(c.some((x) => Object.is(x, -0)) && c.some((x) => Number.isNaN(x))).toBe(true);
    const s = calibrationSummary(probs, labels, k);
    expect(s.adaptiveBins).toEqual(massByDefinition(c, hit));
    expect(s.adaptiveBins).toEqual(equalMassBins(c, hit));
  });

  it('adaptive bins equal their definition when every confidence shares the top radix digit (the sort skips it)', () => {
    const rng = mulberry32(9);
    const n = 20_000;
    // Two classes, confidences in [0.5, 1): one top 10-bit digit of the keys; many ties.
    const probs = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const top = 0.5 + Math.floor(rng() * 64) / 128;
      probs[2 * i + (i % 2)] = top;
      probs[2 * i + 1 - (i % 2)] = 1 - top;
    }
    const labels = Int32Array.from({ length: n }, () => (rng() < 0.8 ? 0 : 1));
    const { pred, conf } = topLabel(probs, 2);
    const hit = Uint8Array.from(labels, (y, i) => (pred[i] === y ? 1 : 0));
    expect(calibrationSummary(probs, labels, 2).adaptiveBins).toEqual(massByDefinition(conf, hit));
  });

  it('byConfidence: the radix sort on float32 bits gives the stable comparison order', () => {
    const rng = mulberry32(4);
    const values = [-1, -0.5, -0, 0, 1e-45, 1e-38, 0.5, 1, 1.5, Infinity, -Infinity, NaN];
    for (const n of [50, 150_000]) {
      const conf = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? values[i % values.length]! : rng() < 0.3 ? 0.75 : rng()));
      const want = Array.from(conf.keys()).filter((i) => !Number.isNaN(conf[i]!)).sort((a, b) => conf[a]! - conf[b]! || a - b);
      expect(Array.from(byConfidence(conf))).toEqual(want);
    }
    // Values that are not float32 take the comparison sort.
    expect(Array.from(byConfidence([0.1, 0.30000000000000004, 0.3, NaN, 0.1]))).toEqual([0, 4, 2, 1]);
  });

  it('widthBinTable agrees with binOf across every float32 bucket (ends and middle)', () => {
    for (const nBins of [15, 10, 3]) {
      const table = widthBinTable(nBins);
      const edges = binEdges(nBins);
      const f = new Float32Array(1);
      const u = new Uint32Array(f.buffer);
      let wrong = 0;
      let decided = 0;
      for (let h = 0; h < 65536; h++) {
        if (table[h] === 255) continue;
        decided++;
        for (const low of [0, 1, 32768, 65535]) {
          u[0] = h * 65536 + low;
          if (Number.isNaN(f[0]!) || binOf(f[0]!, edges) !== table[h]) wrong++;
        }
      }
      expect(wrong).toBe(0);
      expect(decided).toBeGreaterThan(65000); // all but the edge and NaN buckets are looked up
    }
  });

  it('binOf equals the binary search over the edges, including values a product would round across an edge', () => {
    const edges = binEdges(15);
    const search = (c: number) => {
      let lo = 0;
      let hi = 14;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (c <= edges[mid + 1]!) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const probes = [-1, 0, 1, 2, ...Array.from(edges, (e) => [e, e + Number.EPSILON / 4, e - Number.EPSILON / 4, Math.fround(e)]).flat()];
    for (const c of probes) expect(binOf(c, edges)).toBe(search(c));
  });
});
