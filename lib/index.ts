/**
 * convnode: a CNN runtime for Node.js.
 * @example
 * import * as cn from 'convnode';
 * const y = cn.relu(cn.conv2d(x, w, b, { padding: 1 }));
 */
export { Tensor, tensor, zeros, ones, full, randn, rand } from './tensor.js';
export { Generator } from './random.js';
export { noGrad, isGradEnabled, setGradEnabled } from './autograd/grad-mode.js';
export * from './ops/index.js';
export { cpuInfo, setNumThreads, getNumThreads, memory, type CpuInfo, type MemoryInfo } from './system.js';
export * as reference from './reference/index.js';
export { InferenceSession, type SessionOptions, type Forwardable, type ValueMetadata } from './session/inference-session.js';
export * as nn from './nn/index.js';
export * as models from './models/index.js';
export * as arch from './arch/index.js';
export { summary, type Summary, type SummaryRow, type SummaryTotals } from './summary/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
export * as onnx from './io/onnx/index.js';
export * as image from './io/image.js';
export { save, load } from './io/checkpoint.js';
export * as train from './train/index.js';
