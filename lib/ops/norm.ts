/** Local response normalization (AlexNet) and batch normalization. */
import { formatShape, rangeError } from '../errors.js';
import { native } from '../native.js';
import { Tensor, checkRank, checkTensor } from '../tensor.js';
import { bool, checkOptions, int, num } from './args.js';

export interface LrnOptions {
  /** Number of neighbouring channels summed over. */
  size: number;
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * PyTorch's LocalResponseNorm: x_c / (k + alpha/size * sum of x^2 over `size` neighbouring
 * channels)^beta. AlexNet used size 5, alpha 1e-4, beta 0.75, k 2.
 * @example cn.lrn(x, { size: 5, alpha: 1e-4, beta: 0.75, k: 2 })
 */
export function lrn(x: Tensor, options: LrnOptions): Tensor {
  const op = 'lrn';
  const o = checkOptions(op, options, ['size', 'alpha', 'beta', 'k']);
  checkTensor(op, 'input', x);
  if (x.ndim < 3) throw rangeError(op, 'input', 'at least 3-D [N, C, ...]', `shape ${formatShape(x.shape)}`);
  const size = int(op, 'size', o.size, 1);
  const alpha = num(op, 'alpha', o.alpha ?? 1e-4);
  const beta = num(op, 'beta', o.beta ?? 0.75);
  const k = num(op, 'k', o.k ?? 1);
  const [n, c] = x.shape;
  const inner = x.shape.slice(2).reduce((a, b) => a * b, 1);
  if (x.size === 0) return new Tensor(new Float32Array(0), x.shape);
  return Tensor.fromNative(native.Lrn(x.data, { n, c, inner, size, alpha, beta, k }), x.shape);
}

export interface BatchNorm2dOptions {
  eps?: number;
  /** Batch statistics (training) or running statistics (inference, the default). */
  training?: boolean;
  momentum?: number;
}

/**
 * Batch normalization over the channel dim of [N, C, H, W] (or [N, C]) with running statistics:
 * (x - mean) / sqrt(var + eps) * weight + bias.
 * @example cn.batchNorm2d(x, runningMean, runningVar, gamma, beta, { eps: 1e-5 })
 */
export function batchNorm2d(
  x: Tensor,
  runningMean: Tensor,
  runningVar: Tensor,
  weight?: Tensor | null,
  bias?: Tensor | null,
  options?: BatchNorm2dOptions,
): Tensor {
  const op = 'batchNorm2d';
  const o = checkOptions(op, options, ['eps', 'training', 'momentum']);
  checkTensor(op, 'input', x);
  checkRank(op, 'input', x, [2, 4], '[N, C, H, W] or [N, C]');
  const eps = num(op, 'eps', o.eps ?? 1e-5, 0);
  const training = bool(op, 'training', o.training ?? false);
  num(op, 'momentum', o.momentum ?? 0.1, 0, 1);
  if (training) {
    throw rangeError(op, 'options.training', 'false (batch-statistics mode comes with autograd)', 'true');
  }
  const c = x.shape[1];
  const perChannel: [string, Tensor | null | undefined][] = [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ];
  for (const [name, t] of perChannel) {
    if (t === null || t === undefined) {
      if (name === 'runningMean' || name === 'runningVar') checkTensor(op, name, t);
      continue;
    }
    checkTensor(op, name, t);
    if (t.ndim !== 1 || t.shape[0] !== c) {
      throw rangeError(op, name, `shape [${c}] (the input's channels)`, `shape ${formatShape(t.shape)}`);
    }
  }
  const n = x.shape[0];
  const inner = x.ndim === 4 ? x.shape[2] * x.shape[3] : 1;
  if (x.size === 0) return new Tensor(new Float32Array(0), x.shape);
  const out = native.BatchNorm2d(x.data, runningMean.data, runningVar.data, weight ? weight.data : null, bias ? bias.data : null, {
    n,
    c,
    inner,
    eps,
  });
  return Tensor.fromNative(out, x.shape);
}
