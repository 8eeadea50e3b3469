/** linear (x W^T + b) and matmul (PyTorch's matmul rules, batch dims broadcast). */
import { formatShape, rangeError } from '../errors.js';
import { record } from '../autograd/graph.js';
import { native } from '../native.js';
import { Tensor, checkTensor } from '../tensor.js';
import { broadcastShapes, broadcastStrides } from './broadcast.js';

/**
 * Fully connected layer: y = x W^T + b over the last dimension of x.
 * @example cn.linear(x, w, b) // x [N, 400], w [120, 400], b [120] -> [N, 120]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = 'linear';
  checkTensor(op, 'input', x);
  checkTensor(op, 'weight', weight);
  if (x.ndim < 1) throw rangeError(op, 'input', 'at least 1-D [..., in_features]', `shape ${formatShape(x.shape)}`);
  if (weight.ndim !== 2) throw rangeError(op, 'weight', '2-D [out_features, in_features]', `shape ${formatShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape;
  if (x.shape[x.ndim - 1] !== inFeatures) {
    throw rangeError(
      op,
      'input',
      `last dimension = in_features = ${inFeatures} (weight is ${formatShape(weight.shape)})`,
      `shape ${formatShape(x.shape)}`,
    );
  }
  if (bias !== undefined && bias !== null) {
    checkTensor(op, 'bias', bias);
    if (bias.ndim !== 1 || bias.shape[0] !== outFeatures) {
      throw rangeError(op, 'bias', `shape [${outFeatures}] (out_features)`, `shape ${formatShape(bias.shape)}`);
    }
  }
  const rows = x.size / Math.max(inFeatures, 1);
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  if (inFeatures === 0 || outFeatures === 0 || rows === 0) {
    const out = new Float32Array(rows * outFeatures);
    if (bias) for (let r = 0; r < rows; r++) out.set(bias.data, r * outFeatures);
    return new Tensor(out, outShape);
  }
  const out = Tensor.fromNative(native.Linear(x.data, weight.data, bias ? bias.data : null, { rows, inFeatures, outFeatures }), outShape);
  // dx = g W, dW = g^T x, db = column sums of g (g viewed as [rows, out]).
  return record('linear', [x, weight, bias], out, (g) => {
    const dx = x.requiresGrad
      ? Tensor.fromNative(native.Gemm(g.data, weight.data, { m: rows, n: inFeatures, k: outFeatures, transA: false, transB: false, alpha: 1 }), x.shape)
      : null;
    const dw = weight.requiresGrad
      ? Tensor.fromNative(native.Gemm(g.data, x.data, { m: outFeatures, n: inFeatures, k: rows, transA: true, transB: false, alpha: 1 }), weight.shape)
      : null;
    let db: Tensor | null = null;
    if (bias && bias.requiresGrad) {
      // g.data hoisted: its getter (a disposed check) per element was 3.6% of a LeNet-5 step.
      const gd = g.data;
      const sums = new Float32Array(outFeatures);
      for (let r = 0; r < rows; r++) for (let j = 0; j < outFeatures; j++) sums[j] += gd[r * outFeatures + j];
      db = new Tensor(sums, bias.shape);
    }
    return [dx, dw, db];
  }, { rows, inFeatures, outFeatures });
}

/**
 * Matrix product with PyTorch's rules: 1-D operands are promoted (and the added dim removed),
 * leading (batch) dimensions broadcast.
 * @example cn.matmul(a, b) // [B, M, K] x [K, N] -> [B, M, N]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = 'matmul';
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw rangeError(op, a.ndim === 0 ? 'a' : 'b', 'at least 1-D', 'a 0-D tensor');
  }
  const aShape = a.ndim === 1 ? [1, a.shape[0]] : [...a.shape];
  const bShape = b.ndim === 1 ? [b.shape[0], 1] : [...b.shape];
  const m = aShape[aShape.length - 2];
  const k = aShape[aShape.length - 1];
  const n = bShape[bShape.length - 1];
  if (bShape[bShape.length - 2] !== k) {
    throw rangeError(op, 'b', `${k} rows to match a's last dimension (a is ${formatShape(a.shape)})`, `shape ${formatShape(b.shape)}`);
  }
  const batchShape = broadcastShapes(op, aShape.slice(0, -2), bShape.slice(0, -2));
  let outShape = [...batchShape, m, n];
  if (a.ndim === 1) outShape = [...batchShape, n];
  if (b.ndim === 1) outShape = a.ndim === 1 ? [...batchShape] : [...batchShape, m];
  const batch = batchShape.reduce((x, y) => x * y, 1);
  if (batch === 0 || m === 0 || n === 0) return new Tensor(new Float32Array(0), outShape);
  if (k === 0) return new Tensor(new Float32Array(batch * m * n), outShape);
  // Offsets of each batch entry's matrix: broadcasting without copying.
  const stridesA = broadcastStrides(aShape.slice(0, -2), batchShape);
  const stridesB = broadcastStrides(bShape.slice(0, -2), batchShape);
  const offsetsA = new Float64Array(batch);
  const offsetsB = new Float64Array(batch);
  for (let i = 0; i < batch; i++) {
    let rem = i;
    let oa = 0;
    let ob = 0;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const idx = rem % batchShape[d];
      rem = Math.floor(rem / batchShape[d]);
      oa += idx * stridesA[d];
      ob += idx * stridesB[d];
    }
    offsetsA[i] = oa * m * k;
    offsetsB[i] = ob * k * n;
  }
  const out = Tensor.fromNative(native.Matmul(a.data, b.data, offsetsA, offsetsB, { batch, m, k, n }), outShape);
  // Per batch entry: dA_i = G_i B_i^T, dB_i = A_i^T G_i; entries that shared a broadcast matrix
  // add into the same place, which is exactly the sum over the broadcast dims.
  return record('matmul', [a, b], out, (g) => {
    const da = a.requiresGrad ? new Float32Array(a.size) : null;
    const db = b.requiresGrad ? new Float32Array(b.size) : null;
    for (let i = 0; i < batch; i++) {
      const gi = g.data.subarray(i * m * n, (i + 1) * m * n);
      const ai = a.data.subarray(offsetsA[i], offsetsA[i] + m * k);
      const bi = b.data.subarray(offsetsB[i], offsetsB[i] + k * n);
      if (da) {
        const part = native.Gemm(gi, bi, { m, n: k, k: n, transA: false, transB: true, alpha: 1 });
        for (let j = 0; j < part.length; j++) da[offsetsA[i] + j] += part[j];
      }
      if (db) {
        const part = native.Gemm(ai, gi, { m: k, n, k: m, transA: true, transB: false, alpha: 1 });
        for (let j = 0; j < part.length; j++) db[offsetsB[i] + j] += part[j];
      }
    }
    return [da ? new Tensor(da, a.shape) : null, db ? new Tensor(db, b.shape) : null];
  });
}
