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

/**
 * Float input bytes per onnxruntime call for a float-fed graph (ONNX files; converted graphs fed
 * floats). A batch of the scoring loop is run in pieces of at most this many bytes: the
 * values just decoded from uint8 codes are then still in the core's cache when the graph reads
 * them. On the benchmark's MLP (one single-thread session, batches of 1024 records of 784 values),
 * 256-record calls scored 188k–192k records/s against 115k–120k for whole 1024-record calls.
 */
export const ORT_PIECE_BYTES = 1 << 20;

/**
 * Bytes of the widest layer's output per onnxruntime call, when the graph's layers are known
 * (converted tfjs layers: Conversion.widestLayer): a convolution's feature maps are written and read
 * again by the next layer, so a piece's maps should stay in one core's cache (2 MB of L2 here). On
 * the benchmark's CNN (8 maps of 28 × 28 first: 25 KB per record) on the 2-worker pool fed uint8
 * codes, whole 1024-record calls (26 MB of maps) scored 25–34 GFLOP/s and 32–128-record calls
 * 41–51; the MLP's widest layer (256 values) keeps its whole 1024-record calls, which beat
 * 256-record ones there (147–183 against 128–150 GFLOP/s).
 */
export const ACTIVATION_PIECE_BYTES = 2 << 20;

/**
 * Records per onnxruntime call when a call of `rows` records is cut into the fewest pieces, all of
 * one size but the last (which may be smaller), each within ORT_PIECE_BYTES of float inputs
 * (`floatInputs` values per record; 0 for a graph fed uint8 codes, whose input bounds nothing) and
 * ACTIVATION_PIECE_BYTES of its widest layer's output (`widestLayer` values per record; 0 when
 * unknown). At least one record per piece. A pure function of the three numbers: the worker pool
 * (ort-pool.ts, which embeds this very function's source) and the main thread's sessions cut a
 * batch alike, so they give the same bits.
 */
export function ortPieceRows(rows: number, floatInputs: number, widestLayer = 0): number {
  const byInputs = floatInputs > 0 ? Math.floor(ORT_PIECE_BYTES / (floatInputs * 4)) : Infinity;
  const byLayer = widestLayer > 0 ? Math.floor(ACTIVATION_PIECE_BYTES / (widestLayer * 4)) : Infinity;
  const most = Math.max(1, Math.min(byInputs, byLayer));
  return rows <= most ? Math.max(1, rows) : Math.ceil(rows / Math.ceil(rows / most));
}

/** `run(start, count)` on each piece of `step` records (ortPieceRows) of a call of `rows` records, outputs in order. */
export async function runInPieces(rows: number, step: number, run: (start: number, count: number) => Promise<Float32Array>): Promise<Float32Array> {
  if (step >= rows) return run(0, rows);
  const parts: Float32Array[] = [];
  for (let start = 0; start < rows; start += step) parts.push(await run(start, Math.min(step, rows - start)));
  return joinOutputs(parts);
}

/** The outputs of consecutive calls as one array. */
export function joinOutputs(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
