/**
 * ONNX export: a model is traced once (the same Graph IR the compiler uses) and each recorded op
 * becomes ONNX nodes of opset 13. Weights keep their stateDict names ('features.0.weight') so
 * that the file reads like PyTorch's export of the same network.
 */
import { describeValue, rangeError, typeError } from '../../errors.js';
import { Tensor, resolveShape } from '../../tensor.js';
import { traceGraph, type Graph, type GraphNode } from '../../session/trace.js';
import { writeFileAtomic } from '../safetensors.js';
import { encodeModel, type OnnxInitializer, type OnnxNode } from './builder.js';
import type { Forwardable } from '../../session/inference-session.js';

export interface OnnxExportOptions {
  /** The shape to trace with, batch included, e.g. [1, 3, 224, 224]. */
  inputShape: readonly number[];
  /** Only 13 is written (what torchvision-era tools and onnxruntime run everywhere). */
  opset?: 13;
  /** Write the batch dim as symbolic ('batch') so that any batch size runs (default true). */
  dynamicBatch?: boolean;
  inputName?: string;
  outputName?: string;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Finds the axis that splits `shape` into [outer, dim, inner]. */
function axisOf(shape: readonly number[], outer: number, dim: number, what: string): number {
  for (let a = 0; a < shape.length; a++) if (size(shape.slice(0, a)) === outer && shape[a] === dim) return a;
  throw new RangeError(`onnx export: ${what}: no axis of [${shape.join(', ')}] has ${outer} elements before it and size ${dim}`);
}

class Writer {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly names = new Map<number, string>();
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(private readonly graph: Graph, private readonly constNames: Map<Float32Array, string>, private readonly dynamic: boolean) {}

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** A float initializer written once. */
  constant(dims: number[], data: Float32Array, base: string): string {
    const name = this.unique(base);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** The int64 tensor PyTorch writes for shapes and axes; the builder writes floats only. */
  ints(values: number[], base: string): string {
    const name = this.unique(base);
    this.nodes.push({ opType: 'Constant', inputs: [], outputs: [name], name: `${name}_const`, attributes: { value_ints: { ints: values } } });
    return name;
  }

  nameOf(v: number, hint: string): string {
    const known = this.names.get(v);
    if (known) return known;
    const value = this.graph.values[v];
    let name: string;
    if (value.kind === 'const') name = this.constant([...value.shape], value.data!, this.constNames.get(value.data!) ?? `const_${v}`);
    else name = this.unique(hint);
    this.names.set(v, name);
    return name;
  }

  setName(v: number, name: string): void {
    this.names.set(v, name);
    this.used.add(name);
  }

  temp(base: string): string {
    return this.unique(`${base}_${this.counter++}`);
  }

  add(opType: string, inputs: string[], outputs: string[], attributes: OnnxNode['attributes'] = {}): void {
    this.nodes.push({ opType, inputs, outputs, name: `${opType}_${this.nodes.length}`, attributes });
  }

  /** A Reshape target: dim 0 copied (0) when it is the batch, so a dynamic batch still works. */
  reshapeTarget(inShape: readonly number[], outShape: readonly number[]): number[] {
    const t = [...outShape];
    if (this.dynamic && inShape[0] === outShape[0]) t[0] = 0;
    return t;
  }
}

function emit(w: Writer, g: Graph, n: GraphNode, i: number): void {
  const a = n.attrs as Record<string, number & boolean & number[]>;
  const ins = n.inputs.map((v, k) => (v >= 0 ? w.nameOf(v, `${n.op}_${i}_in${k}`) : ''));
  const out = w.nameOf(n.output, `${n.op}_${i}`);
  const shapeOf = (v: number): number[] => g.values[v].shape;
  switch (n.op) {
    case 'conv2d':
      w.add('Conv', ins.filter((s) => s !== ''), [out], {
        kernel_shape: { ints: [a.kh, a.kw] },
        strides: { ints: [a.strideH, a.strideW] },
        pads: { ints: [a.padTop, a.padLeft, a.padBottom, a.padRight] },
        dilations: { ints: [a.dilationH, a.dilationW] },
        group: { int: a.groups },
      });
      return;
    case 'maxPool2d':
    case 'avgPool2d': {
      const attributes: OnnxNode['attributes'] = {
        kernel_shape: { ints: [a.kh, a.kw] },
        strides: { ints: [a.strideH, a.strideW] },
        pads: { ints: [a.padH, a.padW, a.padH, a.padW] },
        ceil_mode: { int: a.ceilMode ? 1 : 0 },
      };
      if (n.op === 'maxPool2d') {
        w.add('MaxPool', [ins[0]], [out], { ...attributes, dilations: { ints: [a.dilationH, a.dilationW] } });
        return;
      }
      if (a.divisorOverride) throw new RangeError(`onnx export: node ${i} (avgPool2d): divisorOverride: expected none (ONNX has no equivalent), got ${a.divisorOverride}`);
      w.add('AveragePool', [ins[0]], [out], { ...attributes, count_include_pad: { int: a.countIncludePad ? 1 : 0 } });
      return;
    }
    case 'adaptiveAvgPool2d':
    case 'adaptiveMaxPool2d':
    case 'globalAvgPool2d':
    case 'globalMaxPool2d': {
      const { c, h, w: width, outH, outW } = a;
      const isMax = a.max === true;
      if (outH === 1 && outW === 1) {
        w.add(isMax ? 'GlobalMaxPool' : 'GlobalAveragePool', [ins[0]], [out]);
        return;
      }
      if (h % outH === 0 && width % outW === 0) {
        const k = [h / outH, width / outW];
        w.add(isMax ? 'MaxPool' : 'AveragePool', [ins[0]], [out], { kernel_shape: { ints: k }, strides: { ints: k } });
        return;
      }
      if (isMax) throw new RangeError(`onnx export: node ${i} (${n.op}): expected an output size dividing the input ${h}x${width}, got ${outH}x${outW}`);
      // Uneven windows: the pooling is linear, so it is a MatMul by a constant [H*W, outH*outW] matrix.
      const m = new Float32Array(h * width * outH * outW);
      for (let oy = 0; oy < outH; oy++) {
        const y0 = Math.floor((oy * h) / outH);
        const y1 = Math.ceil(((oy + 1) * h) / outH);
        for (let ox = 0; ox < outW; ox++) {
          const x0 = Math.floor((ox * width) / outW);
          const x1 = Math.ceil(((ox + 1) * width) / outW);
          const weight = 1 / ((y1 - y0) * (x1 - x0));
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[(y * width + x) * outH * outW + oy * outW + ox] = weight;
        }
      }
      const flat = w.temp(`${n.op}_${i}_flat`);
      const pooled = w.temp(`${n.op}_${i}_pooled`);
      w.add('Reshape', [ins[0], w.ints([-1, h * width], 'pool_rows')], [flat]);
      w.add('MatMul', [flat, w.constant([h * width, outH * outW], m, `${n.op}_${i}_matrix`)], [pooled]);
      w.add('Reshape', [pooled, w.ints([-1, c, outH, outW], 'pool_shape')], [out]);
      return;
    }
    case 'linear': {
      const xShape = shapeOf(n.inputs[0]);
      if (xShape.length === 2) {
        w.add('Gemm', ins.filter((s) => s !== ''), [out], { transB: { int: 1 } });
        return;
      }
      const wv = g.values[n.inputs[1]];
      if (wv.kind !== 'const') throw new RangeError(`onnx export: node ${i} (linear): weight: expected a constant for a ${xShape.length}-D input, got a computed tensor`);
      const [o, k] = wv.shape;
      const t = new Float32Array(o * k);
      for (let r = 0; r < o; r++) for (let cc = 0; cc < k; cc++) t[cc * o + r] = wv.data![r * k + cc];
      const product = ins[2] ? w.temp(`linear_${i}_mm`) : out;
      w.add('MatMul', [ins[0], w.constant([k, o], t, `${ins[1]}_t`)], [product]);
      if (ins[2]) w.add('Add', [product, ins[2]], [out]);
      return;
    }
    case 'matmul':
      w.add('MatMul', ins, [out]);
      return;
    case 'relu':
      w.add('Relu', ins, [out]);
      return;
    case 'relu6':
      w.add('Clip', [ins[0], w.constant([], new Float32Array([0]), 'relu6_min'), w.constant([], new Float32Array([6]), 'relu6_max')], [out]);
      return;
    case 'leakyRelu':
      w.add('LeakyRelu', ins, [out], { alpha: { float: (n.attrs.negativeSlope as number | undefined) ?? 0.01 } });
      return;
    case 'sigmoid':
      w.add('Sigmoid', ins, [out]);
      return;
    case 'tanh':
      w.add('Tanh', ins, [out]);
      return;
    case 'softmax':
    case 'logSoftmax':
      w.add(n.op === 'softmax' ? 'Softmax' : 'LogSoftmax', ins, [out], { axis: { int: axisOf(shapeOf(n.inputs[0]), a.outer, a.dim, n.op) } });
      return;
    case 'lrn':
      // ONNX centres an even window differently from PyTorch (and onnxruntime refuses even sizes).
      if ((a.size as number) % 2 === 0) throw rangeError('onnx.save', 'model', 'LRN with an odd size (ONNX and PyTorch agree only then)', `size ${a.size}`);
      w.add('LRN', ins, [out], { size: { int: a.size }, alpha: { float: a.alpha }, beta: { float: a.beta }, bias: { float: a.k } });
      return;
    case 'batchNorm2d': {
      const c = a.c;
      const [x, gamma, beta, mean, variance] = ins;
      const scale = gamma || w.constant([c], new Float32Array(c).fill(1), `bn_${i}_scale`);
      const shift = beta || w.constant([c], new Float32Array(c), `bn_${i}_bias`);
      w.add('BatchNormalization', [x, scale, shift, mean, variance], [out], { epsilon: { float: a.eps } });
      return;
    }
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      w.add(n.op[0].toUpperCase() + n.op.slice(1), ins, [out]);
      return;
    case 'concat': {
      const outShape = shapeOf(n.output);
      const total = (n.attrs.sizes as number[]).reduce((s, v) => s + v, 0);
      w.add('Concat', ins, [out], { axis: { int: axisOf(outShape, a.outer, total, 'concat') } });
      return;
    }
    case 'reshape':
      w.add('Reshape', [ins[0], w.ints(w.reshapeTarget(shapeOf(n.inputs[0]), shapeOf(n.output)), `${out}_shape`)], [out]);
      return;
    default:
      throw new RangeError(`onnx export: node ${i} (${n.op}): no ONNX mapping for this op (in eval mode)`);
  }
}

/**
 * Traces `model` on `options.inputShape` and returns ONNX (opset 13) bytes.
 * @example const bytes = cn.onnx.toBytes(cn.models.resnet18(), { inputShape: [1, 3, 224, 224] });
 */
export function toBytes(model: Forwardable, options: OnnxExportOptions): Uint8Array {
  const op = 'onnx.save';
  if (!options || typeof options !== 'object') throw typeError(op, 'options', '{ inputShape, opset?, dynamicBatch? }', describeValue(options));
  if (options.opset !== undefined && options.opset !== 13) throw rangeError(op, 'options.opset', '13', describeValue(options.opset));
  const inputShape = resolveShape(op, (options.inputShape ?? []) as unknown[]);
  if (inputShape.length === 0 || inputShape.some((d) => d < 1)) throw rangeError(op, 'options.inputShape', 'positive dims such as [1, 3, 224, 224]', describeValue(options.inputShape));
  const dynamic = options.dynamicBatch ?? true;
  let forward: (x: Tensor) => Tensor;
  const constNames = new Map<Float32Array, string>();
  if (typeof model === 'function') forward = model;
  else if (model && typeof model === 'object' && typeof model.forward === 'function') {
    const m = model as Forwardable & { stateDict?: () => Record<string, Tensor> };
    if (typeof m.stateDict === 'function') for (const [k, t] of Object.entries(m.stateDict())) if (!constNames.has(t.data)) constNames.set(t.data, k);
    forward = (x) => {
      const wasTraining = model.training === true;
      if (wasTraining && model.train) model.train(false);
      try {
        return model.forward(x);
      } finally {
        if (wasTraining && model.train) model.train(true);
      }
    };
  } else throw typeError(op, 'model', 'a cn.nn.Module or a function (x) => Tensor', describeValue(model));

  const probe = new Tensor(new Float32Array(size(inputShape)).map((_, i) => Math.sin(i)), inputShape);
  const graph = traceGraph(forward, probe);
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  const w = new Writer(graph, constNames, dynamic);
  w.setName(graph.input, inputName);
  if (graph.output === graph.input) throw rangeError(op, 'model', 'a model that computes something', 'one returning its input');
  w.setName(graph.output, outputName);
  graph.nodes.forEach((n, i) => emit(w, graph, n, i));
  const outShape = graph.values[graph.output].shape;
  const batchDims = (s: readonly number[]): (number | string)[] => (dynamic && s[0] === inputShape[0] ? ['batch', ...s.slice(1)] : [...s]);
  return encodeModel({
    nodes: w.nodes,
    inputs: [{ name: inputName, dims: batchDims(inputShape) }],
    outputs: [{ name: outputName, dims: batchDims(outShape) }],
    initializers: w.initializers,
    graphName: 'convnode',
    opset: 13,
  });
}

/**
 * Writes `model` as an ONNX file (opset 13, named initializers, dynamic batch by default).
 * @example cn.onnx.save(cn.models.resnet18(), 'resnet18.onnx', { inputShape: [1, 3, 224, 224] });
 */
export function save(model: Forwardable, file: string, options: OnnxExportOptions): void {
  writeFileAtomic(file, toBytes(model, options), 'onnx.save');
}
