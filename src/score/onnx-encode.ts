/**
 * A minimal ONNX (protobuf) encoder: enough of ModelProto to write inference graphs of float
 * tensors built in-process (converted tfjs layers models, the benchmark's MatMul reference), so no
 * protobuf or onnx package is needed. Field numbers follow onnx/onnx.proto (IR version 8, opset 13).
 */

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** float32 values, or int64 values (as numbers) for shape / index tensors. */
  data: Float32Array | { int64: number[] };
}

export type OnnxAttr = number | number[] | string | { float: number } | { floats: number[] } | { tensor: OnnxTensor };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, OnnxAttr>;
}

export interface OnnxValue {
  name: string;
  /** Dimensions; a string is a symbolic dimension (e.g. "batch"). */
  dims: (number | string)[];
  /** Element type (default float). */
  type?: 'float' | 'uint8';
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

const FLOAT = 1;
const UINT8 = 2;
const INT64 = 7;

/** Serialise a graph as an ONNX ModelProto. */
export function encodeModel(graph: OnnxGraph, producer = 'losslens'): Uint8Array {
  const w = new Writer();
  w.varintField(1, 8); // ir_version
  w.stringField(2, producer);
  w.messageField(7, encodeGraph(graph));
  const opset = new Writer();
  opset.stringField(1, '');
  opset.varintField(2, 13);
  w.messageField(8, opset.finish());
  return w.finish();
}

function encodeGraph(g: OnnxGraph): Uint8Array {
  const w = new Writer();
  for (const n of g.nodes) w.messageField(1, encodeNode(n));
  w.stringField(2, g.name);
  for (const t of g.initializers) w.messageField(5, encodeTensor(t));
  for (const v of g.inputs) w.messageField(11, encodeValueInfo(v));
  for (const v of g.outputs) w.messageField(12, encodeValueInfo(v));
  return w.finish();
}

function encodeNode(n: OnnxNode): Uint8Array {
  const w = new Writer();
  for (const i of n.inputs) w.stringField(1, i);
  for (const o of n.outputs) w.stringField(2, o);
  w.stringField(3, `${n.op}_${n.outputs[0]}`);
  w.stringField(4, n.op);
  for (const [name, v] of Object.entries(n.attrs ?? {})) w.messageField(5, encodeAttr(name, v));
  return w.finish();
}

function encodeAttr(name: string, v: OnnxAttr): Uint8Array {
  const w = new Writer();
  w.stringField(1, name);
  if (typeof v === 'number') {
    w.varintField(3, v);
    w.varintField(20, 2); // INT
  } else if (typeof v === 'string') {
    w.bytesField(4, new TextEncoder().encode(v));
    w.varintField(20, 3); // STRING
  } else if (Array.isArray(v)) {
    for (const i of v) w.varintField(8, i);
    w.varintField(20, 7); // INTS
  } else if ('float' in v) {
    w.tag(2, 5);
    w.float32(v.float);
    w.varintField(20, 1); // FLOAT
  } else if ('floats' in v) {
    for (const f of v.floats) {
      w.tag(7, 5);
      w.float32(f);
    }
    w.varintField(20, 6); // FLOATS
  } else {
    w.messageField(5, encodeTensor(v.tensor));
    w.varintField(20, 4); // TENSOR
  }
  return w.finish();
}

function encodeTensor(t: OnnxTensor): Uint8Array {
  const w = new Writer();
  for (const d of t.dims) w.varintField(1, d);
  if (t.data instanceof Float32Array) {
    w.varintField(2, FLOAT);
    w.stringField(8, t.name);
    // raw_data is little-endian; copy so a view into a larger buffer is not serialised whole.
    w.bytesField(9, new Uint8Array(Float32Array.from(t.data).buffer));
  } else {
    w.varintField(2, INT64);
    w.stringField(8, t.name);
    const raw = new BigInt64Array(t.data.int64.map((x) => BigInt(x)));
    w.bytesField(9, new Uint8Array(raw.buffer));
  }
  return w.finish();
}

function encodeValueInfo(v: OnnxValue): Uint8Array {
  const shape = new Writer();
  for (const d of v.dims) {
    const dim = new Writer();
    if (typeof d === 'number') dim.varintField(1, d);
    else dim.stringField(2, d);
    shape.messageField(1, dim.finish());
  }
  const tensorType = new Writer();
  tensorType.varintField(1, v.type === 'uint8' ? UINT8 : FLOAT);
  tensorType.messageField(2, shape.finish());
  const type = new Writer();
  type.messageField(1, tensorType.finish());
  const w = new Writer();
  w.stringField(1, v.name);
  w.messageField(2, type.finish());
  return w.finish();
}

/** Protobuf wire-format writer (varint = wire type 0, length-delimited = 2, fixed32 = 5). */
class Writer {
  private chunks: Uint8Array[] = [];
  private bytes: number[] = [];

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }
  varint(v: number): void {
    // Negative int64 values are 10-byte two's complement varints.
    let x = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
  }
  float32(f: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, f, true);
    this.bytes.push(...b);
  }
  varintField(field: number, v: number): void {
    this.tag(field, 0);
    this.varint(v);
  }
  bytesField(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.flush();
    this.chunks.push(data);
  }
  stringField(field: number, s: string): void {
    this.bytesField(field, new TextEncoder().encode(s));
  }
  messageField(field: number, msg: Uint8Array): void {
    this.bytesField(field, msg);
  }
  private flush(): void {
    if (this.bytes.length) this.chunks.push(Uint8Array.from(this.bytes));
    this.bytes = [];
  }
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.chunks.reduce((s, c) => s + c.length, 0));
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
