export { conv2d, convOutputSize, samePaddingTotal, resolveConv2d, type Conv2dOptions, type Conv2dAlgo, type Padding } from './conv.js';
export {
  maxPool2d, avgPool2d, lpPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d, globalAvgPool2d, globalMaxPool2d, poolOutputSize,
  type MaxPool2dOptions, type AvgPool2dOptions, type LpPool2dOptions,
} from './pool.js';
export { linear, matmul } from './linear.js';
export { relu, relu6, leakyRelu, sigmoid, tanh, softmax, logSoftmax } from './activation.js';
export { lrn, batchNorm2d, type LrnOptions, type BatchNorm2dOptions } from './norm.js';
export { add, sub, mul, div } from './binary.js';
export { concat, flatten, dropout, type DropoutOptions } from './shape.js';
export { crossEntropy, mseLoss, type CrossEntropyOptions, type Reduction } from './loss.js';
