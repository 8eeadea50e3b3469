/**
 * Every zoo model runs forward (eval mode, seeded torchvision-style init) at batch 1 and 2 with
 * the right output shape. Inputs are LeNet's native size and small sizes elsewhere (the
 * adaptive pools make any size above each model's minimum valid; the native sizes are checked
 * by shape inference in zoo.test.ts, and the scalar kernels make 224x224 cost seconds). Batch consistency is the real check: image 0 of a batch of 2 gives the same logits
 * as that image alone.
 */
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

const m = cn.models;

/**
 * VGG-11/13/19 are the VGG class of VGG-16 with other stage lists (verified layer by layer
 * against torchvision in zoo.test.ts); their forward runs here on skipInit (zero) weights,
 * because drawing 123M classifier weights three more times would double this file's time.
 */
const zeroWeights = (build: () => cn.nn.Module) => () => cn.nn.skipInit(build);

/** [name, builder, [C, H, W], classes] */
const zoo: [string, () => cn.nn.Module, [number, number, number], number][] = [
  ['lenet5 (32x32, native)', () => m.lenet5(), [1, 32, 32], 10],
  ['lenet5 inputSize 28 (native)', () => m.lenet5({ inputSize: 28, activation: 'tanh', pool: 'avg' }), [1, 28, 28], 10],
  ['alexnet original (67, its minimum)', () => m.alexnet({ variant: 'original', numClasses: 100 }), [3, 67, 67], 100],
  ['alexnet torchvision (63, its minimum)', () => m.alexnet(), [3, 63, 63], 1000],
  ['vgg11 (zero weights)', zeroWeights(() => m.vgg11({ numClasses: 10 })), [3, 32, 32], 10],
  ['vgg13 (zero weights)', zeroWeights(() => m.vgg13({ numClasses: 10 })), [3, 32, 32], 10],
  ['vgg16', () => m.vgg16(), [3, 32, 32], 1000],
  ['vgg19 (zero weights)', zeroWeights(() => m.vgg19({ numClasses: 10 })), [3, 32, 32], 10],
  ['vgg16 batchNorm', () => m.vgg16({ batchNorm: true, numClasses: 10 }), [3, 40, 40], 10],
  ['googlenet', () => m.googlenet(), [3, 64, 64], 1000],
  ['resnet18', () => m.resnet18(), [3, 64, 64], 1000],
  ['resnet34', () => m.resnet34({ numClasses: 10 }), [3, 16, 16], 10],
  ['resnet50', () => m.resnet50(), [3, 16, 16], 1000],
  ['resnet101', () => m.resnet101({ numClasses: 10 }), [3, 16, 16], 10],
  ['resnet152', () => m.resnet152({ numClasses: 10 }), [3, 16, 16], 10],
  ['mobilenetV2', () => m.mobilenetV2(), [3, 64, 64], 1000],
  ['squeezenet1_1', () => m.squeezenet1_1(), [3, 64, 64], 1000],
];

describe('model zoo: forward at batch 1 and 2', () => {
  it.each(zoo)('%s', (_name, build, [c, h, w], classes) => {
    const model = build().eval();
    const x2 = cn.randn([2, c, h, w], { seed: 1 });
    const x1 = cn.tensor(x2.data.slice(0, c * h * w), [1, c, h, w]);
    const y2 = model.forward(x2);
    const y1 = model.forward(x1);
    expect(y2.shape).toEqual([2, classes]);
    expect(y1.shape).toEqual([1, classes]);
    expect(model.outputShape([2, c, h, w])).toEqual([2, classes]);
    const a = y1.toArray();
    const b = y2.toArray();
    expect(a.every(Number.isFinite)).toBe(true);
    expect(b.every(Number.isFinite)).toBe(true);
    if (_name.includes('zero weights')) {
      expect(b.every((v) => v === 0)).toBe(true);
      return;
    }
    if (_name === 'googlenet') {
      // torchvision's init (conv weights N(0, 0.01)) with eval-mode BN (running var 1) shrinks
      // the signal by ~4x per conv: after 22 convs it is below float32 precision next to the
      // fc bias, so the logits are the bias. True of torchvision too, until BN statistics train.
      const bias = (model.getModule('fc') as cn.nn.Linear).bias!.toArray();
      for (const row of [a, b.slice(0, classes), b.slice(classes)]) {
        expect(Math.max(...row.map((v, i) => Math.abs(v - bias[i])))).toBeLessThan(1e-6);
      }
      return;
    }
    const scale = Math.max(...a.map(Math.abs));
    expect(scale).toBeGreaterThan(0); // the network carries signal to the logits
    for (let i = 0; i < classes; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-4 * scale + 1e-12);
    // the two images differ, so their logits differ
    expect(b.slice(classes).some((v, i) => Math.abs(v - a[i]) > 1e-6 * scale)).toBe(true);
  });
});
