/**
 * Weight initializers (torch.nn.init), drawing from a seeded Generator so that a model built
 * with the same seed has the same weights on every run and platform. Each fills a tensor in
 * place and returns it.
 */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { Generator } from '../random.js';
import { Tensor, checkTensor } from '../tensor.js';

let initEnabled = true;

/**
 * Builds modules without drawing initial weights (they stay zero), as torch's skip_init: for
 * counting parameters or shapes of big models, or before loading a state dict.
 * @example const vgg = cn.nn.skipInit(() => cn.models.vgg16()); vgg.loadStateDict(weights);
 */
export function skipInit<T>(build: () => T): T {
  const before = initEnabled;
  initEnabled = false;
  try {
    return build();
  } finally {
    initEnabled = before;
  }
}

/** Whether initializers currently write (false inside skipInit). */
export function isInitEnabled(): boolean {
  return initEnabled;
}

/** [fanIn, fanOut] of a weight [out, in, ...kernel] (as torch's _calculate_fan_in_and_fan_out). */
export function fans(t: Tensor): [number, number] {
  if (t.ndim < 2) throw rangeError('init', 'tensor', 'at least 2-D to compute fan in and fan out', `shape ${formatShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

export type Nonlinearity = 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu';

/** torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    default:
      throw typeError('calculateGain', 'nonlinearity', 'linear, conv2d, sigmoid, tanh, relu or leaky_relu', describeValue(nonlinearity));
  }
}

function fill(t: Tensor, gen: Generator, sample: () => number): Tensor {
  checkTensor('init', 'tensor', t);
  if (!(gen instanceof Generator)) throw typeError('init', 'generator', 'a Generator', describeValue(gen));
  if (!initEnabled) return t;
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = sample();
  return t;
}

/** U(low, high). @example nn.init.uniform(bias, gen, -0.1, 0.1) */
export function uniform(t: Tensor, gen: Generator, low = 0, high = 1): Tensor {
  const span = high - low;
  return fill(t, gen, () => low + span * gen.uniform());
}

/** N(mean, std^2). @example nn.init.normal(linear.weight, gen, 0, 0.01) */
export function normal(t: Tensor, gen: Generator, mean = 0, std = 1): Tensor {
  return fill(t, gen, () => mean + std * gen.normal());
}

/** N(mean, std^2) redrawn until inside [a, b] (absolute bounds, as torch's trunc_normal_). */
export function truncNormal(t: Tensor, gen: Generator, mean = 0, std = 1, a = -2, b = 2): Tensor {
  if (!(a < b)) throw rangeError('truncNormal', 'b', `a bound above a (${a})`, describeValue(b));
  return fill(t, gen, () => {
    for (;;) {
      const v = mean + std * gen.normal();
      if (v >= a && v <= b) return v;
    }
  });
}

/** Every element = value. */
export function constant(t: Tensor, value: number): Tensor {
  checkTensor('init', 'tensor', t);
  if (initEnabled) t.data.fill(value);
  return t;
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU after the layer (torch's a). */
  a?: number;
  mode?: 'fanIn' | 'fanOut';
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fanIn, fanOut] = fans(t);
  const fan = (o.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return fan === 0 ? 0 : gain / Math.sqrt(fan);
}

/**
 * He uniform: U(-b, b) with b = gain * sqrt(3 / fan). PyTorch's default for Conv2d and Linear
 * weights is a = sqrt(5), which makes b = 1/sqrt(fan_in).
 * @example nn.init.kaimingUniform(w, gen, { a: Math.sqrt(5) })
 */
export function kaimingUniform(t: Tensor, gen: Generator, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return uniform(t, gen, -bound, bound);
}

/**
 * He normal: N(0, gain^2 / fan). torchvision's VGG/ResNet/MobileNet convs use
 * { mode: 'fanOut', nonlinearity: 'relu' }.
 * @example nn.init.kaimingNormal(conv.weight, gen, { mode: 'fanOut', nonlinearity: 'relu' })
 */
export function kaimingNormal(t: Tensor, gen: Generator, options: KaimingOptions = {}): Tensor {
  return normal(t, gen, 0, kaimingStd(t, options));
}

/** Where a layer draws its initial weights: an explicit generator, a seed, or a random seed. */
export interface InitOptions {
  generator?: Generator;
  seed?: number;
}

/** The generator named by InitOptions (a fresh random one when neither is given). */
export function generatorFrom(op: string, options: InitOptions): Generator {
  if (options.generator !== undefined) {
    if (!(options.generator instanceof Generator)) throw typeError(op, 'options.generator', 'a Generator', describeValue(options.generator));
    return options.generator;
  }
  if (options.seed !== undefined) {
    if (typeof options.seed !== 'number' || !Number.isInteger(options.seed)) {
      throw typeError(op, 'options.seed', 'an integer', describeValue(options.seed));
    }
    return new Generator(options.seed);
  }
  return new Generator(Math.floor(Math.random() * 2 ** 32));
}
