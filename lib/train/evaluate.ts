/**
 * Evaluation of a classifier over a loader: mean loss and accuracy, in eval mode (batch norm
 * uses running statistics, dropout is off) and without recording gradients.
 */
import { noGrad } from '../autograd/grad-mode.js';
import type { DataLoader } from '../data/dataloader.js';
import { describeValue, rangeError, typeError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import type { Tensor } from '../tensor.js';

export interface EvaluateOptions {
  /** Stop after this many batches (default: the whole loader). */
  maxBatches?: number;
}

export interface Evaluation {
  /** Mean cross-entropy per sample. */
  loss: number;
  /** correct / total. */
  accuracy: number;
  correct: number;
  total: number;
}

/**
 * Index of the largest logit of each row of [N, C] logits (the first of equal maxima).
 * @example cn.train.argmaxRows(cn.tensor([1, 3, 2, 0], [2, 2])) // Int32Array [1, 0]
 */
export function argmaxRows(logits: Tensor): Int32Array {
  const [n, c] = logits.shape;
  const d = logits.data;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (d[i * c + k] > d[i * c + best]) best = k;
    out[i] = best;
  }
  return out;
}

/**
 * Mean loss and accuracy of `model` over `loader`; the model's training mode is restored after.
 * The loader's epoch counter is left as it was, so evaluating never shifts a shuffled loader.
 * @example const { accuracy } = cn.train.evaluate(model, testLoader); // 0.874
 */
export function evaluate(model: Module, loader: DataLoader, options: EvaluateOptions = {}): Evaluation {
  if (model === null || typeof model !== 'object' || typeof (model as Module).forward !== 'function') {
    throw typeError('evaluate', 'model', 'a Module', describeValue(model));
  }
  if (loader === null || typeof loader !== 'object' || typeof loader[Symbol.iterator] !== 'function') {
    throw typeError('evaluate', 'loader', 'a DataLoader', describeValue(loader));
  }
  const maxBatches = options.maxBatches ?? Infinity;
  if (!(maxBatches === Infinity || (Number.isInteger(maxBatches) && maxBatches >= 1))) {
    throw rangeError('evaluate', 'options.maxBatches', 'an integer >= 1', describeValue(maxBatches));
  }
  const wasTraining = model.training;
  const epoch = loader.epoch;
  model.eval();
  let lossSum = 0;
  let correct = 0;
  let total = 0;
  let batches = 0;
  try {
    noGrad(() => {
      for (const { x, y } of loader) {
        const logits = model.forward(x);
        lossSum += crossEntropy(logits, y).item() * y.length;
        const pred = argmaxRows(logits);
        for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) correct++;
        total += y.length;
        if (++batches >= maxBatches) break;
      }
    });
  } finally {
    model.train(wasTraining);
    loader.epoch = epoch;
  }
  return { loss: total ? lossSum / total : NaN, accuracy: total ? correct / total : NaN, correct, total };
}
