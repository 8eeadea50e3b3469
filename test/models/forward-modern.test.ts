/**
 * Every zoo model runs forward (eval mode, seeded torchvision-style init) at batch 1 and 2 with
 * the right output shape. Inputs are LeNet's native size and small sizes elsewhere (the
 * adaptive pools make any size above each model's minimum valid; the native sizes are checked
 * by shape inference in zoo.test.ts, and the scalar kernels make 224x224 cost seconds).
 * Batch consistency is the real check: image 0 of a batch of 2 gives the same logits as that
 * image alone (test/helpers/zoo-forward.ts).
 */
import { describe, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { checkForward, type ForwardCase } from '../helpers/zoo-forward.js';

// vitest runs two files at once on this 2-core machine: one OpenMP thread each avoids
// oversubscription (measured: half the CPU time and a third of the wall time under load).
cn.setNumThreads(1);

const m = cn.models;

const zoo: ForwardCase[] = [
  ['googlenet', () => m.googlenet(), [3, 64, 64], 1000],
  ['resnet18', () => m.resnet18(), [3, 64, 64], 1000],
  ['resnet34', () => m.resnet34({ numClasses: 10 }), [3, 16, 16], 10],
  ['resnet50', () => m.resnet50(), [3, 16, 16], 1000],
  ['resnet101', () => m.resnet101({ numClasses: 10 }), [3, 16, 16], 10],
  ['resnet152', () => m.resnet152({ numClasses: 10 }), [3, 16, 16], 10],
  ['mobilenetV2', () => m.mobilenetV2(), [3, 64, 64], 1000],
  ['squeezenet1_1', () => m.squeezenet1_1(), [3, 64, 64], 1000],
];

describe('model zoo forward at batch 1 and 2: GoogLeNet, ResNet, MobileNetV2, SqueezeNet', () => {
  it.each(zoo)('%s', (...c) => checkForward(...c));
});
