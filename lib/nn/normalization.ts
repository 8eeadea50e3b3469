/** BatchNorm2d and LocalResponseNorm (torch.nn names, defaults and state-dict entries). */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { bool, checkOptions, int, num } from '../ops/args.js';
import { batchNorm2d, lrn } from '../ops/norm.js';
import { Tensor, checkTensor, ones, zeros } from '../tensor.js';
import { Module } from './module.js';
import { reshaped, type TraceState } from './trace.js';

export interface BatchNorm2dModuleOptions {
  eps?: number;
  /** Weight of the new batch statistic in the running average; null = cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight) and shift (bias); default true. */
  affine?: boolean;
}

/**
 * Batch normalization over channels with PyTorch's state: weight, bias (affine) and the
 * buffers running_mean, running_var, num_batches_tracked. In training mode the op normalizes
 * with batch statistics and updates the running ones; in eval mode it uses the running ones.
 * @example const bn = new cn.nn.BatchNorm2d(64); bn.eval(); bn.forward(x)
 */
export class BatchNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;

  constructor(numFeatures: number, options: BatchNorm2dModuleOptions = {}) {
    super();
    const op = 'BatchNorm2d';
    const o = checkOptions(op, options, ['eps', 'momentum', 'affine']);
    this.numFeatures = int(op, 'numFeatures', numFeatures, 1);
    this.eps = num(op, 'eps', o.eps ?? 1e-5, 0);
    this.momentum = o.momentum === null ? null : num(op, 'momentum', o.momentum ?? 0.1, 0, 1);
    const affine = bool(op, 'affine', o.affine ?? true);
    this.weight = this.registerParameter('weight', affine ? ones([this.numFeatures]) : null);
    this.bias = this.registerParameter('bias', affine ? zeros([this.numFeatures]) : null);
    this.runningMean = this.registerBuffer('running_mean', zeros([this.numFeatures]))!;
    this.runningVar = this.registerBuffer('running_var', ones([this.numFeatures]))!;
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', zeros([]))!;
  }

  /** Running statistics back to mean 0, variance 1; weight 1 and bias 0. */
  resetParameters(): void {
    this.runningMean.data.fill(0);
    this.runningVar.data.fill(1);
    this.numBatchesTracked.data.fill(0);
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  forward(x: Tensor): Tensor {
    checkTensor(this.typeName, 'input', x);
    if ((x.ndim !== 4 && x.ndim !== 2) || x.shape[1] !== this.numFeatures) {
      throw rangeError(this.typeName, 'input', `[N, ${this.numFeatures}, H, W] (numFeatures = ${this.numFeatures})`, `shape ${formatShape(x.shape)}`);
    }
    // PyTorch: momentum null means a cumulative average, factor 1/num_batches_tracked.
    const tracked = this.numBatchesTracked.data[0] + 1;
    const momentum = this.momentum ?? (this.training ? 1 / tracked : 0);
    const y = batchNorm2d(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      eps: this.eps,
      training: this.training,
      momentum,
    });
    if (this.training) this.numBatchesTracked.data[0] = tracked;
    return y;
  }

  protected override inferTrace(input: TraceState): TraceState {
    if ((input.shape.length !== 4 && input.shape.length !== 2) || input.shape[1] !== this.numFeatures) {
      throw rangeError(this.typeName, 'input', `[N, ${this.numFeatures}, H, W] (numFeatures = ${this.numFeatures})`, `shape ${formatShape(input.shape)}`);
    }
    return reshaped(input, input.shape);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}`;
  }
}

export interface LocalResponseNormOptions {
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Local response normalization across `size` neighbouring channels (AlexNet: size 5,
 * alpha 1e-4, beta 0.75, k 2). Defaults as torch.nn.LocalResponseNorm (alpha 1e-4, beta 0.75, k 1).
 * @example new cn.nn.LocalResponseNorm(5, { alpha: 1e-4, beta: 0.75, k: 2 })
 */
export class LocalResponseNorm extends Module {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;

  constructor(size: number, options: LocalResponseNormOptions = {}) {
    super();
    const op = 'LocalResponseNorm';
    if (typeof size !== 'number') throw typeError(op, 'size', 'an integer >= 1', describeValue(size));
    const o = checkOptions(op, options, ['alpha', 'beta', 'k']);
    this.size = int(op, 'size', size, 1);
    this.alpha = num(op, 'alpha', o.alpha ?? 1e-4);
    this.beta = num(op, 'beta', o.beta ?? 0.75);
    this.k = num(op, 'k', o.k ?? 1);
  }

  forward(x: Tensor): Tensor {
    return lrn(x, { size: this.size, alpha: this.alpha, beta: this.beta, k: this.k });
  }

  protected override inferTrace(input: TraceState): TraceState {
    if (input.shape.length < 3) throw rangeError(this.typeName, 'input', 'at least 3-D [N, C, ...]', `shape ${formatShape(input.shape)}`);
    return reshaped(input, input.shape);
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${this.alpha}, beta=${this.beta}, k=${this.k}`;
  }
}
