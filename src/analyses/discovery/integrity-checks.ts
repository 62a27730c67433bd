/**
 * Data-integrity checks that need no model: column health of the records table (arquero), input
 * health, duplicate inputs (conflicting labels, leakage across splits) and class balance.
 */
import type { ColumnTable } from 'arquero';
import { codeTable, copyRow, rowValues } from '../../load/input-values.ts';
import type { ModelInputs } from '../../types.ts';
import { codesAreValues, duplicateGroups, forEachWordBlock, forEachWordChunk, groupsByHash, hashRows, type WordChunk } from './duplicates.ts';
import { isTrainingSplit } from './splits.ts';

export interface ColumnHealth {
  column: string;
  missing: number;
  nan: number;
  inf: number;
  /** At most one distinct non-missing value. */
  constant: boolean;
}

/** Missing (null, undefined, empty), NaN and ±Infinity cells per column, and constant columns. */
export function columnHealth(table: ColumnTable): ColumnHealth[] {
  const n = table.numRows();
  return table.columnNames().map((column) => {
    const col = table.column(column)!;
    // Plain arrays (CSV, JSON) read by index: a million `at` calls per column cost more than the checks.
    const values = Array.isArray(col) ? (col as unknown[]) : null;
    let missing = 0;
    let nan = 0;
    let inf = 0;
    let first: unknown = undefined;
    let constant = true;
    for (let i = 0; i < n; i++) {
      const v = values ? values[i] : col.at(i);
      if (v === null || v === undefined || v === '') {
        missing++;
        continue;
      }
      if (typeof v === 'number' && Number.isNaN(v)) nan++;
      else if (typeof v === 'number' && !Number.isFinite(v)) inf++;
      const key = v instanceof Date ? v.getTime() : v;
      if (first === undefined) first = key;
      else if (constant && !Object.is(key, first)) constant = false;
    }
    return { column, missing, nan, inf, constant };
  });
}

export interface InputHealth {
  /** Records with at least one NaN or ±Infinity input value, ascending. */
  nonFiniteRecords: number[];
  nanValues: number;
  infValues: number;
  /** Features (positions in a flattened input row) with a non-finite value somewhere. */
  nonFiniteFeatures: number;
  /** Features with the same value in every record (e.g. always-black image corners). */
  constantFeatures: number;
  /** Records whose whole input row is one repeated value (blank images, all-zero vectors). */
  constantRecords: number[];
}

/**
 * inputHealth and the exact duplicate groups together. For uint8 codes (the large case) both come from
 * one pass over the inputs, block by block, instead of two passes over ~800 MB at a million images.
 */
export function scanInputs(inputs: ModelInputs): { health: InputHealth; duplicates: number[][] } {
  if (!healthReadsCodes(inputs)) return { health: inputHealth(inputs), duplicates: duplicateGroups(inputs) };
  const health = codeHealth(inputs);
  const hashes = new Uint32Array(inputs.n);
  forEachWordBlock(inputs, (block) => {
    hashRows(block, hashes);
    health.visit(block);
  });
  return { health: health.result(), duplicates: groupsByHash(inputs, hashes) };
}

/**
 * uint8 codes whose values are finite and pairwise distinct (Object.is): comparing codes is comparing
 * values, so health is computed on the bytes themselves, never on Float32 rows. (For finite values,
 * distinct bit patterns ⇔ distinct under Object.is.)
 */
function healthReadsCodes(inputs: ModelInputs): boolean {
  const table = codeTable(inputs);
  return table !== null && table.every(Number.isFinite) && codesAreValues(inputs);
}

export function inputHealth(inputs: ModelInputs): InputHealth {
  const { n, rowSize } = inputs;
  if (healthReadsCodes(inputs)) return healthOfCodes(inputs);
  const first = new Float32Array(rowSize);
  if (n > 0) copyRow(inputs, 0, first);
  const scratch = new Float32Array(rowSize);
  const badFeature = new Uint8Array(rowSize);
  const varies = new Uint8Array(rowSize);
  const nonFiniteRecords: number[] = [];
  const constantRecords: number[] = [];
  let nanValues = 0;
  let infValues = 0;
  for (let i = 0; i < n; i++) {
    const row = rowValues(inputs, i, scratch);
    let bad = false;
    let flat = true;
    for (let j = 0; j < rowSize; j++) {
      const v = row[j];
      if (!Number.isFinite(v)) {
        bad = true;
        badFeature[j] = 1;
        if (Number.isNaN(v)) nanValues++;
        else infValues++;
      }
      if (!Object.is(v, row[0])) flat = false;
      if (i > 0 && !Object.is(v, first[j])) varies[j] = 1;
    }
    if (bad) nonFiniteRecords.push(i);
    if (flat && rowSize > 1) constantRecords.push(i);
  }
  let nonFiniteFeatures = 0;
  let constantFeatures = 0;
  for (let j = 0; j < rowSize; j++) {
    nonFiniteFeatures += badFeature[j];
    if (n > 1 && !varies[j]) constantFeatures++;
  }
  return { nonFiniteRecords, nanValues, infValues, nonFiniteFeatures, constantFeatures, constantRecords };
}

/** Rows between two compactions of the list of input positions not yet seen to vary. */
const COMPACT_EVERY = 256;

/**
 * inputHealth over uint8 codes that stand for finite, distinct values (no non-finite value can
 * occur), on the rows packed four codes a word. Why it is cheap at a million rows: a row is checked
 * for being constant only until its first differing word (usually the first), and only the words
 * holding a position not yet seen to vary are compared with row 0 — after a few hundred rows that is
 * a handful of words (image borders) instead of the whole row.
 */
function healthOfCodes(inputs: ModelInputs): InputHealth {
  const health = codeHealth(inputs);
  forEachWordChunk(inputs, health.visit);
  return health.result();
}

/** healthOfCodes as a visitor of consecutive word chunks (from row 0 on), and its result. */
function codeHealth(inputs: ModelInputs): { visit: (chunk: WordChunk) => void; result: () => InputHealth } {
  const { n, rowSize } = inputs;
  const codes = inputs.data as Uint8Array;
  const rowWords = Math.ceil(rowSize / 4);
  const varies = new Uint32Array(rowWords);
  const variesBytes = new Uint8Array(varies.buffer);
  const row0 = new Uint32Array(rowWords);
  const lastMask = validBytesMask(rowSize);
  // Word positions with a byte not yet seen to vary (all of them at first).
  const pending = Int32Array.from({ length: rowWords }, (_, w) => w);
  let open = rowWords;
  const constantRecords: number[] = [];
  const visit = ({ words, firstRow, rows }: WordChunk) => {
    if (firstRow === 0 && rows > 0) row0.set(words.subarray(0, rowWords));
    for (let r = 0; r < rows; r++) {
      const o = r * rowWords;
      if (rowSize > 1 && isFlat(words, o, rowWords, codes[(firstRow + r) * rowSize] * 0x01010101, lastMask)) constantRecords.push(firstRow + r);
      for (let p = 0; p < open; p++) {
        const w = pending[p];
        varies[w] |= words[o + w] ^ row0[w];
      }
      if ((firstRow + r) % COMPACT_EVERY === COMPACT_EVERY - 1) open = compactPending(pending, open, variesBytes, rowSize);
    }
  };
  const result = (): InputHealth => {
    let constantFeatures = 0;
    for (let j = 0; j < rowSize; j++) if (n > 1 && !variesBytes[j]) constantFeatures++;
    return { nonFiniteRecords: [], nanValues: 0, infValues: 0, nonFiniteFeatures: 0, constantFeatures, constantRecords };
  };
  return { visit, result };
}

/** Whether every code of the row at word `o` equals the first (`pattern` = it repeated in each byte). */
function isFlat(words: Uint32Array, o: number, rowWords: number, pattern: number, lastMask: number): boolean {
  const last = rowWords - 1;
  for (let w = 0; w < last; w++) if (words[o + w] !== pattern) return false;
  // The last word may end in zero padding: only its valid bytes count.
  return ((words[o + last] ^ pattern) & lastMask) === 0;
}

/** The bits of a row's last word that hold codes (the rest is zero padding), whatever the byte order. */
function validBytesMask(rowSize: number): number {
  const bytes = new Uint8Array(4);
  const valid = rowSize % 4 || 4;
  bytes.fill(0xff, 0, valid);
  return new Uint32Array(bytes.buffer)[0] | 0;
}

/** Drop from `pending[0 .. open)` the words whose every valid byte has varied; returns the new count. */
function compactPending(pending: Int32Array, open: number, variesBytes: Uint8Array, rowSize: number): number {
  let kept = 0;
  for (let p = 0; p < open; p++) {
    const w = pending[p];
    let still = false;
    for (let j = w * 4; j < Math.min(w * 4 + 4, rowSize); j++) if (!variesBytes[j]) still = true;
    if (still) pending[kept++] = w;
  }
  return kept;
}

export interface DuplicateFindings {
  groups: number;
  /** Records that belong to a duplicate group. */
  records: number;
  /** Records beyond the first of each group (what deduplication would remove). */
  extraCopies: number;
  /** Groups whose records carry more than one label, and their records. */
  conflictingGroups: number[][];
  /** Records in a held-out split whose exact input also occurs in a training split (or, without a training split, in another split). */
  leaked: number[];
}

export function duplicateFindings(groups: number[][], labels: ArrayLike<number>, split: ArrayLike<number>, splitNames: string[]): DuplicateFindings {
  const training = splitNames.map(isTrainingSplit);
  const anyTraining = training.some(Boolean);
  const conflictingGroups: number[][] = [];
  const leaked: number[] = [];
  let records = 0;
  for (const g of groups) {
    records += g.length;
    if (new Set(g.map((i) => labels[i])).size > 1) conflictingGroups.push(g);
    const splits = new Set(g.map((i) => split[i]));
    if (splits.size < 2) continue;
    if (anyTraining) {
      if (g.some((i) => training[split[i]])) for (const i of g) if (!training[split[i]]) leaked.push(i);
    } else for (const i of g) leaked.push(i); // (not push(...g): a group of 100 000s of blank records overflows the stack)
  }
  return { groups: groups.length, records, extraCopies: records - groups.length, conflictingGroups, leaked: leaked.sort((a, b) => a - b) };
}

export interface ClassBalance {
  /** The split the prior is taken from (the training split when there is one), or null = all records. */
  priorSplit: string | null;
  counts: number[];
  prior: number[];
  /** Largest class count / smallest (Infinity when a class has no records). */
  ratio: number;
  /** −Σ p ln p: the loss of a model that always predicts the prior (the best constant predictor). */
  priorEntropy: number;
  /** ln K: the expected initial loss of an untrained model predicting uniform probabilities. */
  lnK: number;
}

export function classBalance(labels: ArrayLike<number>, split: ArrayLike<number>, splitNames: string[], k: number): ClassBalance {
  const t = splitNames.findIndex(isTrainingSplit);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0 && (t < 0 || split[i] === t)) counts[labels[i]]++;
  const total = counts.reduce((a, b) => a + b, 0);
  const prior = counts.map((c) => (total ? c / total : NaN));
  const priorEntropy = prior.reduce((h, p) => (p > 0 ? h - p * Math.log(p) : h), 0);
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  return { priorSplit: t < 0 ? null : splitNames[t], counts, prior, ratio: min > 0 ? max / min : Infinity, priorEntropy: total ? priorEntropy : NaN, lnK: Math.log(k) };
}
