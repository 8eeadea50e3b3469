/** Naive activations, softmax, broadcasting arithmetic, concat, flatten and dropout (eval). */
import { Tensor } from '../tensor.js';

function map(x: Tensor, f: (v: number) => number): Tensor {
  return new Tensor(Float32Array.from(x.data, f), x.shape);
}

export const relu = (x: Tensor): Tensor => map(x, (v) => (Number.isNaN(v) ? v : Math.max(v, 0)));
export const relu6 = (x: Tensor): Tensor => map(x, (v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, 0), 6)));
export const leakyRelu = (x: Tensor, slope = 0.01): Tensor => map(x, (v) => (v > 0 ? v : v * slope));
export const sigmoid = (x: Tensor): Tensor => map(x, (v) => 1 / (1 + Math.exp(-v)));
export const tanh = (x: Tensor): Tensor => map(x, Math.tanh);

/** softmax along `dim`, computed in float64 with the max subtracted. */
export function softmax(x: Tensor, dim: number, log = false): Tensor {
  const d = dim < 0 ? dim + x.ndim : dim;
  const size = x.shape[d];
  const inner = x.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const outer = x.size / (size * inner);
  const out = new Float32Array(x.size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const idx = (j: number): number => (o * size + j) * inner + i;
      let max = -Infinity;
      for (let j = 0; j < size; j++) max = Math.max(max, x.data[idx(j)]);
      if (max === -Infinity) max = 0;
      let sum = 0;
      for (let j = 0; j < size; j++) sum += Math.exp(x.data[idx(j)] - max);
      for (let j = 0; j < size; j++) {
        out[idx(j)] = log ? x.data[idx(j)] - max - Math.log(sum) : Math.exp(x.data[idx(j)] - max) / sum;
      }
    }
  }
  return new Tensor(out, x.shape);
}

export const logSoftmax = (x: Tensor, dim: number): Tensor => softmax(x, dim, true);

/** Elementwise a op b with broadcasting (trailing dims aligned). */
export function broadcast(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const rank = Math.max(a.ndim, b.ndim);
  const pad = (s: readonly number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const as = pad(a.shape);
  const bs = pad(b.shape);
  const os = as.map((d, i) => Math.max(d, bs[i]));
  const size = os.reduce((x, y) => x * y, 1);
  const out = new Float32Array(size);
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < size; flat++) {
    let rem = flat;
    for (let dd = rank - 1; dd >= 0; dd--) {
      index[dd] = rem % os[dd];
      rem = Math.floor(rem / os[dd]);
    }
    let ai = 0;
    let bi = 0;
    for (let dd = 0; dd < rank; dd++) {
      ai = ai * as[dd] + (as[dd] === 1 ? 0 : index[dd]);
      bi = bi * bs[dd] + (bs[dd] === 1 ? 0 : index[dd]);
    }
    out[flat] = f(a.data[ai], b.data[bi]);
  }
  return new Tensor(out, os);
}

export const add = (a: Tensor, b: Tensor): Tensor => broadcast(a, b, (x, y) => x + y);
export const sub = (a: Tensor, b: Tensor): Tensor => broadcast(a, b, (x, y) => x - y);
export const mul = (a: Tensor, b: Tensor): Tensor => broadcast(a, b, (x, y) => x * y);
export const div = (a: Tensor, b: Tensor): Tensor => broadcast(a, b, (x, y) => x / y);

export function concat(tensors: Tensor[], dim: number): Tensor {
  const first = tensors[0];
  const d = dim < 0 ? dim + first.ndim : dim;
  const outer = first.shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = first.shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const parts: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const t of tensors) {
      const chunk = t.shape[d] * inner;
      for (let i = 0; i < chunk; i++) parts.push(t.data[o * chunk + i]);
    }
  }
  const shape = [...first.shape];
  shape[d] = tensors.reduce((s, t) => s + t.shape[d], 0);
  return new Tensor(Float32Array.from(parts), shape);
}

export function flatten(x: Tensor, startDim = 1): Tensor {
  const kept = x.shape.slice(0, startDim);
  return new Tensor(x.data.slice(), [...kept, x.size / kept.reduce((a, b) => a * b, 1)]);
}

/** Dropout at eval time is the identity. */
export const dropout = (x: Tensor): Tensor => new Tensor(x.data.slice(), x.shape);
