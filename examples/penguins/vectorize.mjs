// The penguins model's input, one function used by both train.ts and the audit
// ("inputs": { "preprocess": "./vectorize.mjs" }), so losslens feeds the model exactly what training did.
//
// 9 values: the four measurements standardised with the training split's mean and standard
// deviation (standardize.json, written by train.ts), island one-hot (3), sex one-hot (2).
// A missing measurement stays NaN: the model cannot score that penguin, and the audit lists it.
// A missing or unrecognised sex ("", ".") is all zeros, which the model can still use.
import { readFileSync } from 'node:fs';

const stats = JSON.parse(readFileSync(new URL('./standardize.json', import.meta.url), 'utf8'));
export const MEASUREMENTS = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g'];
export const ISLANDS = ['Biscoe', 'Dream', 'Torgersen'];
export const shape = [9];

export default function vectorize(record) {
  const num = MEASUREMENTS.map((c, j) => {
    const v = record[c];
    return typeof v === 'number' && Number.isFinite(v) ? (v - stats.mean[j]) / stats.std[j] : Number.NaN;
  });
  return [...num, ...ISLANDS.map((i) => (record.island === i ? 1 : 0)), record.sex === 'MALE' ? 1 : 0, record.sex === 'FEMALE' ? 1 : 0];
}
