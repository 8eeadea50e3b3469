/**
 * Images in, model inputs out: decode (JPEG / PNG / WebP, via sharp), resize the shorter side
 * (antialiased), center crop, scale to [0, 1], normalize per channel, HWC -> NCHW, batch.
 * sharp is an optional dependency loaded on first use, so that convnode installs and runs
 * without libvips; the geometry and the normalization are plain functions, tested by hand.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { describeValue, rangeError, typeError } from '../errors.js';
import { Tensor } from '../tensor.js';

/** Mean and std per RGB channel, on [0, 1] values. */
export interface Normalization {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** 'imagenet' is torchvision's; 'inception' maps to [-1, 1]; 'none' keeps [0, 1]. */
export const NORMALIZATIONS = {
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  inception: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  none: { mean: [0, 0, 0], std: [1, 1, 1] },
} as const satisfies Record<string, Normalization>;

export interface ImageOptions {
  /** Shorter side after resizing (default 256); 0 skips resizing. */
  resize?: number;
  /** Side of the center crop (default 224); 0 keeps the whole resized image. */
  crop?: number;
  /** A preset name or { mean, std } (default 'imagenet'). */
  normalize?: keyof typeof NORMALIZATIONS | Normalization;
}

/** The subset of sharp's API used here (sharp's own types stay optional too). */
interface SharpLike {
  metadata(): Promise<{ width?: number; height?: number }>;
  rotate(): SharpLike;
  resize(o: { width: number; height: number; fit: 'fill'; kernel: string }): SharpLike;
  extract(o: { left: number; top: number; width: number; height: number }): SharpLike;
  removeAlpha(): SharpLike;
  toColourspace(space: string): SharpLike;
  raw(): SharpLike;
  toBuffer(o: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}
type SharpFactory = (input: Buffer | Uint8Array, options?: Record<string, unknown>) => SharpLike;

const require = createRequire(import.meta.url);
const defaultLoader = (): SharpFactory => require('sharp') as SharpFactory;
let loader: () => SharpFactory = defaultLoader;
let cached: SharpFactory | null = null;

/**
 * Replaces how sharp is loaded (tests simulate its absence with a loader that throws); returns
 * a function restoring the previous loader.
 * @example const restore = cn.image.setSharpLoader(() => { throw new Error('absent'); }); restore();
 */
export function setSharpLoader(next: () => unknown): () => void {
  const before = loader;
  loader = next as () => SharpFactory;
  cached = null;
  return () => {
    loader = before;
    cached = null;
  };
}

function sharp(): SharpFactory {
  if (cached) return cached;
  try {
    cached = loader();
  } catch (e) {
    throw new Error(
      `image: decoding images needs the optional dependency sharp, which could not be loaded (${(e as Error).message}). ` +
        'Install it with `npm install sharp` (its libvips binaries come from npm as @img/sharp-* packages).',
    );
  }
  return cached;
}

/**
 * Output size when the shorter side becomes `shorter` (torchvision's Resize(int): the long side truncated).
 * @example cn.image.resizedSize(640, 480, 256) // { width: 341, height: 256 }
 */
export function resizedSize(width: number, height: number, shorter: number): { width: number; height: number } {
  if (width <= height) return { width: shorter, height: Math.floor((shorter * height) / width) };
  return { width: Math.floor((shorter * width) / height), height: shorter };
}

/** Python's round(): halves go to the even neighbour (what torchvision's CenterCrop uses). */
const roundHalfEven = (v: number): number => {
  const f = Math.floor(v);
  if (v - f !== 0.5) return Math.round(v);
  return f % 2 === 0 ? f : f + 1;
};

/**
 * torchvision's CenterCrop box: offsets round((size - crop) / 2), halves to even.
 * @example cn.image.centerCropBox(341, 256, 224) // { left: 58, top: 16, width: 224, height: 224 }
 */
export function centerCropBox(width: number, height: number, size: number): { left: number; top: number; width: number; height: number } {
  if (size > width || size > height) throw rangeError('image', 'crop', `at most the resized size ${width}x${height}`, String(size));
  return { left: roundHalfEven((width - size) / 2), top: roundHalfEven((height - size) / 2), width: size, height: size };
}

function resolveNormalization(n: ImageOptions['normalize']): Normalization {
  if (n === undefined) return NORMALIZATIONS.imagenet;
  if (typeof n === 'string') {
    if (!Object.prototype.hasOwnProperty.call(NORMALIZATIONS, n)) throw typeError('image', 'normalize', `one of ${Object.keys(NORMALIZATIONS).join(', ')} or { mean, std }`, describeValue(n));
    return NORMALIZATIONS[n];
  }
  const ok = (v: unknown, positive: boolean): boolean => Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0));
  if (!n || typeof n !== 'object' || !ok(n.mean, false) || !ok(n.std, true)) {
    throw typeError('image', 'normalize', '{ mean: [r, g, b], std: [r, g, b] } with std > 0', describeValue(n));
  }
  return n;
}

/**
 * Interleaved 8-bit RGB (HWC) to planar floats (CHW): (v / 255 - mean[c]) / std[c].
 * @example toChw(new Uint8Array([255, 0, 0]), 1, 1, cn.image.NORMALIZATIONS.none) // [1, 0, 0]
 */
export function toChw(hwc: Uint8Array, height: number, width: number, norm: Normalization, out = new Float32Array(3 * height * width)): Float32Array {
  const plane = height * width;
  for (let c = 0; c < 3; c++) {
    const scale = 1 / (255 * norm.std[c]);
    const shift = norm.mean[c] / norm.std[c];
    for (let i = 0; i < plane; i++) out[c * plane + i] = hwc[i * 3 + c] * scale - shift;
  }
  return out;
}

const nameOf = (source: string | Uint8Array): string => (typeof source === 'string' ? source : `<${source.length} bytes>`);

/** Decodes, resizes and crops one image to 8-bit RGB. */
async function decode(source: string | Uint8Array, options: ImageOptions): Promise<{ data: Uint8Array; width: number; height: number }> {
  const name = nameOf(source);
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = await readFile(source);
    } catch (e) {
      throw new Error(`image: cannot read ${name}: ${(e as Error).message}`);
    }
  } else if (source instanceof Uint8Array) bytes = source;
  else throw typeError('image', 'source', 'a file path or a Buffer / Uint8Array of image bytes', describeValue(source));
  const shorter = options.resize ?? 256;
  const crop = options.crop ?? 224;
  for (const [k, v] of [['resize', shorter], ['crop', crop]] as const) {
    if (!Number.isInteger(v) || v < 0) throw rangeError('image', k, 'an integer >= 0', describeValue(v));
  }
  const make = sharp();
  try {
    // rotate() applies the EXIF orientation, as photo viewers (and PIL's exif_transpose) do.
    const meta = await make(bytes, { failOn: 'error' }).rotate().metadata();
    let width = meta.width ?? 0;
    let height = meta.height ?? 0;
    let img = make(bytes, { failOn: 'error' }).rotate();
    if (shorter > 0) {
      ({ width, height } = resizedSize(width, height, shorter));
      img = img.resize({ width, height, fit: 'fill', kernel: 'linear' });
    }
    if (crop > 0) {
      const box = centerCropBox(width, height, crop);
      img = img.extract(box);
      width = height = crop;
    }
    const { data, info } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== width || info.height !== height) {
      throw new Error(`expected ${width}x${height}x3 pixels, got ${info.width}x${info.height}x${info.channels}`);
    }
    return { data, width, height };
  } catch (e) {
    if ((e as Error).message.startsWith('image:')) throw e;
    throw new Error(`image: cannot decode ${name}: ${(e as Error).message}`);
  }
}

/**
 * Loads images into one [N, 3, crop, crop] batch (resize 256, center crop 224, ImageNet
 * normalization by default), ready for a torchvision-style classifier.
 * @example const x = await cn.image.loadImages(['cat.jpg', 'dog.png']); // [2, 3, 224, 224]
 */
export async function loadImages(sources: readonly (string | Uint8Array)[], options: ImageOptions = {}): Promise<Tensor> {
  if (!Array.isArray(sources) || sources.length === 0) throw typeError('image', 'sources', 'a non-empty array of paths or Buffers', describeValue(sources));
  const norm = resolveNormalization(options.normalize);
  const decoded = await Promise.all(sources.map((s) => decode(s, options)));
  const { width, height } = decoded[0];
  decoded.forEach((d, i) => {
    if (d.width !== width || d.height !== height) {
      throw rangeError('image', `sources[${i}]`, `${width}x${height} like sources[0] (set crop to batch images of different sizes)`, `${d.width}x${d.height}`);
    }
  });
  const each = 3 * width * height;
  const out = new Float32Array(decoded.length * each);
  decoded.forEach((d, i) => toChw(d.data, height, width, norm, out.subarray(i * each, (i + 1) * each)));
  return new Tensor(out, [decoded.length, 3, height, width]);
}

/**
 * One image as a [1, 3, crop, crop] tensor.
 * @example const x = await cn.image.loadImage('cat.jpg'); await session.run(x);
 */
export async function loadImage(source: string | Uint8Array, options: ImageOptions = {}): Promise<Tensor> {
  return loadImages([source], options);
}
