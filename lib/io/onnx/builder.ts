/**
 * A small ONNX model writer: nodes, float initializers and value infos in, ModelProto bytes
 * out. Just what a graph of dense float32 tensors needs; the later ONNX export reuses it.
 */
import * as os from 'node:os';
import { onnx, type OnnxNamespace } from './proto.js';

/** The opset the writer targets: what the anchors' exports used, and what ORT 1.30 runs. */
export const DEFAULT_OPSET = 13;
/** IR version 7 is the one paired with opset 13 (ONNX 1.8). */
export const DEFAULT_IR_VERSION = 7;

/** One attribute value, tagged by ONNX type so that 1 (INT) and 1.0 (FLOAT) never get confused. */
export type OnnxAttribute =
  | { int: number }
  | { ints: readonly number[] }
  | { float: number }
  | { floats: readonly number[] }
  | { string: string };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  attributes?: Record<string, OnnxAttribute>;
}

/** A graph input or output: name and dims (a string dim is symbolic, e.g. 'batch'). */
export interface OnnxValue {
  name: string;
  dims: readonly (number | string)[];
}

/** A float32 initializer (weights). */
export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

export interface OnnxModelSpec {
  nodes: readonly OnnxNode[];
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
  initializers?: readonly OnnxInitializer[];
  graphName?: string;
  opset?: number;
}

function attribute(name: string, value: OnnxAttribute): OnnxNamespace.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in value) return { name, type: T.INT, i: value.int };
  if ('ints' in value) return { name, type: T.INTS, ints: [...value.ints] };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: T.FLOATS, floats: [...value.floats] };
  return { name, type: T.STRING, s: new TextEncoder().encode(value.string) };
}

function valueInfo(v: OnnxValue): OnnxNamespace.IValueInfoProto {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: v.dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** raw_data is little-endian by the ONNX spec; a Float32Array's bytes are in host order. */
function floatTensor(t: OnnxInitializer): OnnxNamespace.ITensorProto {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (expected !== t.data.length) {
    throw new RangeError(`onnx writer: initializer ${t.name}: expected ${expected} values for dims [${t.dims.join(', ')}], got ${t.data.length}`);
  }
  if (os.endianness() !== 'LE') throw new Error('onnx writer: big-endian hosts are not supported (raw_data is little-endian)');
  return {
    name: t.name,
    dims: [...t.dims],
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  };
}

/**
 * Serializes a model to ONNX bytes, ready for onnxruntime's InferenceSession.create(bytes).
 * @example
 * const bytes = encodeModel({
 *   nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
 *   inputs: [{ name: 'x', dims: ['batch', 4] }], outputs: [{ name: 'y', dims: ['batch', 4] }],
 * });
 */
export function encodeModel(spec: OnnxModelSpec): Uint8Array {
  const model: OnnxNamespace.IModelProto = {
    irVersion: DEFAULT_IR_VERSION,
    producerName: 'convnode',
    opsetImport: [{ domain: '', version: spec.opset ?? DEFAULT_OPSET }],
    graph: {
      name: spec.graphName ?? 'convnode',
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `${n.opType}_${i}`,
        opType: n.opType,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.initializers ?? []).map(floatTensor),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Parses ONNX bytes (for tests and the later importer). */
export function decodeModel(bytes: Uint8Array): OnnxNamespace.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
