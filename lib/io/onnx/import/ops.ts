/**
 * ONNX operators lowered to convnode's eager ops. The importer runs these once per input shape
 * under the tracer, so the compiled plan sees exactly the ops (and attrs) a hand-written model
 * would record. Where ONNX and PyTorch conventions differ (pads order, Softmax axis before
 * opset 13, Gemm's transposes, Clip's bounds as attributes or inputs) the translation is here.
 */
import { batchNorm2d, lrn } from '../../../ops/norm.js';
import { add, div, mul, sub } from '../../../ops/binary.js';
import { conv2d } from '../../../ops/conv.js';
import { linear } from '../../../ops/linear.js';
import { avgPool2d, globalAvgPool2d, globalMaxPool2d, maxPool2d } from '../../../ops/pool.js';
import { leakyRelu, logSoftmax, relu, relu6, sigmoid, softmax, tanh } from '../../../ops/activation.js';
import { concat } from '../../../ops/shape.js';
import { Tensor } from '../../../tensor.js';
import { intsOf, resolveReshape, squeezeDims, unsqueezeDims } from './fold.js';
import type { AttrValue, ConstTensor, ParsedNode } from './parse.js';

/** A zero-padded (or constant-padded) tensor not yet materialized: Conv folds it into its pads. */
export interface Padded {
  kind: 'padded';
  x: Tensor;
  /** [top, bottom, left, right] on a 4-D tensor. */
  pads: [number, number, number, number];
  value: number;
}

export type Value = Tensor | ConstTensor | Padded;

export const isPadded = (v: Value | undefined): v is Padded => !!v && !(v instanceof Tensor) && (v as Padded).kind === 'padded';
export const isConst = (v: Value | undefined): v is ConstTensor => !!v && !(v instanceof Tensor) && !isPadded(v);

export interface OpContext {
  node: ParsedNode;
  opset: number;
  attr(name: string): AttrValue | undefined;
  /** The i-th input as it is (undefined when absent). */
  value(i: number): Value | undefined;
  /** The i-th input as a Tensor (constants wrapped once, padding materialized). */
  tensor(i: number): Tensor;
  /** The i-th input, which must be a constant. */
  constant(i: number, what: string): ConstTensor;
}

const fill = (shape: number[], value: number): Tensor => new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape);

/** Padding as explicit constant borders (concatenations of constant tensors). */
export function materialize(p: Padded): Tensor {
  const [t, b, l, r] = p.pads;
  let x = p.x;
  const [n, c, h] = x.shape;
  if (t > 0 || b > 0) {
    const parts = [...(t > 0 ? [fill([n, c, t, x.shape[3]], p.value)] : []), x, ...(b > 0 ? [fill([n, c, b, x.shape[3]], p.value)] : [])];
    x = concat(parts, 2);
  }
  const h2 = x.shape[2];
  if (l > 0 || r > 0) {
    const parts = [...(l > 0 ? [fill([n, c, h2, l], p.value)] : []), x, ...(r > 0 ? [fill([n, c, h2, r], p.value)] : [])];
    x = concat(parts, 3);
  }
  void h;
  return x;
}

const int = (ctx: OpContext, name: string, fallback: number): number => (ctx.attr(name) as number | undefined) ?? fallback;
const ints = (ctx: OpContext, name: string, fallback: number[]): number[] => (ctx.attr(name) as number[] | undefined) ?? fallback;

/** ONNX pads [top, left, bottom, right] (or auto_pad) as [top, bottom, left, right]. */
function windowPads(ctx: OpContext, inH: number, inW: number, kernel: number[], strides: number[], dilations: number[]): [number, number, number, number] {
  const autoPad = (ctx.attr('auto_pad') as string | undefined) ?? 'NOTSET';
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = (i: number, size: number): number => Math.max((Math.ceil(size / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size, 0);
    const split = (t: number): [number, number] => (autoPad === 'SAME_UPPER' ? [Math.floor(t / 2), t - Math.floor(t / 2)] : [t - Math.floor(t / 2), Math.floor(t / 2)]);
    const [top, bottom] = split(total(0, inH));
    const [left, right] = split(total(1, inW));
    return [top, bottom, left, right];
  }
  const p = ints(ctx, 'pads', [0, 0, 0, 0]);
  if (p.length !== 4 || p.some((v) => v < 0)) throw new RangeError(`pads: expected 4 non-negative values for a 2-D window, got [${p.join(', ')}]`);
  return [p[0], p[2], p[1], p[3]];
}

function conv(ctx: OpContext): Tensor {
  const v = ctx.value(0);
  const w = ctx.tensor(1);
  const b = ctx.value(2) ? ctx.tensor(2) : null;
  let extra: [number, number, number, number] = [0, 0, 0, 0];
  let x: Tensor;
  if (isPadded(v) && v.value === 0) {
    x = v.x;
    extra = v.pads;
  } else x = ctx.tensor(0);
  if (x.ndim !== 4) throw new RangeError(`X: expected a 4-D input [N, C, H, W], got shape [${x.shape.join(', ')}]`);
  const kernel = ints(ctx, 'kernel_shape', w.shape.slice(2));
  const strides = ints(ctx, 'strides', [1, 1]);
  const dilations = ints(ctx, 'dilations', [1, 1]);
  const pads = windowPads(ctx, x.shape[2] + extra[0] + extra[1], x.shape[3] + extra[2] + extra[3], kernel, strides, dilations);
  const padding = pads.map((p, i) => p + extra[i]) as [number, number, number, number];
  return conv2d(x, w, b, { stride: strides as [number, number], padding, dilation: dilations as [number, number], groups: int(ctx, 'group', 1) });
}

function pool(ctx: OpContext, kind: 'max' | 'avg'): Tensor {
  const v = ctx.value(0);
  const kernel = ints(ctx, 'kernel_shape', []);
  const strides = ints(ctx, 'strides', [1, 1]);
  const dilations = ints(ctx, 'dilations', [1, 1]);
  const ceilMode = int(ctx, 'ceil_mode', 0) === 1;
  let countIncludePad = int(ctx, 'count_include_pad', 0) === 1;
  let x: Tensor;
  let extra: [number, number, number, number] = [0, 0, 0, 0];
  if (isPadded(v) && v.value === 0 && kind === 'avg' && !ceilMode && (countIncludePad || ints(ctx, 'pads', [0]).every((p) => p === 0)) && ((ctx.attr('auto_pad') as string | undefined) ?? 'NOTSET') === 'NOTSET') {
    // Zero Pad then an average that counts padding = one average over the padded window.
    x = v.x;
    extra = v.pads;
    countIncludePad = true;
  } else x = ctx.tensor(0);
  if (x.ndim !== 4) throw new RangeError(`X: expected a 4-D input [N, C, H, W], got shape [${x.shape.join(', ')}]`);
  const own = windowPads(ctx, x.shape[2], x.shape[3], kernel, strides, dilations);
  let [top, bottom, left, right] = own.map((p, i) => p + extra[i]);
  const fitsSymmetric = top === bottom && left === right && top <= Math.floor(kernel[0] / 2) && left <= Math.floor(kernel[1] / 2);
  if (!fitsSymmetric) {
    // Asymmetric (or over-wide) padding: explicit borders that a max ignores / an average counts.
    if (kind === 'avg' && !countIncludePad) {
      throw new RangeError(`pads: expected symmetric padding of at most half the kernel with count_include_pad=0, got [${[top, left, bottom, right].join(', ')}]`);
    }
    x = materialize({ kind: 'padded', x, pads: [top, bottom, left, right], value: kind === 'max' ? -Infinity : 0 });
    [top, bottom, left, right] = [0, 0, 0, 0];
  }
  const common = { kernelSize: kernel as [number, number], stride: strides as [number, number], padding: [top, left] as [number, number], ceilMode };
  if (kind === 'max') return maxPool2d(x, { ...common, dilation: dilations as [number, number] });
  if (dilations.some((d) => d !== 1)) throw new RangeError(`dilations: expected [1, 1] for AveragePool, got [${dilations.join(', ')}]`);
  return avgPool2d(x, { ...common, countIncludePad });
}

/** Weight [N, K] for linear from Gemm's B ([K, N] unless transB) scaled by alpha. */
function gemm(ctx: OpContext): Tensor {
  const a = ctx.tensor(0);
  if (a.ndim !== 2) throw new RangeError(`A: expected a 2-D input, got shape [${a.shape.join(', ')}]`);
  const bConst = ctx.constant(1, 'B: expected a constant weight (initializer)');
  const alpha = (ctx.attr('alpha') as number | undefined) ?? 1;
  const beta = (ctx.attr('beta') as number | undefined) ?? 1;
  const transB = int(ctx, 'transB', 0) === 1;
  const [r, c] = bConst.dims;
  const src = bConst.data;
  const [n, k] = transB ? [r, c] : [c, r];
  const w = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) w[i * k + j] = alpha * (transB ? src[i * c + j] : src[j * c + i]);
  const cValue = ctx.value(2);
  let bias: Tensor | null = null;
  let addAfter: Tensor | null = null;
  if (cValue !== undefined) {
    if (isConst(cValue) && cValue.data.length === n && (cValue.dims.length === 1 || (cValue.dims.length === 2 && cValue.dims[0] === 1))) {
      bias = new Tensor(Float32Array.from(cValue.data as ArrayLike<number>, (v) => v * beta), [n]);
    } else {
      const ct = ctx.tensor(2);
      addAfter = beta === 1 ? ct : mul(ct, new Tensor(new Float32Array([beta]), [1]));
    }
  }
  const y = linear(a, new Tensor(w, [n, k]), bias);
  return addAfter ? add(y, addAfter) : y;
}

function matmul(ctx: OpContext): Tensor {
  const b = ctx.constant(1, 'B: expected a constant 2-D weight (initializer); MatMul of two computed tensors is not supported');
  if (b.dims.length !== 2) throw new RangeError(`B: expected a constant 2-D weight, got dims [${b.dims.join(', ')}]`);
  const [k, n] = b.dims;
  const w = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) w[i * k + j] = b.data[j * n + i];
  return linear(ctx.tensor(0), new Tensor(w, [n, k]), null);
}

function softmaxOp(ctx: OpContext, log: boolean): Tensor {
  const x = ctx.tensor(0);
  const f = log ? logSoftmax : softmax;
  if (ctx.opset >= 13) return f(x, int(ctx, 'axis', -1));
  // Before opset 13: the input is viewed as 2-D [prod(dims < axis), prod(dims >= axis)].
  const axis = int(ctx, 'axis', 1);
  const a = axis < 0 ? axis + x.ndim : axis;
  const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
  return f(x.reshape([outer, x.size / Math.max(outer, 1)]), 1).reshape(x.shape);
}

function clip(ctx: OpContext): Tensor {
  const x = ctx.tensor(0);
  let min: number | undefined;
  let max: number | undefined;
  if (ctx.opset < 11) {
    min = ctx.attr('min') as number | undefined;
    max = ctx.attr('max') as number | undefined;
  } else {
    min = ctx.value(1) ? ctx.constant(1, 'min: expected a constant').data[0] : undefined;
    max = ctx.value(2) ? ctx.constant(2, 'max: expected a constant').data[0] : undefined;
  }
  if (min === 0 && max === 6) return relu6(x);
  if (min === 0 && (max === undefined || max === Infinity)) return relu(x);
  throw new RangeError(`min/max: expected [0, 6] (ReLU6) or [0, +inf) (ReLU), got [${min ?? '-inf'}, ${max ?? '+inf'}]`);
}

function pad(ctx: OpContext): Padded {
  const x = ctx.tensor(0);
  const p = ctx.opset >= 11 ? intsOf(ctx.constant(1, 'pads: expected a constant')) : ints(ctx, 'pads', []);
  const value = ctx.opset >= 11 ? (ctx.value(2) ? ctx.constant(2, 'constant_value: expected a constant').data[0] ?? 0 : 0) : ((ctx.attr('value') as number | undefined) ?? 0);
  if (x.ndim !== 4 || p.length !== 8 || p[0] || p[1] || p[4] || p[5] || p.some((v) => v < 0)) {
    throw new RangeError(`pads: expected non-negative padding of H and W of a 4-D tensor, got [${p.join(', ')}] for shape [${x.shape.join(', ')}]`);
  }
  return { kind: 'padded', x, pads: [p[2], p[6], p[3], p[7]], value };
}

function batchNorm(ctx: OpContext): Tensor {
  const eps = (ctx.attr('epsilon') as number | undefined) ?? 1e-5;
  return batchNorm2d(ctx.tensor(0), ctx.tensor(3), ctx.tensor(4), ctx.tensor(1), ctx.tensor(2), { eps });
}

const axisAttr = (ctx: OpContext, i: number): number[] =>
  ctx.opset >= 13 ? (ctx.value(i) ? intsOf(ctx.constant(i, 'axes: expected a constant')) : []) : ints(ctx, 'axes', []);

/** Each lowered operator: its outputs (most have one). */
export const LOWERINGS: Record<string, (ctx: OpContext) => Value[]> = {
  Conv: (ctx) => [conv(ctx)],
  MaxPool: (ctx) => [pool(ctx, 'max')],
  AveragePool: (ctx) => [pool(ctx, 'avg')],
  GlobalAveragePool: (ctx) => [globalAvgPool2d(ctx.tensor(0))],
  GlobalMaxPool: (ctx) => [globalMaxPool2d(ctx.tensor(0))],
  Gemm: (ctx) => [gemm(ctx)],
  MatMul: (ctx) => [matmul(ctx)],
  Add: (ctx) => [add(ctx.tensor(0), ctx.tensor(1))],
  Sub: (ctx) => [sub(ctx.tensor(0), ctx.tensor(1))],
  Mul: (ctx) => [mul(ctx.tensor(0), ctx.tensor(1))],
  Div: (ctx) => [div(ctx.tensor(0), ctx.tensor(1))],
  Relu: (ctx) => [relu(ctx.tensor(0))],
  LeakyRelu: (ctx) => [leakyRelu(ctx.tensor(0), (ctx.attr('alpha') as number | undefined) ?? 0.01)],
  Sigmoid: (ctx) => [sigmoid(ctx.tensor(0))],
  Tanh: (ctx) => [tanh(ctx.tensor(0))],
  Clip: (ctx) => [clip(ctx)],
  BatchNormalization: (ctx) => [batchNorm(ctx)],
  LRN: (ctx) => {
    // ONNX puts floor((size-1)/2) channels before the centre, PyTorch size/2: equal for odd sizes only.
    const size = int(ctx, 'size', 1);
    if (size % 2 === 0) throw new RangeError(`InferenceSession: LRN: size: expected an odd size (the ONNX and PyTorch windows differ for even sizes), got ${size}`);
    return [lrn(ctx.tensor(0), { size, alpha: (ctx.attr('alpha') as number | undefined) ?? 1e-4, beta: (ctx.attr('beta') as number | undefined) ?? 0.75, k: (ctx.attr('bias') as number | undefined) ?? 1 })];
  },
  Concat: (ctx) => {
    const parts = ctx.node.inputs.map((_, i) => ctx.tensor(i));
    return [concat(parts, int(ctx, 'axis', 1))];
  },
  Flatten: (ctx) => {
    const x = ctx.tensor(0);
    const axis = int(ctx, 'axis', 1);
    const a = axis < 0 ? axis + x.ndim : axis;
    const outer = x.shape.slice(0, a).reduce((p, d) => p * d, 1);
    return [x.reshape([outer, x.size / Math.max(outer, 1)])];
  },
  Reshape: (ctx) => {
    const x = ctx.tensor(0);
    const target = ctx.opset >= 5 ? intsOf(ctx.constant(1, 'shape: expected a constant (or a foldable Shape chain)')) : ints(ctx, 'shape', []);
    return [x.reshape(resolveReshape(x.shape, target, int(ctx, 'allowzero', 0) === 1))];
  },
  Squeeze: (ctx) => [ctx.tensor(0).reshape(squeezeDims(ctx.tensor(0).shape, axisAttr(ctx, 1)))],
  Unsqueeze: (ctx) => [ctx.tensor(0).reshape(unsqueezeDims(ctx.tensor(0).shape, axisAttr(ctx, 1)))],
  Softmax: (ctx) => [softmaxOp(ctx, false)],
  LogSoftmax: (ctx) => [softmaxOp(ctx, true)],
  Pad: (ctx) => [pad(ctx)],
  Dropout: (ctx) => [ctx.value(0)!],
  Identity: (ctx) => [ctx.value(0)!],
  Cast: (ctx) => {
    const to = ctx.attr('to') as number;
    if (to !== 1) throw new RangeError(`to: expected FLOAT for a computed tensor, got dtype ${to}`);
    return [ctx.value(0)!];
  },
  Shape: (ctx) => {
    const v = ctx.value(0)!;
    const dims = isConst(v) ? v.dims : isPadded(v) ? [v.x.shape[0], v.x.shape[1], v.x.shape[2] + v.pads[0] + v.pads[1], v.x.shape[3] + v.pads[2] + v.pads[3]] : (v as Tensor).shape;
    const rank = dims.length;
    const norm = (d: number): number => Math.min(Math.max(d < 0 ? d + rank : d, 0), rank);
    const start = norm(int(ctx, 'start', 0));
    const end = norm((ctx.attr('end') as number | undefined) ?? rank);
    const shape = dims.slice(start, end);
    return [{ dtype: 'int64', dims: [shape.length], data: shape }];
  },
};
