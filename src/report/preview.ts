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
    // Found on the first preview, not at setup: a run that shows no record never scans its inputs.
    let range: { min: number; max: number } | null = null;
    const scratch = new Float32Array(size);
    return (index) => {
      range ??= valueRange(inputs);
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
    // uint8 codes: the range of the values of the codes that occur. Only codes whose value lies
    // outside [0, 1] can move the result (it is widened to [0, 1] below), so when no code maps
    // outside — e.g. pixels scaled by 1/255 — nothing needs scanning; otherwise scan the bytes.
    const matters = new Uint8Array(256);
    let wanted = 0;
    for (let c = 0; c < 256; c++) {
      if (table[c] < 0 || table[c] > 1) {
        matters[c] = 1;
        wanted++;
      }
    }
    const seen = new Uint8Array(256);
    const codes = inputs.data;
    // Indexed (a for-of iterator is ~10× slower over 10⁸ bytes), in blocks, stopping once every code that matters has occurred.
    const BLOCK = 1 << 16;
    for (let start = 0; wanted > 0 && start < codes.length; start += BLOCK) {
      const end = Math.min(codes.length, start + BLOCK);
      for (let i = start; i < end; i++) seen[codes[i]] = 1;
      let missing = 0;
      for (let c = 0; c < 256; c++) if (matters[c] && !seen[c]) missing++;
      if (missing === 0) break;
    }
    for (let c = 0; c < 256; c++) if (seen[c] && matters[c]) see(table[c]);
  } else {
    forEachChunk(inputs, (values) => {
      for (let i = 0; i < values.length; i++) see(values[i]);
    });
  }
  return { min: Math.min(0, min), max: Math.max(1, max) };
}
