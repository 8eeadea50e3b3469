/**
 * The models `convnode train --model` builds. They differ from the zoo's LeNet-5 on purpose:
 * the training anchor (PyTorch, issue 5) feeds 28x28 Fashion-MNIST to LeNet-5 with no padding
 * (16x4x4 = 256 features into fc120, 44,426 parameters), so this one matches it layer for
 * layer, while `cn.models.lenet5({ inputSize: 28 })` pads conv1 to keep the paper's 16x5x5.
 * Layer names follow torchvision (`features.0.weight`, `classifier.4.bias`).
 */
import { describeValue, typeError } from '../errors.js';
import { flatten } from '../ops/shape.js';
import { Generator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d } from '../nn/normalization.js';
import { MaxPool2d } from '../nn/pooling.js';
import { flattenTrace } from '../nn/shape.js';
import type { TraceRecorder, TraceState } from '../nn/trace.js';
import { resnet18 } from '../models/resnet.js';

/** `features` (convolutions) then `classifier` (fully connected) on the flattened features. */
export class FeatureClassifier extends Module {
  constructor(features: Sequential, classifier: Sequential) {
    super();
    this.addModule('features', features);
    this.addModule('classifier', classifier);
  }

  forward(x: Tensor): Tensor {
    return this.getModule('classifier')!.call(flatten(this.getModule('features')!.call(x), 1));
  }

  protected override inferTrace(input: TraceState, recorder?: TraceRecorder): TraceState {
    const f = this.getModule('features')!.traceShape(input, recorder);
    return this.getModule('classifier')!.traceShape(flattenTrace(f, 1), recorder);
  }
}

export interface TrainModelOptions {
  /** Classes of the classifier (default 10). */
  numClasses?: number;
  /** Seed of the initial weights (default 0). */
  seed?: number;
}

/**
 * The anchor's LeNet-5 for 28x28 single-channel images: conv5 6 - ReLU - maxpool2 - conv5 16 -
 * ReLU - maxpool2 - fc120 - ReLU - fc84 - ReLU - fc10, no padding; PyTorch's default init.
 * @example const net = cn.train.lenet5Train({ seed: 0 }); net.numParameters() // 44426
 */
export function lenet5Train(options: TrainModelOptions = {}): FeatureClassifier {
  const { numClasses = 10, seed = 0 } = options;
  const generator = new Generator(seed);
  return new FeatureClassifier(
    new Sequential(
      new Conv2d(1, 6, 5, { generator }), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5, { generator }), new ReLU(), new MaxPool2d(2),
    ),
    new Sequential(
      new Linear(16 * 4 * 4, 120, { generator }), new ReLU(),
      new Linear(120, 84, { generator }), new ReLU(),
      new Linear(84, numClasses, { generator }),
    ),
  );
}

/**
 * LeNet-5 widened and with batch norm, still LeNet's shape (two conv5 + pool stages, three fc):
 * conv5 16 (padding 2) - BN - ReLU - maxpool2 - conv5 32 - BN - ReLU - maxpool2 - fc 800->120 -
 * ReLU - fc84 - ReLU - fc10 (no dropout: its masks are not in a checkpoint, and resuming must
 * replay the run exactly; augmentation regularizes instead). BN lets it train at AdamW's larger steps; the wider
 * convs and padding (which keeps the border pixels where Fashion-MNIST's sleeves and straps are)
 * are what lift it past 91%; it costs about 5x the anchor's MACs.
 * @example const net = cn.train.lenet5Bn({ seed: 0 }); net.forward(x) // [N,1,28,28] -> [N,10]
 */
export function lenet5Bn(options: TrainModelOptions = {}): FeatureClassifier {
  const { numClasses = 10, seed = 0 } = options;
  const generator = new Generator(seed);
  return new FeatureClassifier(
    new Sequential(
      new Conv2d(1, 16, 5, { padding: 2, bias: false, generator }), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
      new Conv2d(16, 32, 5, { bias: false, generator }), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
    ),
    new Sequential(
      new Linear(32 * 5 * 5, 120, { generator }), new ReLU(),
      new Linear(120, 84, { generator }), new ReLU(),
      new Linear(84, numClasses, { generator }),
    ),
  );
}

/** What a `--model` name builds and which input it takes. */
export interface TrainModelEntry {
  build(options: TrainModelOptions): Module;
  /** [C, H, W] of one sample. */
  inputShape: [number, number, number];
  description: string;
}

const TRAIN_MODELS: Record<string, TrainModelEntry> = {
  lenet5: { build: lenet5Train, inputShape: [1, 28, 28], description: "LeNet-5 for 28x28 (no padding, the PyTorch anchor's, 44,426 parameters)" },
  'lenet5-bn': { build: lenet5Bn, inputShape: [1, 28, 28], description: 'LeNet-5 with batch norm, 16/32 channels, conv1 padded' },
  resnet18: {
    build: ({ numClasses = 10, seed = 0 }) => resnet18({ numClasses, inChannels: 3, seed }),
    inputShape: [3, 32, 32],
    description: 'ResNet-18 for 3-channel images (grayscale is repeated to RGB and padded to 32x32)',
  },
};

/** The names `--model` accepts. @example cn.train.trainModelNames() // ['lenet5', 'lenet5-bn', 'resnet18'] */
export function trainModelNames(): string[] {
  return Object.keys(TRAIN_MODELS);
}

/**
 * A training model by name.
 * @example const { build, inputShape } = cn.train.trainModel('lenet5-bn');
 */
export function trainModel(name: string): TrainModelEntry {
  const entry = Object.prototype.hasOwnProperty.call(TRAIN_MODELS, name) ? TRAIN_MODELS[name] : undefined;
  if (!entry) throw typeError('train', 'model', `one of ${trainModelNames().join(', ')}`, describeValue(name));
  return entry;
}
