/**
 * How many records one tfjs WebAssembly call scores: shared by the single-thread runtime (tfjs.ts),
 * which cuts each batch into such calls, and the worker pool (workers.ts), whose workers take chunks
 * of that size. Rows are independent, so the slicing never changes an output bit.
 */

/**
 * Input values per chunk: 64 records of 784 values. Measured on the benchmark's MLP and CNN
 * (bench/synthetic.ts, 784 values per record) on one worker of a shared 2-core machine, 64-record
 * calls scored about 4× (MLP) and 2.7× (CNN) more records per CPU-second than 1024-record calls,
 * whose activations no longer fit in a core's cache; below ~32 records the fixed cost of a tfjs
 * call (≈0.3 ms) takes over. Activations grow with the input, so records with fewer values get
 * proportionally larger chunks (a tabular model's call is mostly that fixed cost), larger ones smaller.
 */
export const CHUNK_VALUES = 64 * 784;

/** Records per chunk for records of `rowSize` input values: about CHUNK_VALUES values, at least one record. */
export function chunkRows(rowSize: number): number {
  return Math.max(1, Math.round(CHUNK_VALUES / Math.max(rowSize, 1)));
}
