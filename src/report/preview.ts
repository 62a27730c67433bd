/** Builds how a record is shown in the report, from the `display` config. */
import type { RecordPreview } from '../analyses/types.ts';
import type { DisplayConfig } from '../config.ts';
import { codeTable, forEachChunk, rowValues } from '../load/input-values.ts';
import type { Dataset, ModelInputs } from '../types.ts';
import { encodePng } from './png.ts';

export function createPreviewer(display: DisplayConfig, dataset: Dataset, inputs: ModelInputs | null): (index: number) => RecordPreview {
  if (display.type === 'image' && inputs) {
    const { width, height, channels } = display;
    const size = width * height * channels;
    if (size !== inputs.rowSize) {
      // Fall back to fields rather than draw a wrong picture.
      return fieldsPreview(dataset, null);
    }
    const range = valueRange(inputs);
    const scratch = new Float32Array(size);
    return (index) => {
      const row = rowValues(inputs, index, scratch);
      const px = new Uint8Array(size);
      for (let j = 0; j < size; j++) {
        const v = (row[j] - range.min) / (range.max - range.min || 1);
        px[j] = Number.isFinite(v) ? Math.round(Math.min(1, Math.max(0, v)) * 255) : 0;
      }
      return { kind: 'image', src: `data:image/png;base64,${Buffer.from(encodePng(px, width, height, channels)).toString('base64')}`, width, height, alt: `record ${dataset.ids[index]}` };
    };
  }
  if (display.type === 'text') {
    const col = dataset.table.column(display.column);
    return (index) => {
      const v = col ? String(col.at(index) ?? '') : '';
      return { kind: 'text', text: v.slice(0, display.maxChars), truncated: v.length > display.maxChars };
    };
  }
  return fieldsPreview(dataset, display.type === 'fields' ? display.columns : null);
}

function fieldsPreview(dataset: Dataset, columns: string[] | null): (index: number) => RecordPreview {
  const names = (columns ?? dataset.table.columnNames()).slice(0, 12);
  return (index) => ({
    kind: 'fields',
    fields: names.map((n) => {
      const v = dataset.table.column(n)?.at(index);
      const s = v === null || v === undefined ? '' : String(v);
      return [n, s.length > 80 ? `${s.slice(0, 79)}…` : s];
    }),
  });
}

/** Pixel range of the whole input set (0..1 for scaled images), so all previews share one scale. */
function valueRange(inputs: ModelInputs): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  const see = (v: number) => {
    if (v < min) min = v;
    if (v > max) max = v;
  };
  const table = codeTable(inputs);
  if (table) {
    // uint8 codes: the range of the values of the codes that occur (one pass over bytes, not floats).
    const seen = new Uint8Array(256);
    const codes = inputs.data;
    // Indexed (a for-of iterator is ~10× slower over 10⁸ bytes), in blocks, stopping once every code has occurred.
    const BLOCK = 1 << 16;
    for (let start = 0; start < codes.length; start += BLOCK) {
      const end = Math.min(codes.length, start + BLOCK);
      for (let i = start; i < end; i++) seen[codes[i]] = 1;
      if (seen.every((f) => f === 1)) break;
    }
    for (let c = 0; c < 256; c++) if (seen[c]) see(table[c]);
  } else {
    forEachChunk(inputs, (values) => {
      for (let i = 0; i < values.length; i++) see(values[i]);
    });
  }
  return { min: Math.min(0, min), max: Math.max(1, max) };
}
