/** Pure math for losslens: no I/O, no dependencies beyond the language. */
export * from './rng.ts';
export * from './quantiles.ts';
export * from './histogram.ts';
export * from './robust.ts';
export * from './classification.ts';
export * from './losses.ts';
export * from './calibration.ts';
export * from './temperature.ts';
export * from './bootstrap.ts';
export * from './significance.ts';
