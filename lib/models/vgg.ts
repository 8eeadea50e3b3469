/** VGG (Simonyan & Zisserman 2014), configurations A/B/D/E = VGG-11/13/16/19, torchvision layout. */
import { bool } from '../ops/args.js';
import { flatten } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { constant, kaimingNormal, normal, skipInit } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/normalization.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { flattenTrace } from '../nn/shape.js';
import type { TraceRecorder, TraceState } from '../nn/trace.js';
import { checkModelInput, checkModelInputShape, dropoutOption, initWeights, modelOptions, type ModelOptions } from './common.js';

export interface VggOptions extends ModelOptions {
  /** Insert BatchNorm2d after every conv (torchvision's vgg*_bn). */
  batchNorm?: boolean;
  /** Dropout probability of the classifier (0.5). */
  dropout?: number;
}

/** Conv widths per stage; 'M' is a 2x2/2 max pool. */
const CONFIGS = {
  vgg11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
} as const;

export type VggName = keyof typeof CONFIGS;

export class VGG extends Module {
  readonly inChannels: number;
  private readonly modelName: string;

  constructor(name: VggName, options: VggOptions = {}) {
    super();
    const o = modelOptions(name, options, ['batchNorm', 'dropout']);
    const batchNorm = bool(name, 'options.batchNorm', o.batchNorm ?? false);
    const p = dropoutOption(name, o.dropout, 0.5);
    this.inChannels = o.inChannels;
    this.modelName = batchNorm ? `${name}_bn` : name;
    const g = { generator: o.generator };
    skipInit(() => {
      const layers: Module[] = [];
      let c = o.inChannels;
      for (const v of CONFIGS[name]) {
        if (v === 'M') {
          layers.push(new MaxPool2d(2, { stride: 2 }));
          continue;
        }
        layers.push(new Conv2d(c, v, 3, { padding: 1, ...g }));
        if (batchNorm) layers.push(new BatchNorm2d(v));
        layers.push(new ReLU());
        c = v;
      }
      this.addModule('features', new Sequential(...layers));
      this.addModule('avgpool', new AdaptiveAvgPool2d([7, 7]));
      this.addModule('classifier', new Sequential(
        new Linear(512 * 7 * 7, 4096, g), new ReLU(), new Dropout(p, g),
        new Linear(4096, 4096, g), new ReLU(), new Dropout(p, g),
        new Linear(4096, o.numClasses, g),
      ));
    });
    // torchvision: conv He-normal (fan_out, relu) with zero bias, BN 1/0, linear N(0, 0.01) with zero bias.
    initWeights(this, o.generator, {
      conv: (m, gen) => {
        kaimingNormal(m.weight, gen, { mode: 'fanOut', nonlinearity: 'relu' });
        if (m.bias) constant(m.bias, 0);
      },
      linear: (m, gen) => {
        normal(m.weight, gen, 0, 0.01);
        if (m.bias) constant(m.bias, 0);
      },
    });
  }

  override get typeName(): string {
    return 'VGG';
  }

  get features(): Module {
    return this.getModule('features')!;
  }

  get avgpool(): Module {
    return this.getModule('avgpool')!;
  }

  get classifier(): Module {
    return this.getModule('classifier')!;
  }

  forward(x: Tensor): Tensor {
    checkModelInput(this.modelName, x, { inChannels: this.inChannels, minSize: 32 });
    return this.classifier.call(flatten(this.avgpool.call(this.features.call(x)), 1));
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    checkModelInputShape(this.modelName, input.shape, { inChannels: this.inChannels, minSize: 32 });
    const pooled = this.avgpool.traceShape(this.features.traceShape(input, recorder), recorder);
    return this.classifier.traceShape(flattenTrace(pooled, 1), recorder);
  }
}

/**
 * VGG-11 (configuration A): 132,863,336 parameters (132,868,840 with batchNorm).
 * Native input 224x224; anything from 32x32 works (five 2x2 pools, then adaptive pooling).
 * @example const net = cn.models.vgg11({ batchNorm: true, numClasses: 10 });
 */
export function vgg11(options: VggOptions = {}): VGG {
  return new VGG('vgg11', options);
}

/** VGG-13 (B): 133,047,848 parameters. @example cn.models.vgg13() */
export function vgg13(options: VggOptions = {}): VGG {
  return new VGG('vgg13', options);
}

/**
 * VGG-16 (D): 138,357,544 parameters (138,365,992 with batchNorm), 15.47 GMACs at 224x224.
 * @example console.log(cn.summary(cn.models.vgg16(), [3, 224, 224]).toString())
 */
export function vgg16(options: VggOptions = {}): VGG {
  return new VGG('vgg16', options);
}

/** VGG-19 (E): 143,667,240 parameters. @example cn.models.vgg19({ batchNorm: true }) */
export function vgg19(options: VggOptions = {}): VGG {
  return new VGG('vgg19', options);
}
