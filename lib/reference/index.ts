/**
 * Naive pure-TS versions of every op: the tests' oracle and the pure-JS baseline in bench/.
 * Written for clarity, never for speed; parameters are passed fully resolved.
 */
export { conv2d, type RefConv2dParams } from './conv.js';
export {
  maxPool2d, avgPool2d, lpPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d, globalAvgPool2d, globalMaxPool2d,
  type RefPoolParams,
} from './pool.js';
export { linear, matmul } from './linear.js';
export {
  relu, relu6, leakyRelu, sigmoid, tanh, softmax, logSoftmax, add, sub, mul, div, broadcast, concat, flatten, dropout,
} from './elementwise.js';
export { lrn, batchNorm2d } from './norm.js';
