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

/**
 * VGG-11/13/19 are the VGG class of VGG-16 with other stage lists (verified layer by layer
 * against torchvision in zoo.test.ts); their forward runs here on skipInit (zero) weights,
 * because drawing 123M classifier weights three more times would double this file's time.
 */
const zeroWeights = (build: () => cn.nn.Module) => () => cn.nn.skipInit(build);

const zoo: ForwardCase[] = [
  ['lenet5 (32x32, native)', () => m.lenet5(), [1, 32, 32], 10],
  ['lenet5 inputSize 28 (native)', () => m.lenet5({ inputSize: 28, activation: 'tanh', pool: 'avg' }), [1, 28, 28], 10],
  ['alexnet original (67, its minimum)', () => m.alexnet({ variant: 'original', numClasses: 100 }), [3, 67, 67], 100],
  ['alexnet torchvision (63, its minimum)', () => m.alexnet(), [3, 63, 63], 1000],
  ['vgg11 (zero weights)', zeroWeights(() => m.vgg11({ numClasses: 10 })), [3, 32, 32], 10],
  ['vgg13 (zero weights)', zeroWeights(() => m.vgg13({ numClasses: 10 })), [3, 32, 32], 10],
  ['vgg16', () => m.vgg16(), [3, 32, 32], 1000],
  ['vgg19 (zero weights)', zeroWeights(() => m.vgg19({ numClasses: 10 })), [3, 32, 32], 10],
  ['vgg16 batchNorm', () => m.vgg16({ batchNorm: true, numClasses: 10 }), [3, 40, 40], 10],
];

describe('model zoo forward at batch 1 and 2: LeNet, AlexNet, VGG', () => {
  it.each(zoo)('%s', (...c) => checkForward(...c));
});
