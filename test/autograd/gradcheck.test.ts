// The checker itself must be able to fail: a wrong gradient is caught.
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { gradCheck, gridTensor } from './gradcheck.js';

describe('gradCheck', () => {
  it('rejects an op whose backward does not match its reference', () => {
    expect(() =>
      gradCheck({
        config: 'deliberately wrong',
        inputs: [gridTensor([2, 3], 1)],
        run: (x) => cn.tanh(x),
        reference: (x) => cn.reference.tanh(cn.reference.mul(x, cn.tensor([1.01]))),
      }),
    ).toThrow(/gradient mismatch/);
  });

  it('accepts a correct one', () => {
    gradCheck({ config: 'tanh', inputs: [gridTensor([2, 3], 1)], run: (x) => cn.tanh(x), reference: (x) => cn.reference.tanh(x) });
  });
});

describe('autograd engine', () => {
  it('accumulates gradients over paths and over backward calls, and needs a gradient for non-scalars', () => {
    const x = cn.tensor([1, 2, 3]).requiresGrad_();
    const y = cn.add(cn.mul(x, x), x); // dy/dx = 2x + 1
    y.backward(cn.ones([3]));
    expect(Array.from(x.grad!.data)).toEqual([3, 5, 7]);
    cn.mul(x, cn.tensor([2])).backward(cn.ones([3]));
    expect(Array.from(x.grad!.data)).toEqual([5, 7, 9]);
    expect(() => cn.mul(x, x).backward()).toThrow(/backward: gradient: expected a gradient tensor of shape \[3\]/);
  });

  it('noGrad records nothing; a second backward through a freed graph throws', () => {
    const x = cn.tensor([1, 2]).requiresGrad_();
    const y = cn.noGrad(() => cn.relu(x));
    expect(y.requiresGrad).toBe(false);
    const z = cn.mseLoss(cn.relu(x), cn.zeros([2]));
    z.backward();
    expect(() => z.backward()).toThrow(/second backward/);
    const w = cn.mseLoss(cn.relu(x), cn.zeros([2]));
    w.backward(undefined, { retainGraph: true });
    w.backward();
  });

  it('detach stops the gradient', () => {
    const x = cn.tensor([3]).requiresGrad_();
    const y = cn.mul(x, x.detach());
    y.backward();
    expect(x.grad!.data[0]).toBe(3);
  });
});

describe('max pool gradient with ties', () => {
  it('goes to the first maximum of each window, as in PyTorch (relu zeros tie)', () => {
    for (const [kernelSize, stride] of [[2, 2], [2, 1]] as const) {
      const x = cn.tensor([0, 0, 1, 1, 0, 0, 1, 1, 3, 2, 2, 3, 2, 3, 3, 2], [1, 1, 4, 4]).requiresGrad_();
      cn.maxPool2d(x, { kernelSize, stride }).backward(cn.ones(kernelSize === stride ? [1, 1, 2, 2] : [1, 1, 3, 3]));
      const expected =
        kernelSize === stride
          ? [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0]
          : [1, 0, 2, 0, 0, 0, 0, 0, 2, 1, 0, 2, 0, 1, 0, 0];
      expect(Array.from(x.grad!.data), `kernel ${kernelSize} stride ${stride}`).toEqual(expected);
    }
  });
});

describe('max pool gradient with NaN', () => {
  it('goes to the first NaN of a window, like the forward picks it', () => {
    const x = cn.tensor([1, NaN, NaN, 0, 5, 4, 3, 2], [1, 1, 2, 4]).requiresGrad_();
    const y = cn.maxPool2d(x, { kernelSize: 2 });
    expect(Number.isNaN(y.data[0])).toBe(true);
    y.backward(cn.tensor([10, 20], [1, 1, 1, 2]));
    expect(Number.isNaN(y.data[1])).toBe(true);
    expect(Array.from(x.grad!.data)).toEqual([0, 10, 20, 0, 0, 0, 0, 0]);
  });
});
