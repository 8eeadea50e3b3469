import { describe, expect, it } from 'vitest';
import * as cn from '../lib/index.js';
import { native } from '../lib/native.js';

describe('Tensor', () => {
  it('wraps the caller Float32Array without copying: native code reads it in place', () => {
    const data = new Float32Array([1, -2, 3, -4]);
    const x = cn.tensor(data, [1, 1, 2, 2]);
    expect(x.data).toBe(data);
    expect(Array.from(cn.relu(x).data)).toEqual([1, 0, 3, 0]);
    data[1] = 5; // mutate between two calls
    expect(Array.from(cn.relu(x).data)).toEqual([1, 5, 3, 0]);
    const w = new Float32Array([1]);
    const y1 = cn.conv2d(x, cn.tensor(w, [1, 1, 1, 1]));
    w[0] = 2;
    const y2 = cn.conv2d(x, cn.tensor(w, [1, 1, 1, 1]));
    expect(y2.data[0]).toBe(2 * y1.data[0]);
  });

  it('reads inputs at any alignment (a view at byte offset 4)', () => {
    const backing = new Float32Array(17).map((_, i) => i - 8);
    const view = backing.subarray(1);
    expect(native.DataAddressMod64(view) % 64).not.toBe(native.DataAddressMod64(backing) % 64);
    expect(Array.from(cn.relu(cn.tensor(view, [16])).data)).toEqual(Array.from(view, (v) => Math.max(v, 0)));
  });

  it('allocates op outputs natively, 64-byte aligned', () => {
    for (const size of [1, 3, 17, 1000, 4097]) {
      const y = cn.relu(cn.ones([size]));
      expect(native.DataAddressMod64(y.data)).toBe(0);
    }
    // Outputs that skip zero-filling (native/binding/memory.cc newOutputUninitialized) too.
    const c = cn.conv2d(cn.ones([1, 1, 5, 7]), cn.ones([3, 1, 2, 2]));
    expect(native.DataAddressMod64(c.data)).toBe(0);
    expect(Array.from(c.data)).toEqual(new Array(3 * 4 * 6).fill(4));
  });

  it('copies a number[] and accepts a shape product equal to the length', () => {
    const t = cn.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(cn.tensor([1, 2, 3]).shape).toEqual([3]);
  });

  it('reshape shares storage and infers one -1 dimension', () => {
    const t = cn.zeros([2, 3, 4]);
    const r = t.reshape(6, -1);
    expect(r.shape).toEqual([6, 4]);
    expect(r.data).toBe(t.data);
  });

  it('dispose frees a native output once its last view is disposed', () => {
    const y = cn.relu(cn.ones([1024]));
    const view = y.reshape(32, 32);
    const before = cn.memory().liveTensors;
    y.dispose();
    expect(view.data.length).toBe(1024); // still alive through the view
    view.dispose();
    expect(cn.memory().liveTensors).toBe(before - 1);
    expect(() => view.data).toThrow(/disposed/);
    expect(() => cn.relu(y)).toThrow(/relu: input: expected a live tensor, got a disposed tensor/);
  });

  it('dispose never frees memory the caller owns', () => {
    const data = new Float32Array([1, 2]);
    const t = cn.tensor(data);
    t.dispose();
    expect(data.length).toBe(2);
    expect(data[1]).toBe(2);
  });

  it('randn and rand are reproducible from a seed', () => {
    const a = cn.randn([100], { seed: 3 });
    const b = cn.randn([100], { seed: 3 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const mean = a.data.reduce((s, v) => s + v, 0) / 100;
    expect(Math.abs(mean)).toBeLessThan(0.35);
    const u = cn.rand([1000], { seed: 1, low: -2, high: 2 });
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u.data)).toBeLessThan(2);
  });
});
