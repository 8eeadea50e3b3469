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

/**
 * A fast uniform stream in [-1, 1) seeded from `gen` (four draws): xoshiro128** as Generator,
 * but with its state in int32 locals so that filling 100M weights takes ~0.3 s instead of ~3 s
 * (the class keeps uint32 words that V8 boxes as doubles).
 */
function signedStream(gen: Generator): () => number {
  let s0 = gen.nextUint32() | 0;
  let s1 = gen.nextUint32() | 0;
  let s2 = gen.nextUint32() | 0;
  let s3 = gen.nextUint32() | 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  return () => {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return (r >>> 0) / 2147483648 - 1;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Checks arguments; returns the data to write, or null inside skipInit. */
function target(t: Tensor, gen: Generator): Float32Array | null {
  checkTensor('init', 'tensor', t);
  if (!(gen instanceof Generator)) throw typeError('init', 'generator', 'a Generator', describeValue(gen));
  return initEnabled ? t.data : null;
}

/** Standard normals in pairs by Marsaglia's polar method (one log per pair). */
function fillNormal(d: Float32Array, gen: Generator, mean: number, std: number, accept: (v: number) => boolean): void {
  const next = signedStream(gen);
  let i = 0;
  while (i < d.length) {
    let u: number;
    let v: number;
    let s: number;
    do {
      u = next();
      v = next();
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    const a = mean + std * u * f;
    const b = mean + std * v * f;
    if (accept(a)) d[i++] = a;
    if (i < d.length && accept(b)) d[i++] = b;
  }
}

/** U(low, high). @example nn.init.uniform(bias, gen, -0.1, 0.1) */
export function uniform(t: Tensor, gen: Generator, low = 0, high = 1): Tensor {
  const d = target(t, gen);
  if (!d) return t;
  const next = signedStream(gen);
  const half = (high - low) / 2;
  const mid = low + half;
  for (let i = 0; i < d.length; i++) d[i] = mid + half * next();
  return t;
}

const always = (): boolean => true;

/** N(mean, std^2). @example nn.init.normal(linear.weight, gen, 0, 0.01) */
export function normal(t: Tensor, gen: Generator, mean = 0, std = 1): Tensor {
  const d = target(t, gen);
  if (d) fillNormal(d, gen, mean, std, always);
  return t;
}

/** N(mean, std^2) redrawn until inside [a, b] (absolute bounds, as torch's trunc_normal_). */
export function truncNormal(t: Tensor, gen: Generator, mean = 0, std = 1, a = -2, b = 2): Tensor {
  if (!(a < b)) throw rangeError('truncNormal', 'b', `a bound above a (${a})`, describeValue(b));
  const d = target(t, gen);
  if (d) fillNormal(d, gen, mean, std, (v) => v >= a && v <= b);
  return t;
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
