/** LeNet-5 (LeCun et al. 1998): conv5-pool-conv5-pool-fc120-fc84-fc10, 61,706 parameters. */
import { describeValue, typeError } from '../errors.js';
import { flatten } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { MaxPool2d, AvgPool2d } from '../nn/pooling.js';
import { ReLU, Tanh } from '../nn/activation.js';
import { skipInit } from '../nn/init.js';
import { flattenTrace } from '../nn/shape.js';
import type { TraceRecorder, TraceState } from '../nn/trace.js';
import { checkModelInput, checkModelInputShape, initWeights, modelOptions, type InputSpec, type ModelOptions } from './common.js';

export interface LeNet5Options extends ModelOptions {
  /** 32 (the paper's input, default) or 28 (MNIST as is: conv1 gets padding 2). */
  inputSize?: 32 | 28;
  /** 'relu' (default) or the paper's 'tanh'. */
  activation?: 'relu' | 'tanh';
  /** 'max' (default) or the paper's subsampling as 'avg'. */
  pool?: 'max' | 'avg';
}

/** LeNet-5: `features` (conv, act, pool, conv, act, pool) and `classifier` (three Linear). */
export class LeNet5 extends Module {
  readonly inChannels: number;
  readonly inputSize: number;

  constructor(options: LeNet5Options = {}) {
    super();
    const o = modelOptions('lenet5', options, ['inputSize', 'activation', 'pool'], { numClasses: 10, inChannels: 1 });
    const inputSize = o.inputSize ?? 32;
    if (inputSize !== 32 && inputSize !== 28) throw typeError('lenet5', 'options.inputSize', '32 or 28', describeValue(inputSize));
    const activation = o.activation ?? 'relu';
    if (activation !== 'relu' && activation !== 'tanh') throw typeError('lenet5', 'options.activation', "'relu' or 'tanh'", describeValue(activation));
    const pool = o.pool ?? 'max';
    if (pool !== 'max' && pool !== 'avg') throw typeError('lenet5', 'options.pool', "'max' or 'avg'", describeValue(pool));
    this.inChannels = o.inChannels;
    this.inputSize = inputSize;
    const act = (): Module => (activation === 'relu' ? new ReLU() : new Tanh());
    const down = (): Module => (pool === 'max' ? new MaxPool2d(2, { stride: 2 }) : new AvgPool2d(2, { stride: 2 }));
    const gen = o.generator;
    skipInit(() => {
      this.addModule('features', new Sequential(
        new Conv2d(o.inChannels, 6, 5, { padding: inputSize === 28 ? 2 : 0, generator: gen }), act(), down(),
        new Conv2d(6, 16, 5, { generator: gen }), act(), down(),
      ));
      this.addModule('classifier', new Sequential(
        new Linear(16 * 5 * 5, 120, { generator: gen }), act(),
        new Linear(120, 84, { generator: gen }), act(),
        new Linear(84, o.numClasses, { generator: gen }),
      ));
    });
    initWeights(this, gen, {});
  }

  /** 1 channel at exactly inputSize x inputSize (the classifier expects 16x5x5 features). */
  inputSpec(): InputSpec {
    return { inChannels: this.inChannels, exactSize: this.inputSize };
  }

  get features(): Module {
    return this.getModule('features')!;
  }

  get classifier(): Module {
    return this.getModule('classifier')!;
  }

  forward(x: Tensor): Tensor {
    checkModelInput('lenet5', x, this.inputSpec());
    return this.classifier.call(flatten(this.features.call(x), 1));
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    checkModelInputShape('lenet5', input.shape, this.inputSpec());
    return this.classifier.traceShape(flattenTrace(this.features.traceShape(input, recorder), 1), recorder);
  }
}

/**
 * LeNet-5 for 32x32 (or, with inputSize 28, MNIST's 28x28) single-channel digits: 61,706
 * parameters with 10 classes. Init: PyTorch's layer defaults, from `seed`.
 * @example const net = cn.models.lenet5({ inputSize: 28 }); net.eval().forward(x) // [N,1,28,28] -> [N,10]
 */
export function lenet5(options: LeNet5Options = {}): LeNet5 {
  return new LeNet5(options);
}
