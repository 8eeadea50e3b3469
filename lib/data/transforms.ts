/**
 * Per-sample image transforms (CHW), as torchvision.transforms: toTensor, normalize, randomCrop
 * with padding, randomHorizontalFlip, compose. A transform gets the sample and the loader's
 * generator for the epoch, so random augmentation is reproducible from the loader's seed. They
 * never change their input (dataset samples are views of the dataset).
 */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import type { Generator } from '../random.js';

export interface Image {
  data: Uint8Array | Float32Array;
  /** [C, H, W] */
  shape: readonly number[];
}

export type Transform = (image: Image, generator: Generator) => Image;

function chw(op: string, image: Image): [number, number, number] {
  if (image.shape.length !== 3) throw rangeError(op, 'image', 'a [C, H, W] image', `shape ${formatShape(image.shape)}`);
  return image.shape as [number, number, number];
}

function perChannel(op: string, arg: string, v: unknown, channels: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(channels).fill(v) : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw typeError(op, arg, 'a number or one number per channel', describeValue(v));
  }
  if (list.length !== channels) throw rangeError(op, arg, `${channels} values (one per channel)`, `${list.length}`);
  return list;
}

/**
 * Uint8 pixels to float32 in [0, 1] (x / 255); float images pass through.
 * @example cn.data.transforms.toTensor()
 */
export function toTensor(): Transform {
  return (image) => {
    if (image.data instanceof Float32Array) return image;
    const out = new Float32Array(image.data.length);
    for (let i = 0; i < out.length; i++) out[i] = image.data[i] / 255;
    return { data: out, shape: image.shape };
  };
}

/**
 * (x - mean[c]) / std[c] per channel; uint8 images are made [0, 1] first (as toTensor).
 * @example cn.data.transforms.normalize({ mean: 0.2860, std: 0.3530 }) // Fashion-MNIST's
 */
export function normalize(options: { mean: number | number[]; std: number | number[] }): Transform {
  if (options === null || typeof options !== 'object') throw typeError('normalize', 'options', '{ mean, std }', describeValue(options));
  const { mean, std } = options;
  for (const [k, v] of [['mean', mean], ['std', std]] as const) {
    const ok = typeof v === 'number' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'));
    if (!ok) throw typeError('normalize', `options.${k}`, 'a number or one number per channel', describeValue(v));
  }
  if ((Array.isArray(std) ? std : [std]).some((s) => !(s > 0))) throw rangeError('normalize', 'options.std', 'values > 0', describeValue(std));
  const scale = toTensor();
  return (image, gen) => {
    const [c, h, w] = chw('normalize', image);
    const m = perChannel('normalize', 'options.mean', mean, c);
    const s = perChannel('normalize', 'options.std', std, c);
    const src = scale(image, gen).data;
    const out = new Float32Array(src.length);
    const plane = h * w;
    for (let k = 0; k < c; k++) {
      const inv = 1 / s[k];
      for (let i = k * plane; i < (k + 1) * plane; i++) out[i] = (src[i] - m[k]) * inv;
    }
    return { data: out, shape: image.shape };
  };
}

/**
 * Pads every side by `padding` (with `fill`), then crops a random `size` window: the classic
 * CIFAR / Fashion-MNIST augmentation (`{ size: 28, padding: 4 }` shifts by up to 4 pixels).
 * @example cn.data.transforms.randomCrop({ size: 28, padding: 2 })
 */
export function randomCrop(options: { size: number | [number, number]; padding?: number; fill?: number }): Transform {
  if (options === null || typeof options !== 'object') throw typeError('randomCrop', 'options', '{ size, padding?, fill? }', describeValue(options));
  const size = typeof options.size === 'number' ? [options.size, options.size] : options.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => Number.isInteger(s) && s >= 1)) {
    throw rangeError('randomCrop', 'options.size', 'an integer >= 1 or [height, width]', describeValue(options.size));
  }
  const pad = options.padding ?? 0;
  if (!Number.isInteger(pad) || pad < 0) throw rangeError('randomCrop', 'options.padding', 'an integer >= 0', describeValue(pad));
  const fill = options.fill ?? 0;
  if (typeof fill !== 'number') throw typeError('randomCrop', 'options.fill', 'a number', describeValue(fill));
  const [oh, ow] = size;
  return (image, gen) => {
    const [c, h, w] = chw('randomCrop', image);
    if (oh > h + 2 * pad || ow > w + 2 * pad) {
      throw rangeError('randomCrop', 'options.size', `at most the padded image [${h + 2 * pad}, ${w + 2 * pad}]`, `[${oh}, ${ow}]`);
    }
    // Offsets into the padded image, so top = pad means "no shift".
    const top = gen.integer(h + 2 * pad - oh + 1);
    const left = gen.integer(w + 2 * pad - ow + 1);
    const out = image.data instanceof Uint8Array ? new Uint8Array(c * oh * ow) : new Float32Array(c * oh * ow);
    for (let k = 0; k < c; k++) {
      for (let y = 0; y < oh; y++) {
        const sy = top + y - pad;
        for (let x = 0; x < ow; x++) {
          const sx = left + x - pad;
          out[(k * oh + y) * ow + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? image.data[(k * h + sy) * w + sx] : fill;
        }
      }
    }
    return { data: out, shape: [c, oh, ow] };
  };
}

/**
 * Mirrors the image left-right with probability `p` (default 0.5).
 * @example cn.data.transforms.randomHorizontalFlip()
 */
export function randomHorizontalFlip(options: { p?: number } = {}): Transform {
  const p = options?.p ?? 0.5;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw rangeError('randomHorizontalFlip', 'options.p', 'a probability in [0, 1]', describeValue(p));
  return (image, gen) => {
    const [c, h, w] = chw('randomHorizontalFlip', image);
    if (!(gen.uniform() < p)) return image;
    const out = image.data instanceof Uint8Array ? new Uint8Array(image.data.length) : new Float32Array(image.data.length);
    for (let row = 0; row < c * h; row++) {
      const base = row * w;
      for (let x = 0; x < w; x++) out[base + x] = image.data[base + w - 1 - x];
    }
    return { data: out, shape: image.shape };
  };
}

/**
 * Applies transforms in order.
 * @example
 * const { compose, randomCrop, randomHorizontalFlip, normalize } = cn.data.transforms;
 * const augment = compose([randomCrop({ size: 28, padding: 2 }), randomHorizontalFlip(), normalize({ mean: 0.286, std: 0.353 })]);
 */
export function compose(transforms: Transform[]): Transform {
  if (!Array.isArray(transforms) || !transforms.every((t) => typeof t === 'function')) {
    throw typeError('compose', 'transforms', 'an array of transforms (functions)', describeValue(transforms));
  }
  return (image, gen) => transforms.reduce((img, t) => t(img, gen), image);
}
