/**
 * Keras `CSVLogger` files: a header `epoch,accuracy,loss,val_accuracy,val_loss[,lr|learning_rate]`
 * and one row per finished epoch (epoch is 0-based). Each CSV row becomes a `train` row and, when
 * `val_*` columns exist, a `val` row, both at step = epoch + 1 (epochs completed), so a losslens
 * step axis reads "after this many epochs". Keras writes `nan`/`inf` for non-finite values.
 */
import { InputError } from '../../messages.ts';
import type { MetricRow } from '../../types.ts';

export function parseKerasCsv(text: string, file: string): MetricRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  // CSVLogger's `separator` argument: sniff it from the header.
  const sep = [',', ';', '\t'].find((s) => lines[0].includes(s)) ?? ',';
  const header = lines[0].split(sep).map((h) => h.trim());
  const epochCol = header.indexOf('epoch');
  if (epochCol < 0) throw new InputError(`${file} line 1`, 'a Keras CSVLogger header with an "epoch" column', JSON.stringify(lines[0].slice(0, 60)));
  const rows: MetricRow[] = [];
  for (let li = 1; li < lines.length; li++) {
    const cells = lines[li].split(sep);
    if (cells.length !== header.length) throw new InputError(`${file} line ${li + 1}`, `${header.length} fields`, `${cells.length}`);
    const epoch = Number(cells[epochCol]);
    if (!Number.isInteger(epoch)) throw new InputError(`${file} line ${li + 1}`, 'an integer epoch', JSON.stringify(cells[epochCol]));
    const train: MetricRow = { step: epoch + 1, epoch: epoch + 1, split: 'train' };
    const val: MetricRow = { step: epoch + 1, epoch: epoch + 1, split: 'val' };
    let hasVal = false;
    header.forEach((h, j) => {
      if (j === epochCol) return;
      const v = parseNumber(cells[j]);
      if (v === null) return;
      if (h.startsWith('val_')) {
        val[normalise(h.slice(4))] = v;
        hasVal = true;
      } else train[normalise(h)] = v;
    });
    rows.push(train);
    if (hasVal) rows.push(val);
  }
  return rows;
}

function normalise(name: string): string {
  return name === 'learning_rate' ? 'lr' : name === 'acc' ? 'accuracy' : name;
}

/** A number, NaN/±Infinity for Keras/pandas spellings, or null for an empty cell. */
export function parseNumber(cell: string): number | null {
  const s = cell.trim().toLowerCase();
  if (s === '') return null;
  if (s === 'nan') return NaN;
  if (s === 'inf' || s === '+inf' || s === 'infinity') return Infinity;
  if (s === '-inf' || s === '-infinity') return -Infinity;
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}
