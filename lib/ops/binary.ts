/** Elementwise add / sub / mul / div with PyTorch broadcasting (e.g. a residual add, or a [C,1,1] bias). */
import { record } from '../autograd/graph.js';
import { native } from '../native.js';
import { Tensor, checkTensor } from '../tensor.js';
import { broadcastShapes, broadcastStrides, contiguousStrides, sumToShape } from './broadcast.js';

type BinaryKernel = 'Add' | 'Sub' | 'Mul' | 'Div';

function binary(op: string, kernel: BinaryKernel, a: Tensor, b: Tensor): Tensor {
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  const outShape = broadcastShapes(op, a.shape, b.shape);
  if (outShape.length > 8) throw new RangeError(`${op}: a: expected rank <= 8, got rank ${outShape.length}`);
  const size = outShape.reduce((x, y) => x * y, 1);
  if (size === 0) return new Tensor(new Float32Array(0), outShape);
  const params = { outShape, stridesA: broadcastStrides(a.shape, outShape), stridesB: broadcastStrides(b.shape, outShape) };
  const out = Tensor.fromNative(native[kernel](a.data, b.data, params), outShape);
  // Gradients at the output shape, then summed over the dims each operand was broadcast along.
  return record(op, [a, b], out, (g) => {
    const same = contiguousStrides(outShape);
    // g (at the output shape) combined elementwise with t broadcast to the output shape.
    const withOperand = (fn: 'Mul' | 'Div', left: Float32Array, t: Tensor): Float32Array =>
      native[fn](left, t.data, { outShape, stridesA: same, stridesB: broadcastStrides(t.shape, outShape) });
    let ga: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (kernel === 'Add' || kernel === 'Sub') {
      ga = g.data;
      gb = kernel === 'Add' ? g.data : g.data.map((v) => -v);
    } else if (kernel === 'Mul') {
      if (a.requiresGrad) ga = withOperand('Mul', g.data, b);
      if (b.requiresGrad) gb = withOperand('Mul', g.data, a);
    } else {
      // d(a/b)/da = 1/b; d(a/b)/db = -a/b^2 = -out/b.
      if (a.requiresGrad) ga = withOperand('Div', g.data, b);
      if (b.requiresGrad) gb = withOperand('Div', g.data.map((v, i) => -v * out.data[i]), b);
    }
    return [
      a.requiresGrad && ga ? new Tensor(sumToShape(ga, outShape, a.shape), a.shape) : null,
      b.requiresGrad && gb ? new Tensor(sumToShape(gb, outShape, b.shape), b.shape) : null,
    ];
  }, params);
}

/** @example cn.add(residual, cn.conv2d(x, w)) */
export function add(a: Tensor, b: Tensor): Tensor {
  return binary('add', 'Add', a, b);
}

/** @example cn.sub(x, mean) */
export function sub(a: Tensor, b: Tensor): Tensor {
  return binary('sub', 'Sub', a, b);
}

/** @example cn.mul(x, scale) */
export function mul(a: Tensor, b: Tensor): Tensor {
  return binary('mul', 'Mul', a, b);
}

/** @example cn.div(x, std) */
export function div(a: Tensor, b: Tensor): Tensor {
  return binary('div', 'Div', a, b);
}
