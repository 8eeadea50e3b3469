/**
 * Datasets: indexable collections of (image, label) samples, as torch.utils.data.Dataset.
 * A sample's image is CHW, uint8 (raw pixels, made float by the toTensor transform) or float32.
 */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { checkTensor, type Tensor } from '../tensor.js';

export interface Sample {
  /** The image, row-major over `shape` (a view: copy before changing it). */
  x: Uint8Array | Float32Array;
  /** [C, H, W] (or any per-sample shape). */
  shape: readonly number[];
  /** The class index. */
  y: number;
}

export interface Dataset {
  readonly length: number;
  get(index: number): Sample;
}

function checkIndex(op: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw rangeError(op, 'index', `an integer in [0, ${length})`, describeValue(index));
  }
}

function toLabels(op: string, labels: unknown, n: number): Int32Array {
  let out: Int32Array;
  if (labels instanceof Int32Array) out = labels;
  else if (ArrayBuffer.isView(labels) || Array.isArray(labels)) out = Int32Array.from(labels as ArrayLike<number>);
  else if (labels !== null && typeof labels === 'object' && 'data' in labels && 'shape' in labels) out = Int32Array.from((labels as Tensor).data);
  else throw typeError(op, 'labels', 'an Int32Array, a number[], a typed array or a Tensor', describeValue(labels));
  if (out.length !== n) throw rangeError(op, 'labels', `${n} labels (one per sample)`, `${out.length}`);
  return out;
}

/**
 * Samples `images[i]` (a Tensor [N, ...]) with labels `labels[i]`.
 * @example const ds = new cn.data.TensorDataset(cn.randn([100, 1, 28, 28]), labels);
 */
export class TensorDataset implements Dataset {
  readonly length: number;
  readonly labels: Int32Array;
  private readonly sampleShape: number[];
  private readonly sampleSize: number;

  constructor(readonly images: Tensor, labels: Int32Array | ArrayLike<number> | Tensor) {
    checkTensor('TensorDataset', 'images', images);
    if (images.ndim < 1) throw rangeError('TensorDataset', 'images', 'a tensor [N, ...]', `shape ${formatShape(images.shape)}`);
    this.length = images.shape[0];
    this.sampleShape = images.shape.slice(1);
    this.sampleSize = this.sampleShape.reduce((a, b) => a * b, 1);
    this.labels = toLabels('TensorDataset', labels, this.length);
  }

  get(index: number): Sample {
    checkIndex('TensorDataset.get', index, this.length);
    const x = this.images.data.subarray(index * this.sampleSize, (index + 1) * this.sampleSize);
    return { x, shape: this.sampleShape, y: this.labels[index] };
  }
}

/**
 * Uint8 images [N, C, H, W] with labels: what IDX files hold. Pixels stay bytes in memory
 * (1 byte each) until a transform makes them float.
 * @example const ds = new cn.data.ImageDataset(pixels, [n, 1, 28, 28], labels, classNames);
 */
export class ImageDataset implements Dataset {
  readonly length: number;
  readonly labels: Int32Array;
  readonly sampleShape: readonly number[];
  private readonly sampleSize: number;

  constructor(
    readonly pixels: Uint8Array,
    /** [N, C, H, W] */
    readonly shape: readonly number[],
    labels: Int32Array | ArrayLike<number>,
    /** The name of each class index, when known. */
    readonly classes: readonly string[] = [],
  ) {
    if (!(pixels instanceof Uint8Array)) throw typeError('ImageDataset', 'pixels', 'a Uint8Array', describeValue(pixels));
    if (!Array.isArray(shape) || shape.length !== 4) throw rangeError('ImageDataset', 'shape', '[N, C, H, W]', describeValue(shape));
    const total = shape.reduce((a, b) => a * b, 1);
    if (total !== pixels.length) throw rangeError('ImageDataset', 'pixels', `${total} bytes (shape ${formatShape(shape)})`, `${pixels.length}`);
    this.length = shape[0];
    this.sampleShape = Object.freeze(shape.slice(1));
    this.sampleSize = total / Math.max(1, shape[0]);
    this.labels = toLabels('ImageDataset', labels, this.length);
  }

  get(index: number): Sample {
    checkIndex('ImageDataset.get', index, this.length);
    return { x: this.pixels.subarray(index * this.sampleSize, (index + 1) * this.sampleSize), shape: this.sampleShape, y: this.labels[index] };
  }

  /** A dataset of the samples at `indices` (pixels copied). @example ds.subset([0, 1, 2]) */
  subset(indices: ArrayLike<number>): ImageDataset {
    const n = indices.length;
    const out = new Uint8Array(n * this.sampleSize);
    const labels = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = indices[k];
      checkIndex('ImageDataset.subset', i, this.length);
      out.set(this.pixels.subarray(i * this.sampleSize, (i + 1) * this.sampleSize), k * this.sampleSize);
      labels[k] = this.labels[i];
    }
    return new ImageDataset(out, [n, ...this.sampleShape], labels, this.classes);
  }
}
