/**
 * In-process conversion of tfjs layers models into ONNX graphs run by onnxruntime-node, so a
 * model made only of common layers (dense, conv2d, pooling, flatten, dropout, activations,
 * batch-norm, embedding) is scored by native kernels instead of tfjs. Anything else — branching
 * graphs, other layers, channels-first data — yields the reason it cannot convert, and the caller
 * falls back to tfjs with that reason recorded. Every converted checkpoint is checked against tfjs
 * on seeded rows before it is used (max |difference| ≤ 1e-4), so a converter mistake can only
 * cost speed, never change a report.
 *
 * Layout: tfjs is channels-last (NHWC), ONNX Conv/Pool are channels-first (NCHW). Tensors are
 * transposed to NCHW when a convolution or pooling needs them and back to NHWC before anything
 * that depends on element order (flatten, dense, reshape, softmax), so flattening matches tfjs.
 */
import type * as TF from '@tensorflow/tfjs';
import { mulberry32 } from '../stats/rng.ts';
import type { OnnxAttr, OnnxGraph, OnnxNode, OnnxTensor } from './onnx-encode.ts';

export type Conversion =
  | {
      ok: true;
      graph: OnnxGraph;
      inputShape: number[];
      outputs: number;
      /** Values per record of the widest layer output (a convolution's feature maps): the piece size onnxruntime is called with follows it (chunking.ts ortPieceRows). */
      widestLayer: number;
    }
  | { ok: false; reason: string };

/** Largest |tfjs − onnxruntime| accepted on the verification rows. */
export const CONVERSION_TOLERANCE = 1e-4;

class Unsupported extends Error {}

interface State {
  name: string;
  /** Shape without the batch dimension, in tfjs (channels-last) order. */
  shape: number[];
  /** True when the tensor is physically NCHW (rank-4 only). */
  nchw: boolean;
}

type Config = Record<string, unknown>;

/** Convert a loaded tfjs layers model, or say why it cannot be. */
export function convertLayersModel(model: TF.LayersModel): Conversion {
  try {
    return convert(model);
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, reason: e.message };
    throw e;
  }
}

function convert(model: TF.LayersModel): Conversion {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Unsupported(`${model.inputs.length} inputs and ${model.outputs.length} outputs (one of each is supported)`);
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  checkChain(model, layers);
  const inputShape = model.inputs[0].shape.slice(1).map((d) => d ?? -1);
  if (inputShape.some((d) => d < 0)) throw new Unsupported(`a free input dimension ([${inputShape.join(', ')}])`);

  const g = new Builder();
  let x: State = { name: 'input', shape: inputShape, nchw: false };
  let widestLayer = 0;
  for (const layer of layers) {
    x = g.layer(layer, x);
    widestLayer = Math.max(widestLayer, x.shape.reduce((a, b) => a * b, 1));
  }
  x = g.toNhwc(x);
  if (x.shape.length !== 1) throw new Unsupported(`an output of shape [${x.shape.join(', ')}] (expected [classes])`);
  g.nodes.push({ op: 'Identity', inputs: [x.name], outputs: ['output'] });
  const graph: OnnxGraph = {
    name: model.name,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: 'input', dims: ['batch', ...inputShape] }],
    outputs: [{ name: 'output', dims: ['batch', x.shape[0]] }],
  };
  return { ok: true, graph, inputShape, outputs: x.shape[0], widestLayer };
}

/** Only a plain chain of layers converts: each layer fed by exactly the one before it. */
function checkChain(model: TF.LayersModel, layers: TF.layers.Layer[]): void {
  if (model.getClassName() === 'Sequential') return;
  for (const [i, layer] of layers.entries()) {
    const nodes = (layer as unknown as { inboundNodes: { inboundLayers: TF.layers.Layer[] }[] }).inboundNodes;
    const from = nodes.length === 1 ? nodes[0].inboundLayers : [];
    const expected = i === 0 ? 'InputLayer' : layers[i - 1].name;
    const found = from.length === 1 ? (i === 0 ? from[0].getClassName() : from[0].name) : `${from.length} inputs`;
    if (nodes.length !== 1 || found !== expected) throw new Unsupported(`layer "${layer.name}" is not part of a single chain (branching or shared layers)`);
  }
  if (layers.length && model.outputLayers[0] !== layers[layers.length - 1]) throw new Unsupported('the output is not the last layer of the chain');
}

class Builder {
  nodes: OnnxNode[] = [];
  initializers: OnnxTensor[] = [];
  private counter = 0;

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }
  private op(op: string, inputs: string[], attrs?: OnnxNode['attrs']): string {
    const out = this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }
  private constant(dims: number[], data: Float32Array | { int64: number[] }): string {
    const name = this.fresh('const');
    this.initializers.push({ name, dims, data });
    return name;
  }

  toNhwc(x: State): State {
    if (!x.nchw) return x;
    return { ...x, name: this.op('Transpose', [x.name], { perm: [0, 2, 3, 1] }), nchw: false };
  }
  toNchw(x: State): State {
    if (x.nchw) return x;
    if (x.shape.length !== 3) throw new Unsupported(`a 2-D spatial layer on a tensor of shape [${x.shape.join(', ')}]`);
    return { ...x, name: this.op('Transpose', [x.name], { perm: [0, 3, 1, 2] }), nchw: true };
  }

  layer(layer: TF.layers.Layer, x: State): State {
    const cls = layer.getClassName();
    const cfg = layer.getConfig() as Config;
    const weights = layer.getWeights().map((w) => ({ shape: w.shape, data: w.dataSync() as Float32Array }));
    const out = (layer.outputShape as (number | null)[]).slice(1).map((d) => d ?? -1);
    const at = `layer "${layer.name}" (${cls})`;
    switch (cls) {
      case 'Dense': {
        x = this.toNhwc(x);
        let y = this.op('MatMul', [x.name, this.constant(weights[0].shape, weights[0].data)]);
        if (cfg.useBias !== false && weights[1]) y = this.op('Add', [y, this.constant(weights[1].shape, weights[1].data)]);
        return this.activation({ name: y, shape: out, nchw: false }, cfg.activation, at);
      }
      case 'Conv2D': {
        if (cfg.dataFormat === 'channelsFirst') throw new Unsupported(`${at}: channels-first data`);
        x = this.toNchw(x);
        const [kh, kw, cin, cout] = weights[0].shape;
        const kernel = transposeKernel(weights[0].data, kh, kw, cin, cout);
        const dil = pair(cfg.dilationRate ?? 1);
        const geo = window(x.shape, pair(cfg.kernelSize), pair(cfg.strides ?? 1), cfg.padding, dil, at);
        const inputs = [x.name, this.constant([cout, cin, kh, kw], kernel)];
        if (cfg.useBias !== false && weights[1]) inputs.push(this.constant([cout], weights[1].data));
        const y = this.op('Conv', inputs, { kernel_shape: [kh, kw], strides: geo.strides, pads: geo.pads, dilations: dil, group: 1 });
        return this.activation({ name: y, shape: out, nchw: true }, cfg.activation, at);
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        if (cfg.dataFormat === 'channelsFirst') throw new Unsupported(`${at}: channels-first data`);
        x = this.toNchw(x);
        const size = pair(cfg.poolSize ?? 2);
        const geo = window(x.shape, size, pair(cfg.strides ?? size), cfg.padding, [1, 1], at);
        // TF averages over the valid (unpadded) cells only: count_include_pad = 0.
        const attrs: Record<string, OnnxAttr> = { kernel_shape: size, strides: geo.strides, pads: geo.pads };
        if (cls === 'AveragePooling2D') attrs.count_include_pad = 0;
        return { name: this.op(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [x.name], attrs), shape: out, nchw: true };
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
      case 'GlobalAveragePooling1D':
      case 'GlobalMaxPooling1D': {
        if (cfg.dataFormat === 'channelsFirst') throw new Unsupported(`${at}: channels-first data`);
        const axes = x.nchw ? [2, 3] : x.shape.length === 3 ? [1, 2] : [1];
        const op = cls.startsWith('GlobalAverage') ? 'ReduceMean' : 'ReduceMax';
        return { name: this.op(op, [x.name], { axes, keepdims: 0 }), shape: out, nchw: false };
      }
      case 'Flatten': {
        x = this.toNhwc(x);
        return { name: this.op('Flatten', [x.name], { axis: 1 }), shape: out, nchw: false };
      }
      case 'Reshape': {
        x = this.toNhwc(x);
        return { name: this.op('Reshape', [x.name, this.constant([out.length + 1], { int64: [-1, ...out] })]), shape: out, nchw: false };
      }
      case 'Dropout':
      case 'SpatialDropout1D':
      case 'SpatialDropout2D':
      case 'GaussianNoise':
      case 'GaussianDropout':
      case 'AlphaDropout':
        return { ...x, shape: out }; // identity at inference
      case 'Activation':
        return this.activation(x, cfg.activation, at);
      case 'ReLU': {
        if (cfg.maxValue !== null && cfg.maxValue !== undefined) return this.clip(x, 0, Number(cfg.maxValue));
        return { ...x, name: this.op('Relu', [x.name]) };
      }
      case 'LeakyReLU':
        return { ...x, name: this.op('LeakyRelu', [x.name], { alpha: { float: Number(cfg.alpha ?? 0.3) } }) };
      case 'ELU':
        return { ...x, name: this.op('Elu', [x.name], { alpha: { float: Number(cfg.alpha ?? 1) } }) };
      case 'Softmax': {
        const axis = Number(cfg.axis ?? -1);
        if (axis !== -1 && axis !== x.shape.length) throw new Unsupported(`${at}: softmax over axis ${axis}`);
        return this.activation(x, 'softmax', at);
      }
      case 'BatchNormalization':
        return this.batchNorm(x, cfg, weights, at);
      case 'Embedding': {
        if (cfg.maskZero === true) throw new Unsupported(`${at}: maskZero (masks are not converted)`);
        x = this.toNhwc(x);
        const idx = this.op('Cast', [x.name], { to: 7 }); // float → int64 truncates, as tfjs's cast to int32 does
        return { name: this.op('Gather', [this.constant(weights[0].shape, weights[0].data), idx], { axis: 0 }), shape: out, nchw: false };
      }
      default:
        throw new Unsupported(`${at} is not among the convertible layers`);
    }
  }

  private clip(x: State, min: number, max: number): State {
    const lo = this.constant([], Float32Array.of(min));
    const hi = this.constant([], Float32Array.of(max));
    return { ...x, name: this.op('Clip', [x.name, lo, hi]) };
  }

  /** tfjs activation names (as in layer configs) → ONNX ops. */
  activation(x: State, name: unknown, at: string): State {
    const act = typeof name === 'string' ? name : name === null || name === undefined ? 'linear' : JSON.stringify(name);
    const unary: Record<string, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', elu: 'Elu', selu: 'Selu', softplus: 'Softplus', softsign: 'Softsign', exponential: 'Exp' };
    if (act === 'linear') return x;
    if (unary[act]) return { ...x, name: this.op(unary[act], [x.name]) };
    if (act === 'relu6') return this.clip(x, 0, 6);
    if (act === 'hardSigmoid' || act === 'hard_sigmoid') return { ...x, name: this.op('HardSigmoid', [x.name], { alpha: { float: 0.2 }, beta: { float: 0.5 } }) };
    if (act === 'swish') return { ...x, name: this.op('Mul', [x.name, this.op('Sigmoid', [x.name])]) };
    if (act === 'softmax') {
      x = this.toNhwc(x);
      return { ...x, name: this.op('Softmax', [x.name], { axis: -1 }) };
    }
    throw new Unsupported(`${at}: activation "${act}" is not converted`);
  }

  /** Inference batch-norm folded to one scale and shift per channel: y = x·s + b. */
  private batchNorm(x: State, cfg: Config, weights: { shape: number[]; data: Float32Array }[], at: string): State {
    const rank = x.shape.length + 1;
    const axis = Number(Array.isArray(cfg.axis) ? (cfg.axis.length === 1 ? cfg.axis[0] : NaN) : (cfg.axis ?? -1));
    if (axis !== -1 && axis !== rank - 1) throw new Unsupported(`${at}: normalisation over axis ${String(cfg.axis)} (only the channel axis, last)`);
    const ws = [...weights];
    const gamma = cfg.scale !== false ? ws.shift()!.data : null;
    const beta = cfg.center !== false ? ws.shift()!.data : null;
    const [mean, variance] = [ws[0].data, ws[1].data];
    const eps = Number(cfg.epsilon ?? 1e-3);
    const c = mean.length;
    const s = new Float32Array(c);
    const b = new Float32Array(c);
    for (let i = 0; i < c; i++) {
      s[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
      b[i] = (beta ? beta[i] : 0) - mean[i] * s[i];
    }
    const dims = x.nchw ? [c, 1, 1] : [c];
    const y = this.op('Add', [this.op('Mul', [x.name, this.constant(dims, s)]), this.constant(dims, b)]);
    return { ...x, name: y };
  }
}

function pair(v: unknown): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[v.length > 1 ? 1 : 0])];
  return [Number(v), Number(v)];
}

/** Strides and explicit pads [top, left, bottom, right]; TF "same" puts the odd pixel at the end. */
function window(shape: number[], kernel: [number, number], strides: [number, number], padding: unknown, dil: [number, number], at: string): { strides: number[]; pads: number[] } {
  if (padding === 'valid') return { strides, pads: [0, 0, 0, 0] };
  if (padding !== 'same') throw new Unsupported(`${at}: padding "${String(padding)}"`);
  const pads = [0, 0, 0, 0];
  for (let d = 0; d < 2; d++) {
    const size = shape[d];
    const eff = (kernel[d] - 1) * dil[d] + 1;
    const outSize = Math.ceil(size / strides[d]);
    const total = Math.max((outSize - 1) * strides[d] + eff - size, 0);
    pads[d] = Math.floor(total / 2);
    pads[d + 2] = total - pads[d];
  }
  return { strides, pads };
}

/** tfjs conv kernel [kh, kw, in, out] → ONNX [out, in, kh, kw]. */
function transposeKernel(w: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + h) * kw + x] = w[((h * kw + x) * cin + i) * cout + o];
  return out;
}

/**
 * Seeded verification rows for a model: uniform [0, 1) values, or valid indices when the first
 * layer is an embedding (so the check exercises the lookup, not out-of-range behaviour).
 */
export function verificationRows(model: TF.LayersModel, rows: number, rowSize: number, seed = 9): Float32Array {
  const rand = mulberry32(seed);
  const first = model.layers.find((l) => l.getClassName() !== 'InputLayer');
  const vocab = first?.getClassName() === 'Embedding' ? Number((first.getConfig() as Config).inputDim) : 0;
  return Float32Array.from({ length: rows * rowSize }, () => (vocab ? Math.floor(rand() * vocab) : rand()));
}

/** Largest absolute difference between two equally long arrays (Infinity on a length mismatch or NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/**
 * How uint8 codes become the values a model sees, as graph nodes: Cast to float, then an affine map
 * in float32 (Mul by `scale` or Div by its reciprocal, then Add `offset`; either may be absent). Only used when these float32
 * operations reproduce the loader's 256 values bit for bit (decodeCodes checks that on onnxruntime
 * itself) — a Gather from the table would be exact too, but costs more than converting in JavaScript.
 */
export interface CodeDecoding {
  /** Multiply by scale — or, with `divide`, divide by it (1/255 is not a float32, 255 is). */
  scale: number | null;
  divide?: boolean;
  offset: number | null;
}

/** The nodes and initializers that turn input `codes` (uint8) into `output` (float). */
export function decodingNodes(dec: CodeDecoding, output: string): { nodes: OnnxNode[]; initializers: OnnxTensor[] } {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let x = 'codes_f32';
  nodes.push({ op: 'Cast', inputs: ['codes'], outputs: [x], attrs: { to: 1 } });
  if (dec.scale !== null) {
    initializers.push({ name: 'codes_scale', dims: [], data: Float32Array.of(dec.scale) });
    nodes.push({ op: dec.divide ? 'Div' : 'Mul', inputs: [x, 'codes_scale'], outputs: ['codes_scaled'] });
    x = 'codes_scaled';
  }
  if (dec.offset !== null) {
    initializers.push({ name: 'codes_offset', dims: [], data: Float32Array.of(dec.offset) });
    nodes.push({ op: 'Add', inputs: [x, 'codes_offset'], outputs: ['codes_shifted'] });
    x = 'codes_shifted';
  }
  nodes.push({ op: 'Identity', inputs: [x], outputs: [output] });
  return { nodes, initializers };
}

/**
 * `graph` with its float input replaced by uint8 codes decoded by `dec`. When the graph opens with
 * a Transpose of its input (NHWC → NCHW for convolutions), the codes are transposed first and
 * decoded after it: the decoding is element-wise, so the values are the same, and onnxruntime keeps
 * the layout it chooses for the convolution (decoding in front of the Transpose measured ~20 % slower).
 */
export function codeFedGraph(graph: OnnxGraph, dec: CodeDecoding): OnnxGraph {
  const input = graph.inputs[0];
  const first = graph.nodes[0];
  const leadingTranspose = first?.op === 'Transpose' && first.inputs[0] === input.name && graph.nodes.slice(1).every((n) => !n.inputs.includes(input.name));
  if (leadingTranspose) {
    const prefix = decodingNodes(dec, first.outputs[0]);
    const transposed = { ...first, inputs: ['codes'], outputs: ['codes_transposed'] };
    const decode = prefix.nodes.map((n) => (n.inputs[0] === 'codes' ? { ...n, inputs: ['codes_transposed'] } : n));
    return {
      ...graph,
      nodes: [transposed, ...decode, ...graph.nodes.slice(1)],
      initializers: [...prefix.initializers, ...graph.initializers],
      inputs: [{ name: 'codes', dims: input.dims, type: 'uint8' }, ...graph.inputs.slice(1)],
    };
  }
  const prefix = decodingNodes(dec, input.name);
  return {
    ...graph,
    nodes: [...prefix.nodes, ...graph.nodes],
    initializers: [...prefix.initializers, ...graph.initializers],
    inputs: [{ name: 'codes', dims: input.dims, type: 'uint8' }, ...graph.inputs.slice(1)],
  };
}
