/** MobileNetV2 (Sandler et al. 2018), torchvision layout (width multiplier 1.0). */
import { add } from '../ops/binary.js';
import { flatten } from '../ops/shape.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { ReLU6 } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { constant, kaimingNormal, normal, skipInit } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/normalization.js';
import { AdaptiveAvgPool2d } from '../nn/pooling.js';
import { flattenTrace } from '../nn/shape.js';
import { joinTraces, type TraceRecorder, type TraceState } from '../nn/trace.js';
import { checkModelInput, checkModelInputShape, dropoutOption, initWeights, modelOptions, type ModelOptions } from './common.js';

export interface MobileNetV2Options extends ModelOptions {
  /** Dropout before the classifier (0.2). */
  dropout?: number;
}

/** conv (no bias, 'same'-style padding (k-1)/2) -> BN -> ReLU6, children '0', '1', '2'. */
export class Conv2dNormActivation extends Sequential {
  constructor(inChannels: number, outChannels: number, kernelSize = 3, stride = 1, groups = 1, gen?: Generator) {
    super(
      new Conv2d(inChannels, outChannels, kernelSize, { stride, padding: (kernelSize - 1) >> 1, groups, bias: false, generator: gen }),
      new BatchNorm2d(outChannels),
      new ReLU6(),
    );
  }
}

/**
 * Expand (1x1, unless expandRatio is 1) -> depthwise 3x3 (strided) -> linear 1x1 projection,
 * with a residual add when stride is 1 and the channels match. Children: conv (Sequential).
 */
export class InvertedResidual extends Module {
  readonly useResidual: boolean;

  constructor(inp: number, oup: number, stride: number, expandRatio: number, gen?: Generator) {
    super();
    const hidden = Math.round(inp * expandRatio);
    this.useResidual = stride === 1 && inp === oup;
    const layers: Module[] = [];
    if (expandRatio !== 1) layers.push(new Conv2dNormActivation(inp, hidden, 1, 1, 1, gen));
    layers.push(
      new Conv2dNormActivation(hidden, hidden, 3, stride, hidden, gen),
      new Conv2d(hidden, oup, 1, { bias: false, generator: gen }),
      new BatchNorm2d(oup),
    );
    this.addModule('conv', new Sequential(...layers));
  }

  forward(x: Tensor): Tensor {
    const y = this.getModule('conv')!.call(x);
    return this.useResidual ? add(x, y) : y;
  }

  protected override inferTrace(x: TraceState, r?: TraceRecorder): TraceState {
    const y = this.getModule('conv')!.traceShape(x, r);
    return this.useResidual ? joinTraces([x, y], y.shape) : y;
  }
}

/** [expansion t, channels c, repeats n, first stride s] per stage, from the paper's Table 2. */
const SETTINGS: readonly [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

export class MobileNetV2 extends Module {
  readonly inChannels: number;
  private readonly pool = new AdaptiveAvgPool2d([1, 1]);

  constructor(options: MobileNetV2Options = {}) {
    super();
    const o = modelOptions('mobilenetV2', options, ['dropout']);
    this.inChannels = o.inChannels;
    const gen = o.generator;
    skipInit(() => {
      const features: Module[] = [new Conv2dNormActivation(o.inChannels, 32, 3, 2, 1, gen)];
      let c = 32;
      for (const [t, out, n, s] of SETTINGS) {
        for (let i = 0; i < n; i++) {
          features.push(new InvertedResidual(c, out, i === 0 ? s : 1, t, gen));
          c = out;
        }
      }
      features.push(new Conv2dNormActivation(c, 1280, 1, 1, 1, gen));
      this.addModule('features', new Sequential(...features));
      this.addModule('classifier', new Sequential(new Dropout(dropoutOption('mobilenetV2', o.dropout, 0.2), { generator: gen }), new Linear(1280, o.numClasses, { generator: gen })));
    });
    // torchvision: conv He-normal (fan_out), zero bias; BN 1/0; linear N(0, 0.01), zero bias.
    initWeights(this, gen, {
      conv: (m, g) => {
        kaimingNormal(m.weight, g, { mode: 'fanOut' });
        if (m.bias) constant(m.bias, 0);
      },
      linear: (m, g) => {
        normal(m.weight, g, 0, 0.01);
        if (m.bias) constant(m.bias, 0);
      },
    });
  }

  get features(): Module {
    return this.getModule('features')!;
  }

  get classifier(): Module {
    return this.getModule('classifier')!;
  }

  forward(x: Tensor): Tensor {
    checkModelInput('mobilenetV2', x, { inChannels: this.inChannels });
    return this.classifier.call(flatten(this.pool.call(this.features.call(x)), 1));
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    checkModelInputShape('mobilenetV2', input.shape, { inChannels: this.inChannels });
    // The global pool is functional in torchvision (no module, no state-dict entry, no row).
    const pooled = this.pool.traceShape(this.features.traceShape(input, recorder));
    return this.classifier.traceShape(flattenTrace(pooled, 1), recorder);
  }
}

/**
 * MobileNetV2 (width 1.0): 3,504,872 parameters, 300.8 MMACs at 224x224. Any input works.
 * @example const net = cn.models.mobilenetV2({ numClasses: 10 });
 */
export function mobilenetV2(options: MobileNetV2Options = {}): MobileNetV2 {
  return new MobileNetV2(options);
}
