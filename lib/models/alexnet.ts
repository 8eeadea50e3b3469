/**
 * AlexNet (Krizhevsky et al. 2012): the lecture's original layout and torchvision's variant.
 * Layer names follow torchvision (features.N, avgpool, classifier.N) in both.
 */
import { describeValue, typeError } from '../errors.js';
import { flatten } from '../ops/shape.js';
import type { Tensor } from '../tensor.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { skipInit } from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { LocalResponseNorm } from '../nn/normalization.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { flattenTrace } from '../nn/shape.js';
import type { TraceRecorder, TraceState } from '../nn/trace.js';
import { checkModelInput, checkModelInputShape, dropoutOption, initWeights, modelOptions, type InputSpec, type ModelOptions } from './common.js';

export interface AlexNetOptions extends ModelOptions {
  /**
   * 'torchvision' (default): 64/192/384/256/256 filters, no LRN, 61,100,840 parameters.
   * 'original': the paper as the lecture lists it (227x227 input, 96 11x11/4, pool then LRN
   * after conv1 and conv2, 256/384/384/256), 62,378,344 parameters (one tower, no groups).
   */
  variant?: 'torchvision' | 'original';
  /** Dropout probability of the classifier (0.5). */
  dropout?: number;
}

export class AlexNet extends Module {
  readonly inChannels: number;
  readonly variant: 'torchvision' | 'original';

  constructor(options: AlexNetOptions = {}) {
    super();
    const o = modelOptions('alexnet', options, ['variant', 'dropout']);
    const variant = o.variant ?? 'torchvision';
    if (variant !== 'torchvision' && variant !== 'original') {
      throw typeError('alexnet', 'options.variant', "'torchvision' or 'original'", describeValue(variant));
    }
    this.variant = variant;
    this.inChannels = o.inChannels;
    const p = dropoutOption('alexnet', o.dropout, 0.5);
    const g = { generator: o.generator };
    const lrn = (): LocalResponseNorm => new LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 });
    skipInit(() => {
      const features = variant === 'original'
        ? new Sequential(
          new Conv2d(o.inChannels, 96, 11, { stride: 4, ...g }), new ReLU(), new MaxPool2d(3, { stride: 2 }), lrn(),
          new Conv2d(96, 256, 5, { padding: 2, ...g }), new ReLU(), new MaxPool2d(3, { stride: 2 }), lrn(),
          new Conv2d(256, 384, 3, { padding: 1, ...g }), new ReLU(),
          new Conv2d(384, 384, 3, { padding: 1, ...g }), new ReLU(),
          new Conv2d(384, 256, 3, { padding: 1, ...g }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
        )
        : new Sequential(
          new Conv2d(o.inChannels, 64, 11, { stride: 4, padding: 2, ...g }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
          new Conv2d(64, 192, 5, { padding: 2, ...g }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
          new Conv2d(192, 384, 3, { padding: 1, ...g }), new ReLU(),
          new Conv2d(384, 256, 3, { padding: 1, ...g }), new ReLU(),
          new Conv2d(256, 256, 3, { padding: 1, ...g }), new ReLU(), new MaxPool2d(3, { stride: 2 }),
        );
      this.addModule('features', features);
      // At 227 (original) or 224 (torchvision) the map is already 6x6 and this is the identity;
      // it lets smaller inputs through as torchvision does.
      this.addModule('avgpool', new AdaptiveAvgPool2d([6, 6]));
      this.addModule('classifier', new Sequential(
        new Dropout(p, g), new Linear(256 * 6 * 6, 4096, g), new ReLU(),
        new Dropout(p, g), new Linear(4096, 4096, g), new ReLU(),
        new Linear(4096, o.numClasses, g),
      ));
    });
    initWeights(this, o.generator, {});
  }

  /** Down to 63x63 (torchvision) or 67x67 (original): the last 3x3/2 pool needs a 3x3 map. */
  inputSpec(): InputSpec {
    return { inChannels: this.inChannels, minSize: this.variant === 'original' ? 67 : 63 };
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
    checkModelInput('alexnet', x, this.inputSpec());
    return this.classifier.call(flatten(this.avgpool.call(this.features.call(x)), 1));
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    checkModelInputShape('alexnet', input.shape, this.inputSpec());
    const pooled = this.avgpool.traceShape(this.features.traceShape(input, recorder), recorder);
    return this.classifier.traceShape(flattenTrace(pooled, 1), recorder);
  }
}

/**
 * AlexNet. Native input 224x224 (torchvision) or 227x227 (original); inputs from 63x63
 * (67x67 original) work thanks to the adaptive pooling. Init: PyTorch's layer defaults (as torchvision).
 * @example const net = cn.models.alexnet({ variant: 'original' }); cn.summary(net, [3, 227, 227])
 */
export function alexnet(options: AlexNetOptions = {}): AlexNet {
  return new AlexNet(options);
}
