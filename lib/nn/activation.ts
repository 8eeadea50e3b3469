/** Activation layers: ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh (element-wise, no parameters). */
import { num } from '../ops/args.js';
import { leakyRelu, relu, relu6, sigmoid, tanh } from '../ops/activation.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { reshaped, type TraceState } from './trace.js';

abstract class Elementwise extends Module {
  protected override inferTrace(input: TraceState): TraceState {
    return reshaped(input, input.shape);
  }
}

/** max(x, 0). @example new cn.nn.ReLU().forward(x) */
export class ReLU extends Elementwise {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** min(max(x, 0), 6), MobileNetV2's activation. @example new cn.nn.ReLU6() */
export class ReLU6 extends Elementwise {
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

/** x for x > 0, negativeSlope * x otherwise. @example new cn.nn.LeakyReLU(0.1) */
export class LeakyReLU extends Elementwise {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = num('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** 1 / (1 + e^-x). @example new cn.nn.Sigmoid() */
export class Sigmoid extends Elementwise {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh(x), the classic LeNet-5 squashing function. @example new cn.nn.Tanh() */
export class Tanh extends Elementwise {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}
