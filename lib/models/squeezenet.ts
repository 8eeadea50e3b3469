/** SqueezeNet 1.1 (Iandola et al. 2016; the 1.1 revision), torchvision layout. */
import { concat, flatten } from '../ops/shape.js';
import type { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { constant, kaimingUniform, normal, skipInit } from '../nn/init.js';
import { Module } from '../nn/module.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { flattenTrace } from '../nn/shape.js';
import { joinTraces, type TraceRecorder, type TraceState } from '../nn/trace.js';
import { checkModelInput, checkModelInputShape, dropoutOption, initWeights, modelOptions, type ModelOptions } from './common.js';

/** squeeze 1x1 -> (expand 1x1 || expand 3x3), concatenated; ReLU after each conv. */
export class Fire extends Module {
  constructor(inplanes: number, squeeze: number, expand1x1: number, expand3x3: number, gen?: Generator) {
    super();
    this.addModule('squeeze', new Conv2d(inplanes, squeeze, 1, { generator: gen }));
    this.addModule('squeeze_activation', new ReLU());
    this.addModule('expand1x1', new Conv2d(squeeze, expand1x1, 1, { generator: gen }));
    this.addModule('expand1x1_activation', new ReLU());
    this.addModule('expand3x3', new Conv2d(squeeze, expand3x3, 3, { padding: 1, generator: gen }));
    this.addModule('expand3x3_activation', new ReLU());
  }

  forward(x: Tensor): Tensor {
    const m = (k: string): Module => this.getModule(k)!;
    const s = m('squeeze_activation').call(m('squeeze').call(x));
    return concat([m('expand1x1_activation').call(m('expand1x1').call(s)), m('expand3x3_activation').call(m('expand3x3').call(s))], 1);
  }

  protected override inferTrace(x: TraceState, r?: TraceRecorder): TraceState {
    const m = (k: string): Module => this.getModule(k)!;
    const s = m('squeeze_activation').traceShape(m('squeeze').traceShape(x, r), r);
    const a = m('expand1x1_activation').traceShape(m('expand1x1').traceShape(s, r), r);
    const b = m('expand3x3_activation').traceShape(m('expand3x3').traceShape(s, r), r);
    return joinTraces([a, b], [a.shape[0], a.shape[1] + b.shape[1], a.shape[2], a.shape[3]]);
  }
}

export class SqueezeNet extends Module {
  readonly inChannels: number;

  constructor(options: ModelOptions & { dropout?: number } = {}) {
    super();
    const o = modelOptions('squeezenet1_1', options, ['dropout']);
    this.inChannels = o.inChannels;
    const gen = o.generator;
    const pool = (): MaxPool2d => new MaxPool2d(3, { stride: 2, ceilMode: true });
    let finalConv: Conv2d | undefined;
    skipInit(() => {
      this.addModule('features', new Sequential(
        new Conv2d(o.inChannels, 64, 3, { stride: 2, generator: gen }), new ReLU(), pool(),
        new Fire(64, 16, 64, 64, gen), new Fire(128, 16, 64, 64, gen), pool(),
        new Fire(128, 32, 128, 128, gen), new Fire(256, 32, 128, 128, gen), pool(),
        new Fire(256, 48, 192, 192, gen), new Fire(384, 48, 192, 192, gen),
        new Fire(384, 64, 256, 256, gen), new Fire(512, 64, 256, 256, gen),
      ));
      finalConv = new Conv2d(512, o.numClasses, 1, { generator: gen });
      this.addModule('classifier', new Sequential(
        new Dropout(dropoutOption('squeezenet1_1', o.dropout, 0.5), { generator: gen }), finalConv, new ReLU(), new AdaptiveAvgPool2d([1, 1]),
      ));
    });
    // torchvision: final conv N(0, 0.01), the others He-uniform (a = 0); all biases 0.
    initWeights(this, gen, {
      conv: (m, g) => {
        if (m === finalConv) normal(m.weight, g, 0, 0.01);
        else kaimingUniform(m.weight, g);
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
    checkModelInput('squeezenet1_1', x, { inChannels: this.inChannels, minSize: 17 });
    return flatten(this.classifier.call(this.features.call(x)), 1);
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    checkModelInputShape('squeezenet1_1', input.shape, { inChannels: this.inChannels, minSize: 17 });
    return flattenTrace(this.classifier.traceShape(this.features.traceShape(input, recorder), recorder), 1);
  }
}

/**
 * SqueezeNet 1.1: 1,235,496 parameters, AlexNet-level accuracy at 0.35 GMACs (224x224).
 * @example const net = cn.models.squeezenet1_1(); net.eval().forward(x) // [N,3,224,224] -> [N,1000]
 */
export function squeezenet1_1(options: ModelOptions & { dropout?: number } = {}): SqueezeNet {
  return new SqueezeNet(options);
}
