/** What every zoo builder shares: its options, the input check, and weight initialization. */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { checkOptions, int, num } from '../ops/args.js';
import { Generator } from '../random.js';
import { Tensor, checkTensor } from '../tensor.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { BatchNorm2d } from '../nn/normalization.js';
import type { Module } from '../nn/module.js';

export interface ModelOptions {
  /** Size of the classifier output (1000, ImageNet, unless said otherwise). */
  numClasses?: number;
  /** Channels of the input image (3 = RGB unless said otherwise). */
  inChannels?: number;
  /** Seed of the initial weights (default 0): the same seed builds the same weights. */
  seed?: number;
}

export interface ResolvedModelOptions {
  numClasses: number;
  inChannels: number;
  generator: Generator;
}

/** Validates a builder's options (rejecting unknown names) and applies its defaults. */
export function modelOptions(
  op: string,
  options: unknown,
  extra: readonly string[] = [],
  defaults: { numClasses?: number; inChannels?: number } = {},
): ResolvedModelOptions & Record<string, unknown> {
  const o = checkOptions(op, options, ['numClasses', 'inChannels', 'seed', ...extra]);
  const seed = o.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw typeError(op, 'options.seed', 'an integer', describeValue(seed));
  return {
    ...o,
    numClasses: int(op, 'options.numClasses', o.numClasses ?? defaults.numClasses ?? 1000, 1),
    inChannels: int(op, 'options.inChannels', o.inChannels ?? defaults.inChannels ?? 3, 1),
    generator: new Generator(seed),
  };
}

/** A builder's `dropout` option: a probability in [0, 1], or the model's default. */
export function dropoutOption(op: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : num(op, 'options.dropout', value, 0, 1);
}

/** What a model accepts: its input channels and the smallest (or the only) spatial size. */
export interface InputSpec {
  inChannels: number;
  /** Smallest H and W the layers can reduce to a valid output (1 when any size works). */
  minSize?: number;
  /** The one H = W the model takes (LeNet's fixed-size classifier). */
  exactSize?: number;
}

/**
 * The model-level input check, shared by forward and summary's shape inference: names the
 * model, the layout and the channels it was built for, instead of a failure deep inside.
 */
export function checkModelInputShape(model: string, shape: readonly number[], spec: InputSpec): void {
  const { inChannels, minSize = 1, exactSize } = spec;
  const sizeOk = exactSize !== undefined
    ? shape[2] === exactSize && shape[3] === exactSize
    : shape[2] >= minSize && shape[3] >= minSize;
  if (shape.length !== 4 || shape[1] !== inChannels || !sizeOk) {
    const expected = exactSize !== undefined
      ? `[N, ${inChannels}, ${exactSize}, ${exactSize}] (inChannels = ${inChannels})`
      : `[N, ${inChannels}, H, W] (inChannels = ${inChannels}${minSize > 1 ? `, H and W >= ${minSize}` : ''})`;
    throw rangeError(model, 'input', expected, `shape ${formatShape(shape)}`);
  }
}

/** checkModelInputShape on a tensor (after checking it is a live Tensor). */
export function checkModelInput(model: string, x: Tensor, spec: InputSpec): void {
  checkTensor(model, 'input', x);
  checkModelInputShape(model, x.shape, spec);
}

export interface InitScheme {
  conv?: (m: Conv2d, gen: Generator) => void;
  linear?: (m: Linear, gen: Generator) => void;
  batchNorm?: (m: BatchNorm2d) => void;
}

/**
 * Applies an initialization scheme to every Conv2d, Linear and BatchNorm2d, in module order
 * (as torchvision's loops over self.modules()); layers a rule leaves out keep PyTorch's default.
 */
export function initWeights(model: Module, gen: Generator, scheme: InitScheme): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) (scheme.conv ?? ((c, g) => c.resetParameters(g)))(m, gen);
    else if (m instanceof Linear) (scheme.linear ?? ((l, g) => l.resetParameters(g)))(m, gen);
    else if (m instanceof BatchNorm2d) (scheme.batchNorm ?? ((b) => b.resetParameters()))(m);
  }
}
