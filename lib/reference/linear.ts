/** Naive linear and matmul. */
import { Tensor } from '../tensor.js';

/** y[r, o] = sum_i x[r, i] * w[o, i] + b[o], over the last dim of x. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const [outF, inF] = weight.shape;
  const rows = inF === 0 ? 0 : x.size / inF;
  const out = new Float32Array(rows * outF);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let sum = bias ? bias.data[o] : 0;
      for (let i = 0; i < inF; i++) sum += x.data[r * inF + i] * weight.data[o * inF + i];
      out[r * outF + o] = sum;
    }
  }
  return new Tensor(out, [...x.shape.slice(0, -1), outF]);
}

/** Matrix product of 2-D or same-batch 3-D tensors ([B, M, K] x [B, K, N]), plus a batch of 1 broadcast. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const a3 = a.ndim === 2 ? [1, ...a.shape] : [...a.shape];
  const b3 = b.ndim === 2 ? [1, ...b.shape] : [...b.shape];
  const [ba, m, k] = a3;
  const [bb, , n] = b3;
  const batch = Math.max(ba, bb);
  const out = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = (ba === 1 ? 0 : t) * m * k;
    const bo = (bb === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a.data[ao + i * k + p] * b.data[bo + p * n + j];
        out[(t * m + i) * n + j] = sum;
      }
    }
  }
  const shape = a.ndim === 2 && b.ndim === 2 ? [m, n] : [batch, m, n];
  return new Tensor(out, shape);
}
