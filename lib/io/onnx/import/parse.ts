/**
 * ONNX parsing: ModelProto bytes (or a file, with its external data files) into plain JS values
 * the importer works on. Everything a file can get wrong (truncation, bad protobuf, missing
 * graph, unreadable external data, dtypes we cannot hold) surfaces here as an Error naming the
 * source; nothing is left to crash later.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { onnx, type OnnxNamespace } from '../proto.js';

/** A constant tensor: float32 data for weights, plain numbers for int64/int32 shape tensors. */
export interface ConstTensor {
  dtype: 'float32' | 'int64';
  dims: number[];
  data: Float32Array | number[];
}

export type AttrValue = number | string | number[] | string[] | ConstTensor;

export interface ParsedNode {
  /** The node's name, or `OpType#index` when the file left it empty. */
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

/** A graph input or output: dims are numbers, or a string for a symbolic (dynamic) dim. */
export interface ValueMeta {
  name: string;
  elemType: string;
  dims: (number | string)[];
}

export interface ParsedModel {
  /** Version of the default ('' / 'ai.onnx') opset. */
  opset: number;
  nodes: ParsedNode[];
  initializers: Map<string, ConstTensor>;
  /** Graph inputs that are not initializers (what the caller feeds). */
  inputs: ValueMeta[];
  outputs: ValueMeta[];
  /** Initializers and attributes whose dtype we cannot hold: reported with the other problems. */
  dtypeProblems: string[];
}

type Long = { toNumber(): number };
const num = (v: number | Long | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

const DT = onnx.TensorProto.DataType;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const dtypeName = (t: number): string => (DT[t] as string | undefined) ?? `dtype ${t}`;

/**
 * The external-data file read last: a model's initializers usually all live in one file, which
 * would otherwise be read once per initializer. Revalidated by size and mtime on each use.
 */
let lastExternal: { file: string; size: number; mtimeMs: number; bytes: Buffer } | null = null;

function readExternalFile(file: string): Buffer {
  const stat = statSync(file);
  if (lastExternal && lastExternal.file === file && lastExternal.size === stat.size && lastExternal.mtimeMs === stat.mtimeMs) {
    return lastExternal.bytes;
  }
  const bytes = readFileSync(file);
  lastExternal = { file, size: stat.size, mtimeMs: stat.mtimeMs, bytes };
  return bytes;
}

function readExternal(tensor: OnnxNamespace.ITensorProto, where: string, baseDir: string | undefined): Uint8Array {
  const entries = new Map((tensor.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new Error(`${where}: external data without a location`);
  if (baseDir === undefined) {
    throw new Error(`${where}: expected a model path (or options.baseDir) to find external data "${location}", got bytes`);
  }
  const file = path.resolve(baseDir, location);
  if (path.isAbsolute(location) || !file.startsWith(path.resolve(baseDir) + path.sep)) {
    throw new Error(`${where}: expected an external data location inside the model's folder, got "${location}"`);
  }
  let bytes: Buffer;
  try {
    bytes = readExternalFile(file);
  } catch (e) {
    throw new Error(`${where}: cannot read external data file ${file}: ${(e as Error).message}`);
  }
  const offset = Number(entries.get('offset') ?? 0);
  const length = entries.has('length') ? Number(entries.get('length')) : bytes.length - offset;
  if (!(offset >= 0) || !(length >= 0) || offset + length > bytes.length) {
    throw new Error(`${where}: external data range [${offset}, ${offset + length}) outside ${file} (${bytes.length} bytes)`);
  }
  return bytes.subarray(offset, offset + length);
}

/** Decodes one TensorProto (initializer or Constant value). */
export function decodeTensor(tensor: OnnxNamespace.ITensorProto, where: string, baseDir?: string): ConstTensor {
  const dims = (tensor.dims ?? []).map(num);
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${where}: expected non-negative dims, got [${dims.join(', ')}]`);
  const type = tensor.dataType ?? 0;
  let raw: Uint8Array | null = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : null;
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) raw = readExternal(tensor, where, baseDir);
  const checkCount = (got: number): void => {
    if (got !== count) throw new Error(`${where}: expected ${count} values for dims [${dims.join(', ')}], got ${got}`);
  };
  // raw_data is little-endian; DataView reads it whatever the buffer's alignment.
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  switch (type) {
    case DT.FLOAT: {
      if (view) {
        checkCount(raw!.byteLength / 4);
        // On little-endian hosts the bytes are already the floats: one copy into an aligned buffer.
        if (LITTLE_ENDIAN) return { dtype: 'float32', dims, data: new Float32Array(Uint8Array.prototype.slice.call(raw!).buffer) };
        const out = new Float32Array(count);
        for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
        return { dtype: 'float32', dims, data: out };
      }
      checkCount(tensor.floatData?.length ?? 0);
      return { dtype: 'float32', dims, data: Float32Array.from(tensor.floatData ?? []) };
    }
    case DT.DOUBLE: {
      if (view) {
        checkCount(raw!.byteLength / 8);
        return { dtype: 'float32', dims, data: Float32Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true)) };
      }
      checkCount(tensor.doubleData?.length ?? 0);
      return { dtype: 'float32', dims, data: Float32Array.from(tensor.doubleData ?? []) };
    }
    case DT.INT64: {
      if (view) {
        checkCount(raw!.byteLength / 8);
        return { dtype: 'int64', dims, data: Array.from({ length: count }, (_, i) => Number(view.getBigInt64(i * 8, true))) };
      }
      checkCount(tensor.int64Data?.length ?? 0);
      return { dtype: 'int64', dims, data: (tensor.int64Data ?? []).map(num) };
    }
    case DT.INT32: {
      if (view) {
        checkCount(raw!.byteLength / 4);
        return { dtype: 'int64', dims, data: Array.from({ length: count }, (_, i) => view.getInt32(i * 4, true)) };
      }
      checkCount(tensor.int32Data?.length ?? 0);
      return { dtype: 'int64', dims, data: [...(tensor.int32Data ?? [])] };
    }
    default:
      throw new Error(`${where}: unsupported dtype ${dtypeName(type)} (expected FLOAT, DOUBLE, INT64 or INT32)`);
  }
}

function decodeAttr(a: OnnxNamespace.IAttributeProto, where: string, baseDir?: string): AttrValue {
  const T = onnx.AttributeProto.AttributeType;
  const text = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(b ?? new Uint8Array(0));
  switch (a.type) {
    case T.INT:
      return num(a.i);
    case T.FLOAT:
      return a.f ?? 0;
    case T.INTS:
      return (a.ints ?? []).map(num);
    case T.FLOATS:
      return [...(a.floats ?? [])];
    case T.STRING:
      return text(a.s);
    case T.STRINGS:
      return (a.strings ?? []).map(text);
    case T.TENSOR:
      return decodeTensor(a.t ?? {}, where, baseDir);
    default:
      throw new Error(`${where}: unsupported attribute type ${T[a.type ?? 0] ?? a.type}`);
  }
}

function valueMeta(v: OnnxNamespace.IValueInfoProto): ValueMeta {
  const t = v.type?.tensorType;
  return {
    name: v.name ?? '',
    elemType: t ? dtypeName(t.elemType ?? 0) : 'not a tensor',
    dims: (t?.shape?.dim ?? []).map((d, i) => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined && num(d.dimValue) > 0 ? num(d.dimValue) : `d${i}`)),
  };
}

/**
 * Parses ONNX bytes. `source` names the model in messages; `baseDir` is where relative external
 * data locations are resolved (the model file's folder).
 * @example const model = parseModel(readFileSync('m.onnx'), 'm.onnx', '.');
 */
export function parseModel(bytes: Uint8Array, source: string, baseDir?: string): ParsedModel {
  const op = `onnx: ${source}`;
  let proto: OnnxNamespace.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${op}: expected an ONNX model (ModelProto), got ${bytes.length} bytes that do not decode (${(e as Error).message}); the file is truncated or not ONNX`);
  }
  const graph = proto.graph;
  if (!graph || (graph.node ?? []).length === 0) throw new Error(`${op}: expected a model with a graph of nodes, got none (is this an ONNX file?)`);
  const opsetEntry = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = opsetEntry ? num(opsetEntry.version) : 0;
  if (opset < 1) throw new Error(`${op}: expected an opset_import for the default domain, got none`);

  const dtypeProblems: string[] = [];
  const initializers = new Map<string, ConstTensor>();
  for (const t of graph.initializer ?? []) {
    try {
      initializers.set(t.name ?? '', decodeTensor(t, `initializer ${t.name}`, baseDir));
    } catch (e) {
      dtypeProblems.push((e as Error).message);
    }
  }
  const nodes: ParsedNode[] = (graph.node ?? []).map((n, i) => {
    const name = n.name || `${n.opType}#${i}`;
    const attrs = new Map<string, AttrValue>();
    for (const a of n.attribute ?? []) {
      try {
        attrs.set(a.name ?? '', decodeAttr(a, `node ${name} (${n.opType}): attribute ${a.name}`, baseDir));
      } catch (e) {
        dtypeProblems.push((e as Error).message);
      }
    }
    return { name, opType: n.opType ?? '', domain: n.domain ?? '', inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs };
  });
  return {
    opset,
    nodes,
    initializers,
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(valueMeta),
    outputs: (graph.output ?? []).map(valueMeta),
    dtypeProblems,
  };
}

/** Reads and parses a model file (external data resolved next to it). */
export function readModelFile(file: string): ParsedModel {
  let bytes: Buffer;
  try {
    bytes = readExternalFile(file);
  } catch (e) {
    throw new Error(`onnx: cannot read model file ${file}: ${(e as Error).message}`);
  }
  return parseModel(bytes, file, path.dirname(path.resolve(file)));
}
