/** Pooling layers (torch.nn.MaxPool2d, AvgPool2d, LPPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d). */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { bool, checkOptions, int, num, pair } from '../ops/args.js';
import {
  adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, lpPool2d, maxPool2d, poolOutputSize,
} from '../ops/pool.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { advance, expectRank, type TraceState } from './trace.js';

type Size2 = number | readonly [number, number];

abstract class WindowPool extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly ceilMode: boolean;

  protected constructor(op: string, kernelSize: Size2, o: Record<string, unknown>) {
    super();
    this.kernelSize = pair(op, 'kernelSize', kernelSize, 1);
    this.stride = o.stride === undefined || o.stride === null ? [...this.kernelSize] : pair(op, 'stride', o.stride, 1);
    this.padding = pair(op, 'padding', o.padding ?? 0, 0);
    this.dilation = pair(op, 'dilation', o.dilation ?? 1, 1);
    this.ceilMode = bool(op, 'ceilMode', o.ceilMode ?? false);
    if (this.padding[0] > Math.floor(this.kernelSize[0] / 2) || this.padding[1] > Math.floor(this.kernelSize[1] / 2)) {
      throw rangeError(op, 'padding', 'at most half the kernel size', `[${this.padding}]`);
    }
  }

  protected override inferTrace(input: TraceState): TraceState {
    expectRank(this.typeName, input, 4, '[N, C, H, W]');
    const [n, c, h, w] = input.shape;
    const oh = poolOutputSize(h, this.kernelSize[0], this.stride[0], this.padding[0], this.dilation[0], this.ceilMode);
    const ow = poolOutputSize(w, this.kernelSize[1], this.stride[1], this.padding[1], this.dilation[1], this.ceilMode);
    if (oh < 1 || ow < 1) {
      throw rangeError(this.typeName, 'input', `a map the ${this.kernelSize[0]}x${this.kernelSize[1]} window fits`, `shape ${formatShape(input.shape)}`);
    }
    return advance(input, [n, c, oh, ow], this.kernelSize[0], this.stride[0], this.dilation[0]);
  }

  override extraRepr(): string {
    return `kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}]${this.ceilMode ? ', ceilMode=true' : ''}`;
  }
}

export interface MaxPool2dModuleOptions {
  /** Defaults to kernelSize. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
}

/**
 * Max pooling layer.
 * @example new cn.nn.MaxPool2d(3, { stride: 2, padding: 1 }).forward(x)
 */
export class MaxPool2d extends WindowPool {
  constructor(kernelSize: Size2, options: MaxPool2dModuleOptions = {}) {
    super('MaxPool2d', kernelSize, checkOptions('MaxPool2d', options, ['stride', 'padding', 'dilation', 'ceilMode']));
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, { kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
}

export interface AvgPool2dModuleOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/**
 * Average pooling layer.
 * @example new cn.nn.AvgPool2d(2).forward(x) // halves H and W
 */
export class AvgPool2d extends WindowPool {
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Size2, options: AvgPool2dModuleOptions = {}) {
    const op = 'AvgPool2d';
    const o = checkOptions(op, options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
    super(op, kernelSize, o);
    this.countIncludePad = bool(op, 'countIncludePad', o.countIncludePad ?? true);
    this.divisorOverride = o.divisorOverride === undefined || o.divisorOverride === null ? null : int(op, 'divisorOverride', o.divisorOverride, 1);
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, {
      kernelSize: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      ...(this.divisorOverride === null ? {} : { divisorOverride: this.divisorOverride }),
    });
  }
}

export interface LPPool2dModuleOptions {
  stride?: Size2 | null;
  ceilMode?: boolean;
}

/**
 * Power-average pooling: (sum over the window of x^p)^(1/p). torch.nn.LPPool2d(norm_type, kernel_size).
 * @example new cn.nn.LPPool2d(2, 2).forward(x)
 */
export class LPPool2d extends WindowPool {
  readonly normType: number;

  constructor(normType: number, kernelSize: Size2, options: LPPool2dModuleOptions = {}) {
    const op = 'LPPool2d';
    super(op, kernelSize, checkOptions(op, options, ['stride', 'ceilMode']));
    this.normType = num(op, 'normType', normType, Number.MIN_VALUE);
  }

  forward(x: Tensor): Tensor {
    return lpPool2d(x, { p: this.normType, kernelSize: this.kernelSize, stride: this.stride, ceilMode: this.ceilMode });
  }

  override extraRepr(): string {
    return `normType=${this.normType}, ${super.extraRepr()}`;
  }
}

abstract class AdaptivePool extends Module {
  readonly outputSize: [number, number];

  protected constructor(op: string, outputSize: Size2) {
    super();
    if (typeof outputSize !== 'number' && !Array.isArray(outputSize)) {
      throw typeError(op, 'outputSize', 'an integer >= 1 or [oh, ow]', describeValue(outputSize));
    }
    this.outputSize = pair(op, 'outputSize', outputSize, 1);
  }

  protected override inferTrace(input: TraceState): TraceState {
    expectRank(this.typeName, input, 4, '[N, C, H, W]');
    const [n, c, h] = input.shape;
    const [oh, ow] = this.outputSize;
    if (input.shape[2] < 1 || input.shape[3] < 1) throw rangeError(this.typeName, 'input', 'H and W >= 1', `shape ${formatShape(input.shape)}`);
    // Window i spans [floor(i*h/oh), ceil((i+1)*h/oh)): its widest window and mean step.
    let kernel = 1;
    for (let i = 0; i < oh; i++) kernel = Math.max(kernel, Math.ceil(((i + 1) * h) / oh) - Math.floor((i * h) / oh));
    const stride = Math.max(1, Math.floor(h / oh));
    return advance(input, [n, c, oh, ow], kernel, stride);
  }

  override extraRepr(): string {
    return `outputSize=[${this.outputSize}]`;
  }
}

/**
 * Average pooling to a fixed output size (what lets VGG and ResNet take any input size).
 * @example new cn.nn.AdaptiveAvgPool2d([7, 7]).forward(x)
 */
export class AdaptiveAvgPool2d extends AdaptivePool {
  constructor(outputSize: Size2) {
    super('AdaptiveAvgPool2d', outputSize);
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** @example new cn.nn.AdaptiveMaxPool2d(1).forward(x) // [N, C, 1, 1] */
export class AdaptiveMaxPool2d extends AdaptivePool {
  constructor(outputSize: Size2) {
    super('AdaptiveMaxPool2d', outputSize);
  }

  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
}
