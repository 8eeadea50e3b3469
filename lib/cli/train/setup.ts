/**
 * What a `convnode train` run is made of, built from its options: the datasets and loaders
 * (standardized by the training set's mean/std, optionally augmented), the model, the optimizer
 * and the LR scheduler.
 */
import { DataLoader } from '../../data/dataloader.js';
import type { ImageDataset } from '../../data/dataset.js';
import { loadFashionMnist } from '../../data/idx-dataset.js';
import { compose, normalize, randomCrop, randomHorizontalFlip, type Transform } from '../../data/transforms.js';
import type { Module } from '../../nn/module.js';
import { Adam } from '../../optim/adam.js';
import { AdamW } from '../../optim/adamw.js';
import { CosineAnnealingLR, ReduceLROnPlateau, StepLR } from '../../optim/lr-scheduler.js';
import type { BaseOptions, Optimizer } from '../../optim/optimizer.js';
import { SGD } from '../../optim/sgd.js';
import type { Scheduler } from '../../train/fit.js';
import { trainModel } from '../../train/models.js';
import type { ResolvedTrainOptions } from './options.js';

export interface Normalization {
  mean: number[];
  std: number[];
}

export interface Data {
  train: ImageDataset;
  test: ImageDataset;
  classes: readonly string[];
}

/** The training and test sets, cut to the first `limit` images of each when asked. @example loadData({ limit: 1000 }).train.length // 1000 */
export function loadData(o: Pick<ResolvedTrainOptions, 'data' | 'limit'>): Data {
  const { train, test, classes } = loadFashionMnist(o.data);
  if (o.limit === undefined) return { train, test, classes };
  const first = (ds: ImageDataset): ImageDataset => (o.limit! < ds.length ? ds.subset(Array.from({ length: o.limit! }, (_, i) => i)) : ds);
  return { train: first(train), test: first(test), classes };
}

/**
 * Makes 28x28 grayscale images what a 3x32x32 model (ResNet-18 here) takes: the gray channel
 * repeated three times, zero-padded by 2 on each side (after standardizing, so 0 is the mean).
 * @example compose([normalize({ mean, std }), toRgb32()]) // [1, 28, 28] -> [3, 32, 32]
 */
export function toRgb32(): Transform {
  return (image) => {
    const [c, h, w] = image.shape;
    const out = new Float32Array(3 * (h + 4) * (w + 4));
    for (let k = 0; k < 3; k++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[(k * (h + 4) + y + 2) * (w + 4) + x + 2] = image.data[((k % c) * h + y) * w + x];
      }
    }
    return { data: out, shape: [3, h + 4, w + 4] };
  };
}

/** Shuffled, seeded training loader and a 500-image test loader. @example const { trainLoader } = makeLoaders(o, data, datasetStats(data.train)); */
export function makeLoaders(o: ResolvedTrainOptions, data: Data, norm: Normalization): { trainLoader: DataLoader; testLoader: DataLoader } {
  const entry = trainModel(o.model);
  const standardize = normalize({ mean: norm.mean, std: norm.std });
  const toModel: Transform[] = entry.inputShape[0] === 3 ? [toRgb32()] : [];
  // Fashion-MNIST's classes are left-right symmetric (a shoe faces either way), so flips are
  // label-preserving; crops with padding 2 shift by up to 2 pixels, as the README's example.
  const crop = o.augment === 'crop' || o.augment === 'both' ? [randomCrop({ size: 28, padding: 2 })] : [];
  const flip = o.augment === 'flip' || o.augment === 'both' ? [randomHorizontalFlip()] : [];
  const augment: Transform[] = [...crop, ...flip];
  const trainLoader = new DataLoader(data.train, {
    batchSize: o.batchSize, shuffle: true, seed: o.seed, transform: compose([...augment, standardize, ...toModel]),
  });
  // Evaluation batches are larger: no gradients are kept, so memory is not the limit.
  const testLoader = new DataLoader(data.test, { batchSize: 500, transform: compose([standardize, ...toModel]) });
  return { trainLoader, testLoader };
}

/** The --model, seeded. @example makeModel(resolveTrainOptions({ model: 'lenet5-bn' }), 10) */
export function makeModel(o: ResolvedTrainOptions, numClasses: number): Module {
  return trainModel(o.model).build({ numClasses, seed: o.seed });
}

/** The --optimizer over the model's parameters. @example makeOptimizer(resolveTrainOptions({ optimizer: 'adamw' }), model) */
export function makeOptimizer(o: ResolvedTrainOptions, model: Module): Optimizer<BaseOptions> {
  const params = model.parameters();
  switch (o.optimizer) {
    case 'sgd':
      return new SGD(params, { lr: o.lr, momentum: o.momentum, weightDecay: o.weightDecay }) as unknown as Optimizer<BaseOptions>;
    case 'adam':
      return new Adam(params, { lr: o.lr, weightDecay: o.weightDecay }) as unknown as Optimizer<BaseOptions>;
    case 'adamw':
      return new AdamW(params, { lr: o.lr, weightDecay: o.weightDecay }) as unknown as Optimizer<BaseOptions>;
  }
}

/**
 * step: lr x0.1 at 1/3 and 2/3 of the epochs; cosine: anneal to 0 over all epochs; plateau: lr
 * x0.1 when the test accuracy has not improved for 2 epochs (the lecture's rule, shortened).
 * @example makeScheduler(resolveTrainOptions({ scheduler: 'cosine', epochs: 10 }), opt) // CosineAnnealingLR, tMax 10
 */
export function makeScheduler(o: ResolvedTrainOptions, optimizer: Optimizer<BaseOptions>): Scheduler | undefined {
  switch (o.scheduler) {
    case 'none':
      return undefined;
    case 'step':
      return new StepLR(optimizer, { stepSize: Math.max(1, Math.round(o.epochs / 3)), gamma: 0.1 });
    case 'cosine':
      return new CosineAnnealingLR(optimizer, { tMax: o.epochs });
    case 'plateau':
      return new ReduceLROnPlateau(optimizer, { mode: 'max', factor: 0.1, patience: 2 });
  }
}
