/**
 * GoogLeNet / Inception v1 (Szegedy et al. 2014), torchvision layout without the auxiliary
 * heads: BN after every conv, and (as torchvision, unlike the paper) a 3x3 conv in the
 * "5x5" branch, which is what its published weights and 6,624,904 parameters assume.
 */
import { concat } from '../ops/shape.js';
import { flatten } from '../ops/shape.js';
import { relu } from '../ops/activation.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { skipInit, truncNormal } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/normalization.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { flattenTrace } from '../nn/shape.js';
import { joinTraces, type TraceRecorder, type TraceState } from '../nn/trace.js';
import { checkModelInput, checkModelInputShape, dropoutOption, initWeights, modelOptions, type ModelOptions } from './common.js';

export interface GoogLeNetOptions extends ModelOptions {
  /** Dropout before the classifier (0.2). */
  dropout?: number;
}

/** conv (no bias) -> BN (eps 0.001) -> ReLU; the ReLU is functional, as in torchvision. */
export class BasicConv2d extends Module {
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: { stride?: number; padding?: number; generator?: Generator } = {}) {
    super();
    this.addModule('conv', new Conv2d(inChannels, outChannels, kernelSize, { ...options, bias: false }));
    this.addModule('bn', new BatchNorm2d(outChannels, { eps: 0.001 }));
  }

  forward(x: Tensor): Tensor {
    return relu(this.getModule('bn')!.call(this.getModule('conv')!.call(x)));
  }

  protected override inferTrace(x: TraceState, r?: TraceRecorder): TraceState {
    return this.getModule('bn')!.traceShape(this.getModule('conv')!.traceShape(x, r), r);
  }
}

/**
 * Four parallel branches concatenated on channels: 1x1; 1x1 -> 3x3; 1x1 -> 3x3; 3x3 max pool -> 1x1.
 * Output channels: ch1x1 + ch3x3 + ch5x5 + poolProj.
 */
export class Inception extends Module {
  constructor(
    inChannels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, poolProj: number,
    gen?: Generator,
  ) {
    super();
    const g = { generator: gen };
    this.addModule('branch1', new BasicConv2d(inChannels, ch1x1, 1, g));
    this.addModule('branch2', new Sequential(new BasicConv2d(inChannels, ch3x3red, 1, g), new BasicConv2d(ch3x3red, ch3x3, 3, { padding: 1, ...g })));
    this.addModule('branch3', new Sequential(new BasicConv2d(inChannels, ch5x5red, 1, g), new BasicConv2d(ch5x5red, ch5x5, 3, { padding: 1, ...g })));
    this.addModule('branch4', new Sequential(
      new MaxPool2d(3, { stride: 1, padding: 1, ceilMode: true }),
      new BasicConv2d(inChannels, poolProj, 1, g),
    ));
  }

  forward(x: Tensor): Tensor {
    return concat(this.children().map((b) => b.call(x)), 1);
  }

  protected override inferTrace(x: TraceState, r?: TraceRecorder): TraceState {
    const outs = this.children().map((b) => b.traceShape(x, r));
    const [n, , h, w] = outs[0].shape;
    const c = outs.reduce((s, o) => s + o.shape[1], 0);
    return joinTraces(outs, [n, c, h, w]);
  }
}

const STAGES: [string, number[] | 'pool3' | 'pool4'][] = [
  ['inception3a', [192, 64, 96, 128, 16, 32, 32]],
  ['inception3b', [256, 128, 128, 192, 32, 96, 64]],
  ['maxpool3', 'pool3'],
  ['inception4a', [480, 192, 96, 208, 16, 48, 64]],
  ['inception4b', [512, 160, 112, 224, 24, 64, 64]],
  ['inception4c', [512, 128, 128, 256, 24, 64, 64]],
  ['inception4d', [512, 112, 144, 288, 32, 64, 64]],
  ['inception4e', [528, 256, 160, 320, 32, 128, 128]],
  ['maxpool4', 'pool4'],
  ['inception5a', [832, 256, 160, 320, 32, 128, 128]],
  ['inception5b', [832, 384, 192, 384, 48, 128, 128]],
];

export class GoogLeNet extends Module {
  readonly inChannels: number;
  private readonly order: string[];

  constructor(options: GoogLeNetOptions = {}) {
    super();
    const o = modelOptions('googlenet', options, ['dropout']);
    this.inChannels = o.inChannels;
    const g = { generator: o.generator };
    skipInit(() => {
      this.addModule('conv1', new BasicConv2d(o.inChannels, 64, 7, { stride: 2, padding: 3, ...g }));
      this.addModule('maxpool1', new MaxPool2d(3, { stride: 2, ceilMode: true }));
      this.addModule('conv2', new BasicConv2d(64, 64, 1, g));
      this.addModule('conv3', new BasicConv2d(64, 192, 3, { padding: 1, ...g }));
      this.addModule('maxpool2', new MaxPool2d(3, { stride: 2, ceilMode: true }));
      for (const [name, spec] of STAGES) {
        if (spec === 'pool3') this.addModule(name, new MaxPool2d(3, { stride: 2, ceilMode: true }));
        else if (spec === 'pool4') this.addModule(name, new MaxPool2d(2, { stride: 2, ceilMode: true }));
        else {
          const [a, b, c, d, e, f, h] = spec;
          this.addModule(name, new Inception(a, b, c, d, e, f, h, o.generator));
        }
      }
      this.addModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
      this.addModule('dropout', new Dropout(dropoutOption('googlenet', o.dropout, 0.2), g));
      this.addModule('fc', new Linear(1024, o.numClasses, g));
    });
    this.order = this.namedChildren().map(([k]) => k).filter((k) => k !== 'dropout' && k !== 'fc');
    // torchvision: conv and linear weights truncated N(0, 0.01) in [-2, 2]; BN 1/0; fc bias default.
    initWeights(this, o.generator, {
      conv: (m, gen) => truncNormal(m.weight, gen, 0, 0.01, -2, 2),
      linear: (m, gen) => {
        m.resetParameters(gen);
        truncNormal(m.weight, gen, 0, 0.01, -2, 2);
      },
    });
  }

  get fc(): Module {
    return this.getModule('fc')!;
  }

  forward(x: Tensor): Tensor {
    checkModelInput('googlenet', x, { inChannels: this.inChannels, minSize: 15 });
    let y = x;
    for (const k of this.order) y = this.getModule(k)!.call(y);
    return this.fc.call(this.getModule('dropout')!.call(flatten(y, 1)));
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    checkModelInputShape('googlenet', input.shape, { inChannels: this.inChannels, minSize: 15 });
    let t = input;
    for (const k of this.order) t = this.getModule(k)!.traceShape(t, recorder);
    t = this.getModule('dropout')!.traceShape(flattenTrace(t, 1), recorder);
    return this.fc.traceShape(t, recorder);
  }
}

/**
 * GoogLeNet (Inception v1) as torchvision builds it, without auxiliary classifiers: 6,624,904
 * parameters, 1.50 GMACs at 224x224. Inputs from 15x15 work.
 * @example const net = cn.models.googlenet(); net.eval();
 */
export function googlenet(options: GoogLeNetOptions = {}): GoogLeNet {
  return new GoogLeNet(options);
}
