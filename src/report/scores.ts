/**
 * The per-sample scores file (CONTRACT.md): one row per record in dataset order with the final
 * checkpoint's prediction, then p:<class>, then loss@<checkpoint>. Unscorable records have empty
 * score cells. Probabilities are written with 9 significant digits, enough to round-trip float32
 * (decimal.ts: the digits toPrecision gives, without its cost at tens of millions of numbers).
 * Then the discovery flags (analyses/discovery/columns.ts): outlier, loss_z, label_issue,
 * suggested_label, duplicate_group.
 */
import { discoveryColumns, type ScoresColumn } from '../analyses/discovery/columns.ts';
import type { AnalysisContext } from '../analyses/types.ts';
import { unknownLabelsByRecord } from '../load/dataset.ts';
import { fullProbs } from '../score/compact.ts';
import { MAX_DECIMAL_BYTES, writeRoundedDecimal } from './decimal.ts';

/**
 * The scores file as UTF-8 chunks of about CHUNK_BYTES. Rows are written as bytes straight into the
 * chunk (numbers by writeRoundedDecimal, the repeated split and class cells encoded once): at a
 * million records that is tens of millions of numbers, and a string per number, per row and per
 * chunk, then encoded again on the way to the file, took most of its time.
 */
export function* scoresCsv(ctx: AnalysisContext, moreColumns: ScoresColumn[] = []): Generator<Uint8Array> {
  const { run, dataset, final } = ctx;
  // Per-record flags of the discovery detectors (outlier, label_issue, …) always follow the CONTRACT columns.
  const extraColumns = [...discoveryColumns(ctx), ...moreColumns];
  const fs = run.scores[final.checkpoint];
  const probs = fullProbs(fs, 'scores file');
  const header = ['id', 'split', 'label', 'predicted', 'confidence', 'loss', ...run.classes.map((c) => `p:${c}`), ...run.checkpoints.map((c) => `loss@${c.id}`), ...extraColumns.map((c) => c.name)];
  const out = new ChunkWriter();
  out.text(`${header.map(csvField).join(',')}\n`);
  const unknown = unknownLabelsByRecord(dataset);
  // Split and class names repeat on every row: their CSV cells are encoded once.
  const splitCells = dataset.splitNames.map((s) => utf8.encode(csvField(s)));
  const classCells = run.classes.map((c) => utf8.encode(csvField(c)));
  const num = (v: number) => {
    if (Number.isFinite(v)) out.decimal(v, 9);
  };
  for (let i = 0; i < run.n; i++) {
    out.text(csvField(dataset.ids[i]));
    out.byte(COMMA);
    out.bytes(splitCells[dataset.split[i]]);
    out.byte(COMMA);
    if (dataset.labels[i] >= 0) out.bytes(classCells[dataset.labels[i]]);
    else out.text(csvField(unknown.get(i) ?? ''));
    if (run.scorable[i] === 1) {
      out.byte(COMMA);
      out.bytes(classCells[fs.pred[i]]);
      out.byte(COMMA);
      num(fs.conf[i]);
      out.byte(COMMA);
      num(fs.loss[i]);
      for (let j = 0; j < run.k; j++) {
        out.byte(COMMA);
        num(probs[i * run.k + j]);
      }
      for (const s of run.scores) {
        out.byte(COMMA);
        num(s.loss[i]);
      }
    } else for (let c = 3 + run.k + run.scores.length; c > 0; c--) out.byte(COMMA);
    for (const c of extraColumns) {
      out.byte(COMMA);
      out.text(c.numeric ? c.values(i) : csvField(c.values(i)));
    }
    out.byte(NEWLINE);
    if (out.length >= CHUNK_BYTES) yield out.take();
  }
  if (out.length > 0) yield out.take();
}

const COMMA = 44;
const NEWLINE = 10;
/** Bytes per chunk handed to the file stream. */
const CHUNK_BYTES = 1 << 20;
const utf8 = new TextEncoder();

/** A growing byte buffer; take() hands over what was written and starts a new one. */
class ChunkWriter {
  private buf = new Uint8Array(CHUNK_BYTES + (CHUNK_BYTES >> 2));
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(2 * this.buf.length, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  text(s: string): void {
    this.room(3 * s.length); // UTF-8 needs at most 3 bytes per UTF-16 unit
    // ASCII (ids, flags, numbers) byte by byte; anything else through the encoder (a view per call).
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        this.length += utf8.encodeInto(s, buf.subarray(this.length)).written;
        return;
      }
      buf[at++] = c;
    }
    this.length = at;
  }
  decimal(v: number, digits: number): void {
    this.room(MAX_DECIMAL_BYTES);
    this.length = writeRoundedDecimal(v, digits, this.buf, this.length);
  }
  take(): Uint8Array {
    const chunk = this.buf.subarray(0, this.length);
    this.buf = new Uint8Array(CHUNK_BYTES + (CHUNK_BYTES >> 2));
    this.length = 0;
    return chunk;
  }
}

function csvField(s: string): string {
  // Quote when needed; neutralise spreadsheet formula injection from data-derived strings.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
