/** Naive LRN and inference batch norm. */
import { Tensor } from '../tensor.js';

export function lrn(x: Tensor, p: { size: number; alpha: number; beta: number; k: number }): Tensor {
  const [n, c] = x.shape;
  const inner = x.size / (n * c);
  const out = new Float32Array(x.size);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < inner; i++) {
        let sum = 0;
        // Window [ch - floor(size/2), ch + floor((size-1)/2)], zero outside the channels.
        for (let j = ch - Math.floor(p.size / 2); j <= ch + Math.floor((p.size - 1) / 2); j++) {
          if (j >= 0 && j < c) sum += x.data[(b * c + j) * inner + i] ** 2;
        }
        const v = x.data[(b * c + ch) * inner + i];
        out[(b * c + ch) * inner + i] = v / Math.pow(p.k + (p.alpha / p.size) * sum, p.beta);
      }
    }
  }
  return new Tensor(out, x.shape);
}

export function batchNorm2d(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): Tensor {
  const [n, c] = x.shape;
  const inner = x.size / (n * c);
  const out = new Float32Array(x.size);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < inner; i++) {
        const at = (b * c + ch) * inner + i;
        const normalized = (x.data[at] - mean.data[ch]) / Math.sqrt(variance.data[ch] + eps);
        out[at] = normalized * (weight ? weight.data[ch] : 1) + (bias ? bias.data[ch] : 0);
      }
    }
  }
  return new Tensor(out, x.shape);
}
