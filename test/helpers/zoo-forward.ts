/** Checks shared by the zoo forward tests (forward-classic and forward-modern). */
import { expect } from 'vitest';
import * as cn from '../../lib/index.js';

/** [name, builder, [C, H, W], classes] */
export type ForwardCase = [string, () => cn.nn.Module, [number, number, number], number];

/**
 * Forward at batch 2 and batch 1 (eval mode): right shapes (also from shape inference), finite
 * logits, and batch consistency: image 0 of the batch gives the same logits alone.
 */
export function checkForward(...[name, build, [c, h, w], classes]: ForwardCase): void {
  const model = build().eval();
  const x2 = cn.randn([2, c, h, w], { seed: 1 });
  const x1 = cn.tensor(x2.data.slice(0, c * h * w), [1, c, h, w]);
  const y2 = model.forward(x2);
  const y1 = model.forward(x1);
  expect(y2.shape).toEqual([2, classes]);
  expect(y1.shape).toEqual([1, classes]);
  expect(model.outputShape([2, c, h, w])).toEqual([2, classes]);
  const a = y1.toArray();
  const b = y2.toArray();
  expect(a.every(Number.isFinite)).toBe(true);
  expect(b.every(Number.isFinite)).toBe(true);
  if (name.includes('zero weights')) {
    expect(b.every((v) => v === 0)).toBe(true);
    return;
  }
  if (name === 'googlenet') {
    // torchvision's init (conv weights N(0, 0.01)) with eval-mode BN (running var 1) shrinks
    // the signal by ~4x per conv: after 22 convs it is below float32 precision next to the
    // fc bias, so the logits are the bias. True of torchvision too, until BN statistics train.
    const bias = (model.getModule('fc') as cn.nn.Linear).bias!.toArray();
    for (const row of [a, b.slice(0, classes), b.slice(classes)]) {
      expect(Math.max(...row.map((v, i) => Math.abs(v - bias[i])))).toBeLessThan(1e-6);
    }
    return;
  }
  const scale = Math.max(...a.map(Math.abs));
  expect(scale).toBeGreaterThan(0); // the network carries signal to the logits
  for (let i = 0; i < classes; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-4 * scale + 1e-12);
  // the two images differ, so their logits differ
  expect(b.slice(classes).some((v, i) => Math.abs(v - a[i]) > 1e-6 * scale)).toBe(true);
}
