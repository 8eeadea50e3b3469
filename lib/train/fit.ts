/**
 * The training loop: epochs of (zeroGrad, forward, loss, backward, step) over a DataLoader,
 * evaluation after each epoch, the LR scheduler stepped once per epoch, and callbacks for
 * progress. Epoch e (0-based) always runs the loader's epoch e (`setEpoch`), so a run that
 * starts at `startEpoch` after loading a checkpoint sees the same batches, in the same order,
 * as the uninterrupted run.
 */
import type { DataLoader } from '../data/dataloader.js';
import { describeValue, rangeError, typeError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Optimizer, BaseOptions } from '../optim/optimizer.js';
import { ReduceLROnPlateau, type EpochScheduler } from '../optim/lr-scheduler.js';
import type { Tensor } from '../tensor.js';
import { argmaxRows, evaluate } from './evaluate.js';

export type Scheduler = EpochScheduler | ReduceLROnPlateau;

export interface BatchProgress {
  /** 1-based epoch being trained. */
  epoch: number;
  /** Batches done in this epoch, and how many it has. */
  batch: number;
  batches: number;
  /** This batch's loss, and the epoch's running mean. */
  loss: number;
  meanLoss: number;
  /** Training accuracy of the epoch so far. */
  accuracy: number;
  /** Images trained this epoch, and images per second of training so far. */
  images: number;
  imagesPerSecond: number;
}

export interface EpochResult {
  /** 1-based: the number of epochs done. */
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  trainLoss: number;
  trainAccuracy: number;
  /** NaN when there is no test loader. */
  testLoss: number;
  testAccuracy: number;
  /** Training images per second (the optimizer loop only, not the evaluation). */
  imagesPerSecond: number;
  /** Seconds of training, and of evaluation. */
  trainSeconds: number;
  evalSeconds: number;
  /** The learning rate used in this epoch (of the first param group). */
  lr: number;
  /** Every batch's loss, in order (what a resumed run is compared on). */
  batchLosses: number[];
}

export interface FitOptions {
  trainLoader: DataLoader;
  /** Evaluated after every epoch when given. */
  testLoader?: DataLoader;
  optimizer: Optimizer<BaseOptions>;
  /** Stepped after each epoch; ReduceLROnPlateau gets the test accuracy (mode 'max'), or the train loss without a test loader. */
  scheduler?: Scheduler;
  /** Total epochs (counting those before startEpoch). */
  epochs: number;
  /** The first epoch to run, 0-based (a checkpoint's `epoch` when resuming; default 0). */
  startEpoch?: number;
  /** Stop after this many epochs (counted from 0, as `epochs`), e.g. to split a run in two; default `epochs`. */
  stopAfter?: number;
  /** Caps the training batches of each epoch (quick runs, tests). */
  maxBatches?: number;
  /** The loss of a batch (default: cross-entropy). */
  loss?: (logits: Tensor, labels: Int32Array) => Tensor;
  onBatch?: (progress: BatchProgress) => void;
  /** Called after each epoch's evaluation and scheduler step; may be async (e.g. to save a checkpoint). */
  onEpoch?: (result: EpochResult) => void | Promise<void>;
}

/** Yields to the event loop so that timers (a progress bar's redraw, signals) run during training. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function checkFitOptions(model: unknown, o: FitOptions): void {
  const op = 'fit';
  if (model === null || typeof model !== 'object' || typeof (model as Module).forward !== 'function') throw typeError(op, 'model', 'a Module', describeValue(model));
  if (o === null || typeof o !== 'object') throw typeError(op, 'options', '{ trainLoader, optimizer, epochs, ... }', describeValue(o));
  const known = ['trainLoader', 'testLoader', 'optimizer', 'scheduler', 'epochs', 'startEpoch', 'stopAfter', 'maxBatches', 'loss', 'onBatch', 'onEpoch'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw rangeError(op, `options.${k}`, `one of ${known.join(', ')}`, `an unknown option ${JSON.stringify(k)}`);
  if (!o.trainLoader || typeof o.trainLoader.setEpoch !== 'function') throw typeError(op, 'options.trainLoader', 'a DataLoader', describeValue(o.trainLoader));
  if (o.testLoader !== undefined && typeof o.testLoader?.setEpoch !== 'function') throw typeError(op, 'options.testLoader', 'a DataLoader', describeValue(o.testLoader));
  if (!o.optimizer || typeof o.optimizer.step !== 'function') throw typeError(op, 'options.optimizer', 'an optimizer (cn.optim.SGD, Adam, AdamW)', describeValue(o.optimizer));
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw rangeError(op, 'options.epochs', 'an integer >= 1', describeValue(o.epochs));
  const start = o.startEpoch ?? 0;
  if (!Number.isInteger(start) || start < 0 || start > o.epochs) throw rangeError(op, 'options.startEpoch', `an integer in [0, epochs = ${o.epochs}]`, describeValue(start));
  if (o.stopAfter !== undefined && (!Number.isInteger(o.stopAfter) || o.stopAfter < 1 || o.stopAfter > o.epochs)) {
    throw rangeError(op, 'options.stopAfter', `an integer in [1, epochs = ${o.epochs}]`, describeValue(o.stopAfter));
  }
  if (o.maxBatches !== undefined && (!Number.isInteger(o.maxBatches) || o.maxBatches < 1)) throw rangeError(op, 'options.maxBatches', 'an integer >= 1', describeValue(o.maxBatches));
}

/**
 * Trains `model` for epochs startEpoch..epochs-1 and returns one result per epoch run.
 * @example
 * const { train, test } = cn.data.loadFashionMnist();
 * const norm = cn.data.transforms.normalize({ mean: 0.286, std: 0.353 });
 * const model = cn.train.lenet5Train({ seed: 0 });
 * const optimizer = new cn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 * const history = await cn.train.fit(model, {
 *   trainLoader: new cn.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0, transform: norm }),
 *   testLoader: new cn.data.DataLoader(test, { batchSize: 500, transform: norm }),
 *   optimizer, epochs: 5,
 *   onEpoch: (r) => console.log(r.epoch, r.trainLoss, r.testAccuracy),
 * });
 */
export async function fit(model: Module, options: FitOptions): Promise<EpochResult[]> {
  checkFitOptions(model, options);
  const { trainLoader, testLoader, optimizer, scheduler, epochs, maxBatches = Infinity, onBatch, onEpoch } = options;
  const lossFn = options.loss ?? ((logits: Tensor, labels: Int32Array) => crossEntropy(logits, labels));
  const history: EpochResult[] = [];
  const end = options.stopAfter ?? epochs;
  for (let e = options.startEpoch ?? 0; e < end; e++) {
    model.train();
    trainLoader.setEpoch(e);
    const lr = optimizer.paramGroups[0].lr;
    const batches = Math.min(trainLoader.length, maxBatches);
    const batchLosses: number[] = [];
    let lossSum = 0;
    let correct = 0;
    let images = 0;
    let trainMs = 0;
    let lastYield = performance.now();
    let t0 = performance.now();
    for (const { x, y } of trainLoader) {
      optimizer.zeroGrad();
      const logits = model.forward(x);
      const loss = lossFn(logits, y);
      loss.backward();
      optimizer.step();
      const value = loss.item();
      const pred = argmaxRows(logits);
      for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) correct++;
      batchLosses.push(value);
      lossSum += value * y.length;
      images += y.length;
      const now = performance.now();
      trainMs += now - t0;
      onBatch?.({
        epoch: e + 1, batch: batchLosses.length, batches, loss: value, meanLoss: lossSum / images,
        accuracy: correct / images, images, imagesPerSecond: images / (trainMs / 1000),
      });
      if (batchLosses.length >= batches) break;
      // About 10 times a second, so a progress bar redraws without costing throughput.
      if (now - lastYield > 100) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      t0 = performance.now();
    }
    const tEval = performance.now();
    const test = testLoader ? evaluate(model, testLoader) : { loss: NaN, accuracy: NaN };
    const evalSeconds = (performance.now() - tEval) / 1000;
    const trainLoss = lossSum / images;
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(testLoader ? test.accuracy : trainLoss);
    else scheduler?.step();
    const result: EpochResult = {
      epoch: e + 1, trainLoss, trainAccuracy: correct / images, testLoss: test.loss, testAccuracy: test.accuracy,
      imagesPerSecond: images / (trainMs / 1000), trainSeconds: trainMs / 1000, evalSeconds, lr, batchLosses,
    };
    history.push(result);
    await onEpoch?.(result);
    await yieldToEventLoop();
  }
  return history;
}
