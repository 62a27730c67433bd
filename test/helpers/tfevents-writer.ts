/**
 * A minimal TensorBoard event-file writer for tests: one Event per scalar (wall_time, step and a
 * Summary.Value with tag and simple_value) framed as TFRecords with their masked CRC-32C. Enough for
 * files of any length; the committed fixtures come from TensorFlow itself (scripts/gen-tfevents-fixture.py).
 */
import { maskedCrc32c } from '../../src/load/formats/tfevents.ts';

export function tfeventsFile(scalars: { step: number; tag: string; value: number }[]): Uint8Array {
  const records: number[] = [];
  for (const s of scalars) {
    const value = [...field(1, 2, utf8(s.tag)), ...field(2, 5, float32(s.value))];
    const event = [...field(1, 1, float64(1_700_000_000 + s.step)), ...field(2, 0, varint(s.step)), ...field(5, 2, field(1, 2, value))];
    record(records, Uint8Array.from(event));
  }
  return Uint8Array.from(records);
}

function record(out: number[], data: Uint8Array): void {
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(data.length), true);
  for (const b of [...length, ...uint32(maskedCrc32c(length)), ...data, ...uint32(maskedCrc32c(data))]) out.push(b);
}

/** A protobuf field: its tag, then the value (length-prefixed for wire type 2). */
function field(no: number, wire: number, bytes: number[]): number[] {
  return [...varint((no << 3) | wire), ...(wire === 2 ? varint(bytes.length) : []), ...bytes];
}

function varint(v: number): number[] {
  const out: number[] = [];
  for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v % 128) | 0x80);
  out.push(v);
  return out;
}

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
const float32 = (v: number) => [...new Uint8Array(Float32Array.of(v).buffer)];
const float64 = (v: number) => [...new Uint8Array(Float64Array.of(v).buffer)];
const uint32 = (v: number) => [...new Uint8Array(Uint32Array.of(v).buffer)];
