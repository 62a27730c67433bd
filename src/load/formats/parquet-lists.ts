/**
 * A Parquet list column of numbers (Spark's `array<double>` of logits or probabilities) decoded
 * straight into one flat Float64Array, row group by row group.
 *
 * hyparquet assembles a list column into a JS array per row, page by page, with its repetition and
 * definition levels as JS arrays: at a million rows of ten values that garbage, not the decoding,
 * was most of the read (20 part files of 1M × 5 checkpoints: 13.7 s against 4.1 s for the same
 * values in ten DOUBLE columns). This reads the same pages with hyparquet's own page readers (its
 * `hyparquet/src/*.js` subpath exports; the dependency is pinned to the version they were written
 * against) and keeps only the values, for the regular case alone: one level of repetition, every
 * row present with the same number of present values. Anything else — a null or empty list, a null
 * value, rows of different lengths — returns null, and the column is read the general way.
 */
import type { ColumnMetaData, Compressors, Encoding, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxRepetitionLevel, getTreePath } from 'hyparquet/src/schema.js';
import type { ColumnDecoder, DecodedArray } from 'hyparquet/src/types.js';

/** Whether the top-level field `name` is a list of DOUBLE or FLOAT values, one level deep: a column this reader may take. */
export function isNumberListField(schema: SchemaTree, name: string): boolean {
  const field = schema.children.find((c) => c.element.name === name);
  if (!field) return false;
  let node = field;
  const path = [schema, field];
  while (node.children.length === 1) {
    node = node.children[0];
    path.push(node);
  }
  return node.children.length === 0 && (node.element.type === 'DOUBLE' || node.element.type === 'FLOAT') && getMaxRepetitionLevel(path) === 1;
}

/**
 * One row group's chunk of such a column (`bytes`: the chunk as stored, `rows`: the group's rows)
 * as `width` values per row, or null when the chunk is not regular (see above).
 */
export function readNumberListChunk(bytes: ArrayBuffer, meta: ColumnMetaData, schema: SchemaTree, compressors: Compressors, rows: number): { width: number; values: Float64Array } | null {
  const schemaPath = getTreePath(schema, meta.path_in_schema);
  const decoder: ColumnDecoder = {
    pathInSchema: meta.path_in_schema,
    type: meta.type,
    element: schemaPath[schemaPath.length - 1].element,
    schemaPath,
    codec: meta.codec,
    parsers: DEFAULT_PARSERS,
    compressors,
  };
  const total = Number(meta.num_values);
  const values = new Float64Array(total);
  const view = new DataView(bytes);
  const reader = { view, offset: 0 };
  let dictionary: DecodedArray | undefined;
  let filled = 0;
  let rowsSeen = 0;
  let width = -1;
  let length = 0; // values of the row being read so far
  /** The row read so far is complete: it sets the width, or must have it. */
  const endRow = (): boolean => {
    if (width < 0) width = length;
    return length === width;
  };
  while (reader.offset < view.byteLength - 1) {
    const header = parquetHeader(reader);
    const stored = new Uint8Array(bytes, reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(stored, header.uncompressed_page_size, meta.codec, compressors);
      const pageReader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
      dictionary = convert(readPlain(pageReader, meta.type, header.dictionary_page_header!.num_values, decoder.element.type_length), decoder);
      continue;
    }
    let levels: ReturnType<typeof readDataPage>;
    let encoding: Encoding;
    if (header.type === 'DATA_PAGE' && header.data_page_header) {
      levels = readDataPage(decompressPage(stored, header.uncompressed_page_size, meta.codec, compressors), header.data_page_header, decoder);
      encoding = header.data_page_header.encoding;
    } else if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
      levels = readDataPageV2(stored, header, decoder);
      encoding = header.data_page_header_v2.encoding;
    } else return null; // an index page or another page type: the general reader decides
    const { definitionLevels, repetitionLevels, dataPage } = levels;
    // hyparquet leaves the definition levels empty when every value of the page is present.
    if (definitionLevels && definitionLevels.length > 0) return null;
    const pageValues = convertWithDictionary(dataPage, dictionary, encoding, decoder);
    if (repetitionLevels.length !== pageValues.length || filled + pageValues.length > total) return null;
    for (let v = 0; v < pageValues.length; v++) {
      // Repetition level 0 starts a row (the first value of a page may continue the last page's row).
      if (repetitionLevels[v] === 0) {
        if (rowsSeen > 0 && !endRow()) return null;
        rowsSeen++;
        length = 0;
      }
      const x = pageValues[v];
      if (typeof x !== 'number') return null;
      values[filled++] = x;
      length++;
    }
  }
  if (rowsSeen > 0 && !endRow()) return null;
  if (rowsSeen !== rows || width <= 0 || filled !== rows * width) return null;
  return { width, values };
}
