/** concat, flatten and dropout. */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { record } from '../autograd/graph.js';
import { native } from '../native.js';
import { Tensor, checkTensor } from '../tensor.js';
import { bool, checkOptions, dimIndex, int, num } from './args.js';

/**
 * Joins tensors along `dim` (channels by default, as in an Inception block).
 * @example cn.concat([branch1, branch2, branch3], 1)
 */
export function concat(list: readonly Tensor[], dim = 1): Tensor {
  const op = 'concat';
  if (!Array.isArray(list) || list.length === 0) {
    throw typeError(op, 'tensors', 'a non-empty array of Tensors', describeValue(list));
  }
  const tensors: readonly Tensor[] = list;
  tensors.forEach((t, i) => checkTensor(op, `tensors[${i}]`, t));
  const first = tensors[0];
  const d = dimIndex(op, 'dim', dim, first.ndim);
  tensors.forEach((t, i) => {
    const same = t.ndim === first.ndim && t.shape.every((s, j) => j === d || s === first.shape[j]);
    if (!same) {
      throw rangeError(
        op,
        `tensors[${i}]`,
        `shape ${formatShape(first.shape.map((s, j) => (j === d ? -1 : s)))} (any size along dim ${d})`,
        `shape ${formatShape(t.shape)}`,
      );
    }
  });
  const sizes = tensors.map((t) => t.shape[d]);
  const outShape = [...first.shape];
  outShape[d] = sizes.reduce((a, b) => a + b, 0);
  const outer = first.shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = first.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const out = Tensor.fromNative(native.Concat(tensors.map((t) => t.data), { sizes, outer, inner }), outShape);
  // The gradient of each part is its slice of the output gradient.
  return record(op, tensors, out, (g) => {
    const total = outShape[d];
    let offset = 0;
    return tensors.map((t, i) => {
      const chunk = sizes[i] * inner;
      const start = offset;
      offset += chunk;
      if (!t.requiresGrad) return null;
      const part = new Float32Array(t.size);
      for (let o = 0; o < outer; o++) part.set(g.data.subarray(o * total * inner + start, o * total * inner + start + chunk), o * chunk);
      return new Tensor(part, t.shape);
    });
  }, { sizes, outer, inner });
}

/**
 * Merges dims startDim..endDim into one (a view: no copy).
 * @example cn.flatten(x, 1) // [N, C, H, W] -> [N, C*H*W]
 */
export function flatten(x: Tensor, startDim = 1, endDim = -1): Tensor {
  const op = 'flatten';
  checkTensor(op, 'input', x);
  if (x.ndim === 0) return x.reshape(1);
  const s = dimIndex(op, 'startDim', startDim, x.ndim);
  const e = dimIndex(op, 'endDim', endDim, x.ndim);
  if (s > e) throw rangeError(op, 'startDim', `<= endDim (${e})`, String(s));
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return x.reshape([...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  /** Seed of the mask in training mode (random when absent). */
  seed?: number;
}

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by
 * 1/(1-p); at eval (the default) returns the input unchanged.
 * @example cn.dropout(x, { p: 0.5, training: true, seed: 1 })
 */
export function dropout(x: Tensor, options?: DropoutOptions): Tensor {
  const op = 'dropout';
  const o = checkOptions(op, options, ['p', 'training', 'seed']);
  checkTensor(op, 'input', x);
  const p = num(op, 'p', o.p ?? 0.5, 0, 1);
  const training = bool(op, 'training', o.training ?? false);
  if (!training || p === 0) return x;
  const seed = o.seed === undefined ? Math.floor(Math.random() * 2 ** 52) : int(op, 'seed', o.seed, 0);
  if (x.size === 0) return x;
  const [y, mask] = native.Dropout(x.data, p, seed);
  // Saves the mask (0 or 1/(1-p)): the gradient is masked the same way.
  return record(op, [x], Tensor.fromNative(y, x.shape), (g) => [
    Tensor.fromNative(native.Mul(g.data, mask, { outShape: [x.size], stridesA: [1], stridesB: [1] }), x.shape),
  ], { p, training: true });
}
