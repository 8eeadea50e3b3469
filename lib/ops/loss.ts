/** Losses: fused softmax cross-entropy (with label smoothing) and mean squared error. */
import { record } from '../autograd/graph.js';
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { native } from '../native.js';
import { Tensor, checkRank, checkTensor } from '../tensor.js';
import { checkOptions, int, num } from './args.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface CrossEntropyOptions {
  /** Mix the one-hot target with the uniform distribution (PyTorch's label_smoothing). */
  labelSmoothing?: number;
  reduction?: Reduction;
  /** Rows with this label contribute nothing (and are not counted by 'mean'). */
  ignoreIndex?: number;
}

function reductionOf(op: string, v: unknown): Reduction {
  if (v === undefined) return 'mean';
  if (v === 'mean' || v === 'sum' || v === 'none') return v;
  throw typeError(op, 'reduction', "'mean', 'sum' or 'none'", describeValue(v));
}

function labelsOf(op: string, labels: unknown, n: number): Int32Array {
  let out: Int32Array;
  if (labels instanceof Int32Array) out = labels;
  else if (labels instanceof Tensor) out = Int32Array.from(labels.data);
  else if (ArrayBuffer.isView(labels) || Array.isArray(labels)) out = Int32Array.from(labels as ArrayLike<number>);
  else throw typeError(op, 'labels', 'an Int32Array, number[] or Tensor of class indices', describeValue(labels));
  if (out.length !== n) throw rangeError(op, 'labels', `${n} labels (one per row of logits)`, `${out.length}`);
  return out;
}

/**
 * Softmax cross-entropy of [N, C] logits against class indices, computed stably in one pass
 * (log-sum-exp); its gradient is (softmax - target) / N.
 * @example const loss = cn.crossEntropy(model.forward(x), labels); loss.backward();
 */
export function crossEntropy(logits: Tensor, labels: Int32Array | readonly number[] | Tensor, options?: CrossEntropyOptions): Tensor {
  const op = 'crossEntropy';
  const o = checkOptions(op, options, ['labelSmoothing', 'reduction', 'ignoreIndex']);
  checkTensor(op, 'logits', logits);
  checkRank(op, 'logits', logits, 2, '[N, C]');
  const [n, c] = logits.shape;
  const smoothing = num(op, 'labelSmoothing', o.labelSmoothing ?? 0, 0, 1);
  const reduction = reductionOf(op, o.reduction);
  const ignoreIndex = o.ignoreIndex === undefined ? -100 : int(op, 'ignoreIndex', o.ignoreIndex, -(2 ** 31));
  const y = labelsOf(op, labels, n);
  if (n === 0 || c === 0) throw rangeError(op, 'logits', 'at least one row and one class', `shape ${formatShape(logits.shape)}`);
  const [rowLoss, probs] = native.CrossEntropy(logits.data, y, { n, c, smoothing, ignoreIndex });
  let counted = 0;
  for (let i = 0; i < n; i++) if (y[i] !== ignoreIndex) counted++;
  let out: Tensor;
  if (reduction === 'none') {
    out = Tensor.fromNative(rowLoss, [n]);
  } else {
    let total = 0;
    for (let i = 0; i < n; i++) total += rowLoss[i];
    // Every row ignored: the mean of nothing is NaN, as in PyTorch.
    out = new Tensor(new Float32Array([reduction === 'mean' ? (counted === 0 ? NaN : total / counted) : total]), []);
  }
  return record(op, [logits], out, (g) => {
    const grad = new Float32Array(n * c);
    for (let i = 0; i < n; i++) {
      if (y[i] === ignoreIndex) continue;
      const scale = reduction === 'none' ? g.data[i] : reduction === 'mean' ? g.data[0] / Math.max(counted, 1) : g.data[0];
      for (let j = 0; j < c; j++) {
        const target = (j === y[i] ? 1 - smoothing : 0) + smoothing / c;
        grad[i * c + j] = (probs[i * c + j] - target) * scale;
      }
    }
    return [new Tensor(grad, logits.shape)];
  });
}

/**
 * Mean squared error between two tensors of the same shape.
 * @example cn.mseLoss(prediction, target)
 */
export function mseLoss(input: Tensor, target: Tensor, options?: { reduction?: Reduction }): Tensor {
  const op = 'mseLoss';
  const o = checkOptions(op, options, ['reduction']);
  checkTensor(op, 'input', input);
  checkTensor(op, 'target', target);
  if (input.ndim !== target.ndim || input.shape.some((d, i) => d !== target.shape[i])) {
    throw rangeError(op, 'target', `shape ${formatShape(input.shape)} (the input's)`, `shape ${formatShape(target.shape)}`);
  }
  const reduction = reductionOf(op, o.reduction);
  const diff = input.data.map((v, i) => v - target.data[i]);
  let out: Tensor;
  if (reduction === 'none') {
    out = new Tensor(diff.map((d) => d * d), input.shape);
  } else {
    let s = 0;
    for (const d of diff) s += d * d;
    out = new Tensor(new Float32Array([reduction === 'mean' ? s / Math.max(diff.length, 1) : s]), []);
  }
  return record(op, [input, target], out, (g) => {
    const scale = reduction === 'mean' ? 2 / Math.max(diff.length, 1) : 2;
    const gi = diff.map((d, i) => d * scale * (reduction === 'none' ? g.data[i] : g.data[0]));
    return [
      input.requiresGrad ? new Tensor(gi, input.shape) : null,
      target.requiresGrad ? new Tensor(gi.map((v) => -v), target.shape) : null,
    ];
  });
}
