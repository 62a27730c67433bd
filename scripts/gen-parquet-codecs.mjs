/**
 * Parquet files as other writers make them, one per compression codec, for
 * test/load/formats/parquet.test.ts and test/load/parts.test.ts: Spark, Dask and Ray (pyarrow) write SNAPPY by default,
 * Polars ZSTD; GZIP, BROTLI and LZ4_RAW are common options. Written by parquet-wasm (the Rust
 * `parquet` crate compiled to WebAssembly) — an independent writer with real codecs and dictionary
 * pages, not the tests' own minimal writer. Not a dependency of losslens; to regenerate:
 *
 *   npm i --no-save parquet-wasm@0.8.0 apache-arrow@21 && node scripts/gen-parquet-codecs.mjs
 *
 * Each file: 40 rows in 3 row groups — id (string), label (string), logits (list<float32>, 3 per
 * row) and logit_0 … logit_2 (double). Values follow valueAt() in the test: exact in float32.
 */
import { writeFileSync } from 'node:fs';
import { Field, Float32, Float64, List, Table as ArrowTable, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { Compression, Table, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';

const ROWS = 40;
const K = 3;
const valueAt = (i, c) => ((i * 7 + c * 5) % 23) / 4 - 2;
const id = Array.from({ length: ROWS }, (_, i) => `r${i}`);
const label = id.map((_, i) => ['cat', 'dog', 'bird'][i % K]);
const logits = id.map((_, i) => Float32Array.from({ length: K }, (_, c) => valueAt(i, c)));
const columns = {
  id: vectorFromArray(id, new Utf8()),
  label: vectorFromArray(label, new Utf8()),
  logits: vectorFromArray(logits.map((r) => Array.from(r)), new List(new Field('element', new Float32(), true))),
};
for (let c = 0; c < K; c++) columns[`logit_${c}`] = vectorFromArray(id.map((_, i) => valueAt(i, c)), new Float64());
const table = new ArrowTable(columns);

const codecs = { uncompressed: Compression.UNCOMPRESSED, snappy: Compression.SNAPPY, gzip: Compression.GZIP, brotli: Compression.BROTLI, zstd: Compression.ZSTD, lz4_raw: Compression.LZ4_RAW };
for (const [name, codec] of Object.entries(codecs)) {
  const props = new WriterPropertiesBuilder().setCompression(codec).setMaxRowGroupSize(16).build();
  const bytes = writeParquet(Table.fromIPCStream(tableToIPC(table, 'stream')), props);
  const out = new URL(`../test/fixtures/parquet/logits-${name}.parquet`, import.meta.url);
  writeFileSync(out, bytes);
  console.log(`${out.pathname}: ${bytes.length} bytes`);
}
