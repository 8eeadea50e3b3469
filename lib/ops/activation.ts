/** Activations and softmax. */
import { native } from '../native.js';
import { Tensor, checkTensor } from '../tensor.js';
import { dimIndex, num } from './args.js';

function unary(op: string, x: Tensor, run: (data: Float32Array) => Float32Array): Tensor {
  checkTensor(op, 'input', x);
  if (x.size === 0) return new Tensor(new Float32Array(0), x.shape);
  return Tensor.fromNative(run(x.data), x.shape);
}

/** max(x, 0). @example cn.relu(x) */
export function relu(x: Tensor): Tensor {
  return unary('relu', x, (d) => native.Relu(d));
}

/** min(max(x, 0), 6), as in MobileNetV2. @example cn.relu6(x) */
export function relu6(x: Tensor): Tensor {
  return unary('relu6', x, (d) => native.Relu6(d));
}

/** x for x > 0, negativeSlope * x otherwise. @example cn.leakyRelu(x, 0.1) */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const slope = num('leakyRelu', 'negativeSlope', negativeSlope);
  return unary('leakyRelu', x, (d) => native.LeakyRelu(d, slope));
}

/** 1 / (1 + e^-x). @example cn.sigmoid(x) */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, (d) => native.Sigmoid(d));
}

/** @example cn.tanh(x) */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, (d) => native.Tanh(d));
}

function softmaxLike(op: string, x: Tensor, dim: number, log: boolean): Tensor {
  checkTensor(op, 'input', x);
  const d = dimIndex(op, 'dim', dim, x.ndim);
  if (x.size === 0) return new Tensor(new Float32Array(0), x.shape);
  const shape = x.ndim === 0 ? [1] : x.shape;
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const params = { outer, dim: shape[d], inner };
  return Tensor.fromNative(log ? native.LogSoftmax(x.data, params) : native.Softmax(x.data, params), x.shape);
}

/** exp(x) / sum(exp(x)) along `dim` (stable). @example cn.softmax(logits, 1) */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxLike('softmax', x, dim, false);
}

/** log(softmax(x)) computed without overflow. @example cn.logSoftmax(logits, -1) */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return softmaxLike('logSoftmax', x, dim, true);
}
