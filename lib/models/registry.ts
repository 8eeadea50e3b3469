/** The zoo by name (torchvision's names), for the CLI and anything else that takes a model name. */
import { describeValue, typeError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { alexnet } from './alexnet.js';
import type { ModelOptions } from './common.js';
import { googlenet } from './googlenet.js';
import { lenet5 } from './lenet.js';
import { mobilenetV2 } from './mobilenet.js';
import { resnet18, resnet34, resnet50, resnet101, resnet152 } from './resnet.js';
import { squeezenet1_1 } from './squeezenet.js';
import { vgg11, vgg13, vgg16, vgg19 } from './vgg.js';

export interface ZooEntry {
  build(options?: ModelOptions): Module;
  /** The input the model was designed for, [C, H, W]. */
  inputShape: [number, number, number];
  description: string;
}

const entries: Record<string, ZooEntry> = {
  lenet5: { build: (o) => lenet5(o), inputShape: [1, 32, 32], description: 'LeNet-5, 32x32 digits' },
  'lenet5-28': { build: (o) => lenet5({ ...o, inputSize: 28 }), inputShape: [1, 28, 28], description: 'LeNet-5 for 28x28 MNIST (conv1 padding 2)' },
  alexnet: { build: (o) => alexnet(o), inputShape: [3, 224, 224], description: "AlexNet, torchvision's variant" },
  'alexnet-original': { build: (o) => alexnet({ ...o, variant: 'original' }), inputShape: [3, 227, 227], description: 'AlexNet as in the paper (LRN, 96 11x11/4)' },
  vgg11: { build: (o) => vgg11(o), inputShape: [3, 224, 224], description: 'VGG-11 (A)' },
  vgg11_bn: { build: (o) => vgg11({ ...o, batchNorm: true }), inputShape: [3, 224, 224], description: 'VGG-11 with batch norm' },
  vgg13: { build: (o) => vgg13(o), inputShape: [3, 224, 224], description: 'VGG-13 (B)' },
  vgg13_bn: { build: (o) => vgg13({ ...o, batchNorm: true }), inputShape: [3, 224, 224], description: 'VGG-13 with batch norm' },
  vgg16: { build: (o) => vgg16(o), inputShape: [3, 224, 224], description: 'VGG-16 (D)' },
  vgg16_bn: { build: (o) => vgg16({ ...o, batchNorm: true }), inputShape: [3, 224, 224], description: 'VGG-16 with batch norm' },
  vgg19: { build: (o) => vgg19(o), inputShape: [3, 224, 224], description: 'VGG-19 (E)' },
  vgg19_bn: { build: (o) => vgg19({ ...o, batchNorm: true }), inputShape: [3, 224, 224], description: 'VGG-19 with batch norm' },
  googlenet: { build: (o) => googlenet(o), inputShape: [3, 224, 224], description: 'GoogLeNet / Inception v1 (no aux heads)' },
  resnet18: { build: (o) => resnet18(o), inputShape: [3, 224, 224], description: 'ResNet-18' },
  resnet34: { build: (o) => resnet34(o), inputShape: [3, 224, 224], description: 'ResNet-34' },
  resnet50: { build: (o) => resnet50(o), inputShape: [3, 224, 224], description: 'ResNet-50' },
  resnet101: { build: (o) => resnet101(o), inputShape: [3, 224, 224], description: 'ResNet-101' },
  resnet152: { build: (o) => resnet152(o), inputShape: [3, 224, 224], description: 'ResNet-152' },
  mobilenet_v2: { build: (o) => mobilenetV2(o), inputShape: [3, 224, 224], description: 'MobileNetV2 (width 1.0)' },
  squeezenet1_1: { build: (o) => squeezenet1_1(o), inputShape: [3, 224, 224], description: 'SqueezeNet 1.1' },
};

/** Every name zooModel() accepts. @example cn.models.zooNames() // ['lenet5', 'lenet5-28', 'alexnet', ...] */
export function zooNames(): string[] {
  return Object.keys(entries);
}

/**
 * A zoo entry by torchvision-style name (also accepts 'mobilenetV2').
 * @example const { build, inputShape } = cn.models.zooEntry('resnet18'); cn.summary(build(), inputShape)
 */
export function zooEntry(name: string): ZooEntry {
  const key = name === 'mobilenetV2' ? 'mobilenet_v2' : name;
  const entry = Object.prototype.hasOwnProperty.call(entries, key) ? entries[key] : undefined;
  if (!entry) throw typeError('models', 'name', `one of ${zooNames().join(', ')}`, describeValue(name));
  return entry;
}
