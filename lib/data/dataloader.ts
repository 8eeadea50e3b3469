/**
 * DataLoader: batches of a dataset, shuffled reproducibly, as torch.utils.data.DataLoader.
 *
 * Each pass (`for (const batch of loader)`) is one epoch. Epoch e (counted from 0, one per
 * pass, or set with `setEpoch(e)`) draws its order and its augmentation from
 * `new Generator(seed + e)`, so any epoch can be replayed alone: resuming at epoch e after a
 * checkpoint sees exactly the batches an uninterrupted run would.
 */
import { describeValue, formatShape, rangeError, typeError } from '../errors.js';
import { Generator } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Dataset } from './dataset.js';
import type { Transform } from './transforms.js';

export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A new random order each epoch (default false: dataset order). */
  shuffle?: boolean;
  /** Seed of the order and the augmentation (default 0). */
  seed?: number;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Applied to each sample; uint8 images still uint8 afterwards are scaled to [0, 1]. */
  transform?: Transform;
}

export interface Batch {
  /** [B, C, H, W] float32. */
  x: Tensor;
  /** Class indices, one per sample. */
  y: Int32Array;
  /** Which dataset samples these are. */
  indices: Int32Array;
}

export class DataLoader implements Iterable<Batch> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  readonly transform: Transform | undefined;
  /** The epoch the next pass runs. */
  epoch = 0;

  /**
   * @example
   * const loader = new cn.data.DataLoader(train, { batchSize: 64, shuffle: true, seed: 0 });
   * for (const { x, y } of loader) { ... } // x: [64, 1, 28, 28], y: Int32Array(64)
   */
  constructor(readonly dataset: Dataset, options: DataLoaderOptions = {}) {
    const op = 'DataLoader';
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length)) {
      throw typeError(op, 'dataset', 'a Dataset { length, get(i) }', describeValue(dataset));
    }
    if (options === null || typeof options !== 'object') throw typeError(op, 'options', 'an object', describeValue(options));
    const known = ['batchSize', 'shuffle', 'seed', 'dropLast', 'transform'];
    for (const k of Object.keys(options)) {
      if (!known.includes(k)) throw rangeError(op, `options.${k}`, `one of the options ${known.join(', ')}`, `an unknown option ${JSON.stringify(k)}`);
    }
    const { batchSize = 1, shuffle = false, seed = 0, dropLast = false, transform } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw rangeError(op, 'options.batchSize', 'an integer >= 1', describeValue(batchSize));
    if (typeof shuffle !== 'boolean') throw typeError(op, 'options.shuffle', 'a boolean', describeValue(shuffle));
    if (typeof dropLast !== 'boolean') throw typeError(op, 'options.dropLast', 'a boolean', describeValue(dropLast));
    if (!Number.isInteger(seed)) throw typeError(op, 'options.seed', 'an integer', describeValue(seed));
    if (transform !== undefined && typeof transform !== 'function') throw typeError(op, 'options.transform', 'a transform (a function)', describeValue(transform));
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
    this.transform = transform;
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Makes the next pass run epoch `e` (e.g. after resuming from a checkpoint). */
  setEpoch(e: number): void {
    if (!Number.isInteger(e) || e < 0) throw rangeError('DataLoader.setEpoch', 'epoch', 'an integer >= 0', describeValue(e));
    this.epoch = e;
  }

  /** The sample order of epoch `e` (dataset order when not shuffling). */
  order(e: number = this.epoch): Int32Array {
    const n = this.dataset.length;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    if (this.shuffle) {
      const gen = new Generator(this.seed + e);
      for (let i = n - 1; i > 0; i--) {
        const j = gen.integer(i + 1);
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
    }
    return idx;
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const e = this.epoch;
    this.epoch = e + 1;
    const order = this.order(e);
    // The augmentation draws from its own stream, so it does not depend on shuffle's draws.
    const augment = new Generator((this.seed + e) ^ 0x5bd1e995);
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const indices = order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize));
      yield this.collate(indices, augment);
    }
  }

  private collate(indices: Int32Array, gen: Generator): Batch {
    const y = new Int32Array(indices.length);
    let x: Float32Array | null = null;
    let shape: readonly number[] = [];
    let size = 0;
    indices.forEach((index, k) => {
      const sample = this.dataset.get(index);
      const img = this.transform ? this.transform({ data: sample.x, shape: sample.shape }, gen) : { data: sample.x, shape: sample.shape };
      if (x === null) {
        shape = img.shape;
        size = shape.reduce((a, b) => a * b, 1);
        x = new Float32Array(indices.length * size);
      } else if (img.data.length !== size || img.shape.some((d, i) => d !== shape[i])) {
        throw rangeError('DataLoader', `sample ${index}`, `shape ${formatShape(shape)} (as the batch's first sample)`, `shape ${formatShape(img.shape)}`);
      }
      const out = x.subarray(k * size, (k + 1) * size);
      if (img.data instanceof Uint8Array) for (let i = 0; i < size; i++) out[i] = img.data[i] / 255;
      else out.set(img.data);
      y[k] = sample.y;
    });
    return { x: new Tensor(x ?? new Float32Array(0), [indices.length, ...shape]), y, indices: Int32Array.from(indices) };
  }
}
