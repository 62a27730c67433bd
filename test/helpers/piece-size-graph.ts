import type { OnnxGraph } from '../../src/score/onnx-encode.ts';

/**
 * A graph that shows how a batch was cut into onnxruntime calls: y[r][j] = x[r][0] + the number of
 * records in the call that scored record r, for records of `width` values and `k` outputs. With
 * `codes`, its input is uint8 (cast to float inside), as a graph fed stored codes.
 */
export function pieceSizeGraph(width: number, k: number, codes = false): OnnxGraph {
  const x = codes ? 'codes' : 'x';
  return {
    name: 'piece-size',
    nodes: [
      ...(codes ? [{ op: 'Cast', inputs: ['codes'], outputs: ['x'], attrs: { to: 1 } }] : []),
      { op: 'Shape', inputs: [x], outputs: ['shape'] },
      { op: 'Gather', inputs: ['shape', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
      { op: 'Cast', inputs: ['n'], outputs: ['nf'], attrs: { to: 1 } },
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'nf'], outputs: ['y'] },
    ],
    initializers: [
      { name: 'zero', dims: [], data: { int64: [0] } },
      { name: 'w', dims: [width, k], data: Float32Array.from({ length: width * k }, (_, i) => (i < k ? 1 : 0)) },
    ],
    inputs: [{ name: x, dims: ['batch', width], ...(codes ? { type: 'uint8' as const } : {}) }],
    outputs: [{ name: 'y', dims: ['batch', k] }],
  };
}
