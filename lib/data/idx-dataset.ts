/**
 * Image classification datasets stored as an IDX pair (images 0x00000803, labels 0x00000801),
 * such as MNIST and Fashion-MNIST, and the Fashion-MNIST subset shipped in data/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeValue, typeError } from '../errors.js';
import { ImageDataset } from './dataset.js';
import { describeMagic, readIdx } from './idx.js';

/** Fashion-MNIST's class names, by label (zalandoresearch/fashion-mnist). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/**
 * Loads an IDX image file and its label file as one dataset of [N, 1, rows, cols] uint8 images.
 * @example
 * const ds = cn.data.loadIdxDataset({ images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' });
 */
export function loadIdxDataset(files: { images: string | Uint8Array; labels: string | Uint8Array; classes?: readonly string[] }): ImageDataset {
  if (files === null || typeof files !== 'object') throw typeError('loadIdxDataset', 'files', '{ images, labels }', describeValue(files));
  const name = (f: string | Uint8Array, what: string): string => (typeof f === 'string' ? f : `the ${what} buffer`);
  const images = readIdx(files.images, name(files.images, 'images'));
  const labels = readIdx(files.labels, name(files.labels, 'labels'));
  if (images.magic !== IMAGES_MAGIC) {
    throw new RangeError(`loadIdxDataset: ${name(files.images, 'images')}: magic number: expected ${describeMagic(IMAGES_MAGIC)}: uint8 images [n, rows, cols], got ${describeMagic(images.magic)}`);
  }
  if (labels.magic !== LABELS_MAGIC) {
    throw new RangeError(`loadIdxDataset: ${name(files.labels, 'labels')}: magic number: expected ${describeMagic(LABELS_MAGIC)}: uint8 labels [n], got ${describeMagic(labels.magic)}`);
  }
  const [n, rows, cols] = images.shape;
  if (labels.shape[0] !== n) {
    throw new RangeError(`loadIdxDataset: ${name(files.labels, 'labels')}: label count: expected ${n} (as many as images in ${name(files.images, 'images')}), got ${labels.shape[0]}`);
  }
  return new ImageDataset(images.data as Uint8Array, [n, 1, rows, cols], Int32Array.from(labels.data), files.classes ?? []);
}

/**
 * Where the Fashion-MNIST subset that ships with convnode lives (data/fashion-mnist-subset).
 * @example cn.data.loadFashionMnist(cn.data.defaultFashionMnistDir()) // same as loadFashionMnist()
 */
export function defaultFashionMnistDir(): string {
  // lib/data/*.ts in the repo and dist/data/*.js when installed: the package root is two up.
  return path.resolve(import.meta.dirname, '..', '..', 'data', 'fashion-mnist-subset');
}

/**
 * Loads Fashion-MNIST from a folder of the four IDX files (`.gz` or not), e.g. Debian's
 * /usr/share/datasets/fashion-mnist; without `dir`, the class-balanced subset shipped in
 * data/fashion-mnist-subset (9,000 training and 2,000 test images).
 * @example
 * const { train, test } = cn.data.loadFashionMnist('/usr/share/datasets/fashion-mnist');
 * train.length // 60000
 */
export function loadFashionMnist(dir: string = defaultFashionMnistDir()): { train: ImageDataset; test: ImageDataset; classes: readonly string[] } {
  if (typeof dir !== 'string') throw typeError('loadFashionMnist', 'dir', 'a folder path', describeValue(dir));
  const find = (stem: string): string => {
    for (const candidate of [`${stem}.gz`, stem]) {
      const p = path.join(dir, candidate);
      if (fs.existsSync(p)) return p;
    }
    throw new Error(`loadFashionMnist: ${dir}: expected ${stem}.gz or ${stem} there, got neither (the folder should hold the four Fashion-MNIST IDX files)`);
  };
  const split = (prefix: string): ImageDataset =>
    loadIdxDataset({ images: find(`${prefix}-images-idx3-ubyte`), labels: find(`${prefix}-labels-idx1-ubyte`), classes: FASHION_MNIST_CLASSES });
  return { train: split('train'), test: split('t10k'), classes: FASHION_MNIST_CLASSES };
}
