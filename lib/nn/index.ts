/**
 * cn.nn: layers and containers with torch.nn's names, arguments, defaults and state-dict keys.
 * @example
 * const net = new cn.nn.Sequential(new cn.nn.Conv2d(3, 16, 3, { padding: 1 }), new cn.nn.ReLU());
 * net.eval(); const y = net.forward(x);
 */
export { Module, type StateDict, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Sequential } from './container.js';
export { Conv2d, type Conv2dModuleOptions } from './conv.js';
export { Linear, type LinearOptions } from './linear.js';
export {
  MaxPool2d, AvgPool2d, LPPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d,
  type MaxPool2dModuleOptions, type AvgPool2dModuleOptions, type LPPool2dModuleOptions,
} from './pooling.js';
export { BatchNorm2d, LocalResponseNorm, type BatchNorm2dModuleOptions, type LocalResponseNormOptions } from './normalization.js';
export { Dropout } from './dropout.js';
export { ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh } from './activation.js';
export { Flatten, Identity, flattenTrace } from './shape.js';
export { skipInit, type InitOptions } from './init.js';
export * as init from './init.js';
export { inputTrace, advance, reshaped, joinTraces, type TraceState, type TraceRecorder } from './trace.js';
