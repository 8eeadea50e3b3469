/** Local response normalization (AlexNet) and batch normalization. */
import { formatShape, rangeError } from '../errors.js';
import { record } from '../autograd/graph.js';
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
  const params = { n, c, inner, size, alpha, beta, k };
  const out = Tensor.fromNative(native.Lrn(x.data, params), x.shape);
  return record(op, [x], out, (g) => [Tensor.fromNative(native.LrnBackward(x.data, g.data, params), x.shape)], params);
}

export interface BatchNorm2dOptions {
  eps?: number;
  /** Batch statistics, updating the running ones (training), or running statistics (default). */
  training?: boolean;
  /** Weight of the new batch statistic in the running average (PyTorch's default 0.1). */
  momentum?: number;
}

/**
 * Batch normalization over the channel dim of [N, C, H, W] (or [N, C]):
 * (x - mean) / sqrt(var + eps) * weight + bias. At eval, mean/var are the running statistics;
 * in training they are the batch's, and the running ones are updated in place
 * (running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance).
 * @example cn.batchNorm2d(x, runningMean, runningVar, gamma, beta, { training: true })
 */
export function batchNorm2d(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  options?: BatchNorm2dOptions,
): Tensor {
  const op = 'batchNorm2d';
  const o = checkOptions(op, options, ['eps', 'training', 'momentum']);
  checkTensor(op, 'input', x);
  checkRank(op, 'input', x, [2, 3, 4], '[N, C, H, W], [N, C, L] or [N, C]');
  const eps = num(op, 'eps', o.eps ?? 1e-5, 0);
  const training = bool(op, 'training', o.training ?? false);
  const momentum = num(op, 'momentum', o.momentum ?? 0.1, 0, 1);
  const c = x.shape[1];
  const perChannel: [string, Tensor | null | undefined][] = [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ];
  for (const [name, t] of perChannel) {
    if (t === null || t === undefined) {
      // Without running statistics only batch statistics exist (track_running_stats=False).
      if (!training && (name === 'runningMean' || name === 'runningVar')) checkTensor(op, name, t);
      continue;
    }
    checkTensor(op, name, t);
    if (t.ndim !== 1 || t.shape[0] !== c) {
      throw rangeError(op, name, `shape [${c}] (the input's channels)`, `shape ${formatShape(t.shape)}`);
    }
  }
  const n = x.shape[0];
  const inner = x.shape.slice(2).reduce((a, b) => a * b, 1);
  if (x.size === 0) return new Tensor(new Float32Array(0), x.shape);
  const gamma = weight ?? null;
  const beta = bias ?? null;
  const dims = { n, c, inner };

  let out: Tensor;
  let mean: Float32Array;
  let invStd: Float32Array;
  if (training) {
    const count = n * inner;
    if (count < 2) {
      throw rangeError(op, 'input', 'more than 1 value per channel in training mode', `shape ${formatShape(x.shape)}`);
    }
    const [y, batchMean, batchVar, batchInvStd] = native.BatchNorm2dTrain(x.data, gamma?.data ?? null, beta?.data ?? null, { ...dims, eps });
    out = Tensor.fromNative(y, x.shape);
    mean = batchMean;
    invStd = batchInvStd;
    const unbiased = count / (count - 1);
    if (runningMean) for (let i = 0; i < c; i++) runningMean.data[i] = (1 - momentum) * runningMean.data[i] + momentum * batchMean[i];
    if (runningVar) for (let i = 0; i < c; i++) runningVar.data[i] = (1 - momentum) * runningVar.data[i] + momentum * batchVar[i] * unbiased;
  } else {
    const rm = runningMean as Tensor;
    const rv = runningVar as Tensor;
    out = Tensor.fromNative(native.BatchNorm2d(x.data, rm.data, rv.data, gamma?.data ?? null, beta?.data ?? null, { ...dims, eps }), x.shape);
    mean = rm.data.slice();
    invStd = rv.data.map((v) => 1 / Math.sqrt(v + eps));
  }
  // Saves x and the statistics it normalized with (a copy at eval: running stats change).
  return record(op, [x, gamma, beta, runningMean, runningVar], out, (g) => {
    const [dx, dgamma, dbeta] = native.BatchNorm2dBackward(x.data, g.data, mean, invStd, gamma?.data ?? null, {
      ...dims,
      training,
      affine: gamma !== null,
    });
    return [
      Tensor.fromNative(dx, x.shape),
      gamma && dgamma ? Tensor.fromNative(dgamma, gamma.shape) : null,
      beta && dbeta ? Tensor.fromNative(dbeta, beta.shape) : null,
      null,
      null,
    ];
  }, { ...dims, eps, training });
}
