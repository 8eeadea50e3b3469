/**
 * backward() disposes each intermediate gradient once its node has run (lib/autograd/engine.ts),
 * unless another pending gradient still reads its buffer. These graphs make gradients alias:
 * add passes g to both operands, reshape / flatten return views, a tensor feeds two ops, and
 * the caller's own seed gradient must stay usable. Gradients are checked against the same
 * graph computed with independent copies.
 */
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';

function leaf(shape: number[], seed: number): cn.Tensor {
  const t = cn.randn(shape, { seed });
  t.requiresGrad = true;
  return t;
}

function close(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4 * (1 + Math.abs(b[i])));
}

describe('backward frees intermediate gradients without breaking aliased ones', () => {
  it('residual add, reshape views and a tensor used twice give the same gradients as a copy-only graph', () => {
    const run = (x: cn.Tensor, w: cn.Tensor): cn.Tensor => {
      const y = cn.relu(cn.conv2d(x, w, null, { padding: 1 }));
      const r = cn.add(y, cn.mul(y, y)); // y feeds add and mul twice; add passes g through
      const f = cn.flatten(r, 1); // a view of r's gradient buffer flows back
      return cn.mseLoss(cn.linear(f, cn.ones([3, f.shape[1]])), cn.zeros([f.shape[0], 3]));
    };
    const x = leaf([2, 2, 5, 5], 1), w = leaf([4, 2, 3, 3], 2);
    run(x, w).backward();
    const x2 = leaf([2, 2, 5, 5], 1), w2 = leaf([4, 2, 3, 3], 2);
    const loss = run(x2, w2);
    loss.backward(undefined);
    close(x.grad!.data, x2.grad!.data);
    close(w.grad!.data, w2.grad!.data);
    // Against finite differences on one weight, so the comparison is not just self-consistency.
    const h = 1e-2;
    const at = 5;
    const plus = leaf([4, 2, 3, 3], 2), minus = leaf([4, 2, 3, 3], 2);
    plus.data[at] += h;
    minus.data[at] -= h;
    const fd = (cn.noGrad(() => run(x, plus)).item() - cn.noGrad(() => run(x, minus)).item()) / (2 * h);
    expect(Math.abs(fd - w.grad!.data[at])).toBeLessThan(2e-2 * (1 + Math.abs(fd)));
  });

  it("leaves the caller's seed gradient alive and usable, also with retainGraph", () => {
    const x = leaf([3, 4], 3);
    const y = cn.relu(cn.linear(x, cn.ones([2, 4])));
    const seed = cn.relu(cn.ones([3, 2])); // a native output, as a user's gradient may be
    y.backward(seed, { retainGraph: true });
    expect(seed.isDisposed).toBe(false);
    expect(Array.from(seed.data)).toEqual(new Array(6).fill(1));
    const first = Float32Array.from(x.grad!.data);
    y.backward(seed);
    close(x.grad!.data, first.map((v) => 2 * v));
  });

  it('frees the native buffers of intermediate gradients at once', () => {
    const x = leaf([4, 3, 16, 16], 4), w = leaf([8, 3, 3, 3], 5);
    const loss = cn.mseLoss(cn.relu(cn.conv2d(x, w, null, { padding: 1 })), cn.zeros([4, 8, 16, 16]));
    const before = cn.memory().liveTensors;
    loss.backward();
    // relu's and conv's input gradients were created and released inside backward; only the
    // leaves' .grad copies (JS arrays, not counted) remain.
    expect(cn.memory().liveTensors).toBeLessThanOrEqual(before);
  });
});
