/** Per-channel pixel statistics of an image dataset: what "standardized by the training mean/std" uses. */
import type { ImageDataset } from '../data/dataset.js';
import { describeValue, typeError } from '../errors.js';

/**
 * Mean and (population) standard deviation of the pixels scaled to [0, 1], per channel, over
 * the whole dataset, accumulated in float64.
 * @example cn.train.datasetStats(train) // { mean: [0.2860], std: [0.3530] } on full Fashion-MNIST
 */
export function datasetStats(dataset: ImageDataset): { mean: number[]; std: number[] } {
  if (!dataset || !(dataset.pixels instanceof Uint8Array) || !Array.isArray(dataset.shape)) {
    throw typeError('datasetStats', 'dataset', 'an ImageDataset (uint8 pixels [N, C, H, W])', describeValue(dataset));
  }
  const [n, c, h, w] = dataset.shape;
  const plane = h * w;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const px = dataset.pixels;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      const base = (i * c + k) * plane;
      let s = 0;
      let s2 = 0;
      for (let j = base; j < base + plane; j++) {
        s += px[j];
        s2 += px[j] * px[j];
      }
      sum[k] += s;
      sq[k] += s2;
    }
  }
  const count = n * plane;
  const mean = Array.from(sum, (s) => s / count / 255);
  const std = Array.from(sq, (s2, k) => Math.sqrt(Math.max(0, s2 / count / 65025 - mean[k] * mean[k])));
  return { mean, std };
}
