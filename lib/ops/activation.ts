/** Activations and softmax. */
import { record } from '../autograd/graph.js';
import { native } from '../native.js';
import { Tensor, checkTensor } from '../tensor.js';
import { dimIndex, num } from './args.js';

/**
 * An elementwise op whose derivative needs either its input or its output (`saves`), given to
 * the native backward kernel with the upstream gradient.
 */
function unary(
  op: string,
  x: Tensor,
  run: (data: Float32Array) => Float32Array,
  saves: 'input' | 'output',
  backward: (saved: Float32Array, g: Float32Array) => Float32Array,
  attrs: Record<string, unknown> = {},
): Tensor {
  checkTensor(op, 'input', x);
  if (x.size === 0) return new Tensor(new Float32Array(0), x.shape);
  const out = Tensor.fromNative(run(x.data), x.shape);
  return record(op, [x], out, (g) => [Tensor.fromNative(backward(saves === 'input' ? x.data : out.data, g.data), x.shape)], attrs);
}

/** max(x, 0). @example cn.relu(x) */
export function relu(x: Tensor): Tensor {
  return unary('relu', x, (d) => native.Relu(d), 'output', (y, g) => native.ReluBackward(y, g));
}

/** min(max(x, 0), 6), as in MobileNetV2. @example cn.relu6(x) */
export function relu6(x: Tensor): Tensor {
  return unary('relu6', x, (d) => native.Relu6(d), 'input', (v, g) => native.Relu6Backward(v, g));
}

/** x for x > 0, negativeSlope * x otherwise. @example cn.leakyRelu(x, 0.1) */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const slope = num('leakyRelu', 'negativeSlope', negativeSlope);
  return unary('leakyRelu', x, (d) => native.LeakyRelu(d, slope), 'input', (v, g) => native.LeakyReluBackward(v, g, slope), { negativeSlope: slope });
}

/** 1 / (1 + e^-x). @example cn.sigmoid(x) */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, (d) => native.Sigmoid(d), 'output', (y, g) => native.SigmoidBackward(y, g));
}

/** @example cn.tanh(x) */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, (d) => native.Tanh(d), 'output', (y, g) => native.TanhBackward(y, g));
}

function softmaxLike(op: string, x: Tensor, dim: number, log: boolean): Tensor {
  checkTensor(op, 'input', x);
  const d = dimIndex(op, 'dim', dim, x.ndim);
  if (x.size === 0) return new Tensor(new Float32Array(0), x.shape);
  const shape = x.ndim === 0 ? [1] : x.shape;
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const params = { outer, dim: shape[d], inner };
  const out = Tensor.fromNative(log ? native.LogSoftmax(x.data, params) : native.Softmax(x.data, params), x.shape);
  // Saves the output: the Jacobian of softmax is expressed through it.
  return record(op, [x], out, (g) => [
    Tensor.fromNative(log ? native.LogSoftmaxBackward(out.data, g.data, params) : native.SoftmaxBackward(out.data, g.data, params), x.shape),
  ], params);
}

/** exp(x) / sum(exp(x)) along `dim` (stable). @example cn.softmax(logits, 1) */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxLike('softmax', x, dim, false);
}

/** log(softmax(x)) computed without overflow. @example cn.logSoftmax(logits, -1) */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxLike('logSoftmax', x, dim, true);
}
