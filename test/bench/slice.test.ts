/** Slicing of the slow peers: the estimate's scale factor and what is run. */
import { describe, expect, it } from 'vitest';
import { chooseSlice } from '../../bench/peers/slice.js';
import { naivePeer } from '../../bench/peers/naive.js';
import { convnetjsPeer } from '../../bench/peers/convnetjs.js';
import { uniform } from '../../bench/data.js';
import type { ConvLayer } from '../../bench/layers.js';
import type { ConvCase } from '../../bench/peers/types.js';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* spin */
  }
}

describe('chooseSlice', () => {
  it('keeps the whole case when it fits the budget', () => {
    expect(chooseSlice(() => 0, 64, 8, 10_000)).toEqual({ units: 64, images: 8, factor: 1 });
  });

  it('runs one image and as many units as fit, and scales by what was left out', () => {
    const s = chooseSlice(() => busyWait(4), 64, 8, 20);
    expect(s.images).toBe(1);
    expect(s.units).toBeGreaterThanOrEqual(1);
    expect(s.units).toBeLessThanOrEqual(5);
    expect(s.factor).toBeCloseTo((8 * 64) / s.units);
  });

  it('runs at least one unit however small the budget', () => {
    expect(chooseSlice(() => busyWait(2), 10, 1, 0)).toEqual({ units: 1, images: 1, factor: 10 });
  });
});

const layer = (cin: number, cout: number, groups: number): ConvLayer => ({
  model: 'resnet50', id: 't', label: 't', at: ['t'], count: 1, cin, h: 6, w: 6, cout, k: 3, stride: 1, pad: 1, groups, outH: 6, outW: 6,
});
const convCase = (l: ConvLayer, batch: number): ConvCase => ({
  layer: l, batch,
  x: uniform(batch * l.cin * 36, 1), w: uniform(l.cout * (l.cin / l.groups) * 9, 2), b: uniform(l.cout, 3),
});

describe('slow peers on a zero budget', () => {
  it.each([
    { name: 'naive conv', peer: naivePeer(0), l: layer(3, 8, 1), factor: 2 * 8 },
    { name: 'naive depthwise (slices groups)', peer: naivePeer(0), l: layer(6, 6, 6), factor: 2 * 6 },
    { name: 'convnetjs conv', peer: convnetjsPeer(0), l: layer(3, 8, 1), factor: 2 * 8 },
  ])('$name: one unit of one image, scaled by batch x units', async ({ peer, l, factor }) => {
    const r = await peer.conv!(convCase(l, 2), 1);
    r.run();
    expect(r.estimateFactor).toBe(factor);
    expect(r.output()).toBeNull(); // a slice is not comparable to the case's output
    await r.dispose();
  });

  it('naive gemm slices rows', async () => {
    const r = await naivePeer(0).gemm!({ shape: { label: 'g', m: 12, n: 5, k: 7 }, a: uniform(84, 1), b: uniform(35, 2) }, 1);
    expect(r.estimateFactor).toBe(12);
  });
});
