/**
 * Data-integrity checks that need no model: column health of the records table (arquero), input
 * health, duplicate inputs (conflicting labels, leakage across splits) and class balance.
 */
import type { ColumnTable } from 'arquero';
import { codeTable, copyRow, rowValues } from '../../load/input-values.ts';
import type { ModelInputs } from '../../types.ts';
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
    let missing = 0;
    let nan = 0;
    let inf = 0;
    let first: unknown = undefined;
    let constant = true;
    for (let i = 0; i < n; i++) {
      const v = col.at(i);
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

export function inputHealth(inputs: ModelInputs): InputHealth {
  const { n, rowSize } = inputs;
  const table = codeTable(inputs);
  // uint8 codes whose values are finite and pairwise distinct (Object.is): comparing codes is comparing
  // values, so the pass reads the bytes themselves and never builds a Float32 row.
  if (table && table.every(Number.isFinite) && new Set(Array.from(table, (v) => (Object.is(v, -0) ? '-0' : v))).size === 256) return healthOfCodes(inputs.data as Uint8Array, n, rowSize);
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

/** inputHealth over uint8 codes that stand for finite, distinct values: no non-finite value can occur. */
function healthOfCodes(data: Uint8Array, n: number, rowSize: number): InputHealth {
  const varies = new Uint8Array(rowSize);
  const constantRecords: number[] = [];
  for (let i = 0; i < n; i++) {
    const base = i * rowSize;
    const c0 = data[base];
    let flat = true;
    for (let j = 0; j < rowSize; j++) {
      const v = data[base + j];
      if (v !== c0) flat = false;
      if (v !== data[j]) varies[j] = 1;
    }
    if (flat && rowSize > 1) constantRecords.push(i);
  }
  let constantFeatures = 0;
  for (let j = 0; j < rowSize; j++) if (n > 1 && !varies[j]) constantFeatures++;
  return { nonFiniteRecords: [], nanValues: 0, infValues: 0, nonFiniteFeatures: 0, constantFeatures, constantRecords };
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
    } else leaked.push(...g);
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
