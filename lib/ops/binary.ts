/** Elementwise add / sub / mul / div with PyTorch broadcasting (e.g. a residual add, or a [C,1,1] bias). */
import { native } from '../native.js';
import { Tensor, checkTensor } from '../tensor.js';
import { broadcastShapes, broadcastStrides } from './broadcast.js';

type BinaryKernel = 'Add' | 'Sub' | 'Mul' | 'Div';

function binary(op: string, kernel: BinaryKernel, a: Tensor, b: Tensor): Tensor {
  checkTensor(op, 'a', a);
  checkTensor(op, 'b', b);
  const outShape = broadcastShapes(op, a.shape, b.shape);
  if (outShape.length > 8) throw new RangeError(`${op}: a: expected rank <= 8, got rank ${outShape.length}`);
  const size = outShape.reduce((x, y) => x * y, 1);
  if (size === 0) return new Tensor(new Float32Array(0), outShape);
  const out = native[kernel](a.data, b.data, {
    outShape,
    stridesA: broadcastStrides(a.shape, outShape),
    stridesB: broadcastStrides(b.shape, outShape),
  });
  return Tensor.fromNative(out, outShape);
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
