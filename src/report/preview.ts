/** Builds how a record is shown in the report, from the `display` config. */
import type { RecordPreview } from '../analyses/types.ts';
import type { DisplayConfig } from '../config.ts';
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
    return (index) => {
      const row = inputs.data.subarray(index * size, (index + 1) * size);
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
  for (const v of inputs.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min: Math.min(0, min), max: Math.max(1, max) };
}
