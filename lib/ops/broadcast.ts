/** NumPy/PyTorch broadcasting of two shapes. */
import { formatShape, rangeError } from '../errors.js';

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The broadcast shape of a and b, aligned at the trailing dimension. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw rangeError(op, 'b', `a shape broadcastable with ${formatShape(a)}`, formatShape(b));
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` viewed at `outShape` (0 along broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((d, i) => {
    const j = i - offset;
    if (j < 0) return 0;
    return shape[j] === 1 && d !== 1 ? 0 : own[j];
  });
}

/**
 * Sums `data` (laid out as `fromShape`) down to `toShape`, the shape it was broadcast from:
 * the gradient of a broadcast.
 */
export function sumToShape(data: Float32Array, fromShape: readonly number[], toShape: readonly number[]): Float32Array {
  const size = toShape.reduce((a, b) => a * b, 1);
  if (fromShape.length === toShape.length && fromShape.every((d, i) => d === toShape[i])) return data;
  const out = new Float32Array(size);
  const strides = broadcastStrides(toShape, fromShape);
  const rank = fromShape.length;
  const inner = rank === 0 ? 1 : fromShape[rank - 1];
  const innerStride = rank === 0 ? 0 : strides[rank - 1];
  const rows = inner === 0 ? 0 : data.length / inner;
  for (let row = 0; row < rows; row++) {
    let rem = row;
    let base = 0;
    for (let d = rank - 2; d >= 0; d--) {
      base += (rem % fromShape[d]) * strides[d];
      rem = Math.floor(rem / fromShape[d]);
    }
    const src = row * inner;
    if (innerStride === 0) {
      let s = 0;
      for (let i = 0; i < inner; i++) s += data[src + i];
      out[base] += s;
    } else {
      for (let i = 0; i < inner; i++) out[base + i] += data[src + i];
    }
  }
  return out;
}
