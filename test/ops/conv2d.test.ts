import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectClose, randomTensor } from '../helpers.js';

// The lecture's worked example (../shared/seed/README.md): a 5x5x3 input padded by 1 to 7x7x3,
// two 3x3x3 filters, stride 2 -> 3x3x2. Arrays are [channel][row][col], shown with the padding.
const SEED_X_PADDED = [
  [[0,0,0,0,0,0,0],[0,0,2,2,1,0,0],[0,2,2,1,2,0,0],[0,1,2,0,0,0,0],[0,2,1,0,0,2,0],[0,2,1,0,2,2,0],[0,0,0,0,0,0,0]],
  [[0,0,0,0,0,0,0],[0,1,1,2,2,1,0],[0,0,1,1,0,1,0],[0,1,1,1,1,1,0],[0,2,1,0,0,0,0],[0,0,2,0,2,0,0],[0,0,0,0,0,0,0]],
  [[0,0,0,0,0,0,0],[0,1,2,0,0,2,0],[0,0,0,2,1,0,0],[0,2,1,1,2,2,0],[0,0,0,0,1,0,0],[0,0,0,1,0,2,0],[0,0,0,0,0,0,0]],
];
const SEED_W0 = [[[1,-1,0],[0,-1,-1],[1,0,1]], [[-1,-1,1],[1,0,1],[-1,1,1]], [[-1,-1,-1],[-1,1,1],[-1,1,-1]]];
const SEED_W1 = [[[-1,0,1],[0,-1,0],[0,0,0]], [[-1,0,1],[-1,-1,-1],[-1,1,1]], [[1,0,0],[0,0,0],[1,0,-1]]];
const SEED_OUT = [
  [[6,4,7],[5,0,1],[-3,3,0]],
  [[-1,-8,-1],[3,-6,-2],[-2,-6,-3]],
];

describe('conv2d: the lecture worked example', () => {
  const weight = cn.tensor([SEED_W0, SEED_W1].flat(3), [2, 3, 3, 3]);
  const bias = cn.tensor([1, 0]);
  const expected = SEED_OUT.flat(2);

  it('matches every printed output with padding 1 on the 5x5 input', () => {
    const unpadded = SEED_X_PADDED.map((c) => c.slice(1, 6).map((r) => r.slice(1, 6)));
    const x = cn.tensor(unpadded.flat(2), [1, 3, 5, 5]);
    const y = cn.conv2d(x, weight, bias, { stride: 2, padding: 1 });
    expect(y.shape).toEqual([1, 2, 3, 3]);
    expect(Array.from(y.data)).toEqual(expected);
  });

  it('matches with the padding already in the 7x7 input (padding 0)', () => {
    const x = cn.tensor(SEED_X_PADDED.flat(2), [1, 3, 7, 7]);
    const y = cn.conv2d(x, weight, bias, { stride: 2, padding: 'valid' });
    expect(Array.from(y.data)).toEqual(expected);
  });
});

describe('conv2d: output size and padding forms', () => {
  it('follows floor((H + pt + pb - d(k-1) - 1)/s) + 1 (hand values)', () => {
    expect(cn.convOutputSize(227, 11, 4)).toBe(55); // AlexNet conv1
    expect(cn.convOutputSize(224, 7, 2, 3)).toBe(112); // ResNet stem
    expect(cn.convOutputSize(5, 3, 2, 1)).toBe(3); // the seed example
    expect(cn.convOutputSize(10, 3, 1, 0, 0, 2)).toBe(6); // dilation 2: extent 5
    expect(cn.convOutputSize(7, 2, 3, 1, 0)).toBe(3); // asymmetric padding
  });

  it('gives the same output for number, [ph, pw] and [t, b, l, r] forms', () => {
    const x = randomTensor([1, 2, 6, 7], 1);
    const w = randomTensor([3, 2, 3, 3], 2);
    const a = cn.conv2d(x, w, null, { padding: 1 });
    const b = cn.conv2d(x, w, null, { padding: [1, 1] });
    const c = cn.conv2d(x, w, null, { padding: [1, 1, 1, 1] });
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(Array.from(c.data)).toEqual(Array.from(a.data));
    const asym = cn.conv2d(x, w, null, { padding: [0, 2, 1, 0] });
    expect(asym.shape).toEqual([1, 3, 6, 6]);
    expectClose(asym, cn.reference.conv2d(x, w, null, { stride: [1, 1], padding: [0, 2, 1, 0], dilation: [1, 1], groups: 1 }), 'asym');
  });

  it("'same' keeps H x W for every stride, kernel and dilation", () => {
    for (const [h, k, s, d] of [[7, 3, 1, 1], [8, 4, 1, 1], [9, 3, 2, 1], [10, 5, 3, 1], [6, 3, 1, 2], [11, 2, 2, 1]]) {
      const x = randomTensor([1, 1, h, h + 1], h);
      const w = randomTensor([1, 1, k, k], k);
      const y = cn.conv2d(x, w, null, { padding: 'same', stride: s, dilation: d });
      expect(y.shape, JSON.stringify({ h, k, s, d })).toEqual([1, 1, h, h + 1]);
    }
  });

  it("'same' at stride 1 pads like PyTorch: the odd pixel goes to the bottom/right", () => {
    // k = 4: total padding 3 -> 1 before, 2 after.
    const x = randomTensor([1, 1, 5, 5], 3);
    const w = randomTensor([1, 1, 4, 4], 4);
    const same = cn.conv2d(x, w, null, { padding: 'same' });
    const explicit = cn.conv2d(x, w, null, { padding: [1, 2, 1, 2] });
    expect(Array.from(same.data)).toEqual(Array.from(explicit.data));
  });

  it("the lecture's 'same' padding p = ceil((m(s-1)+a-s)/2) keeps the size", () => {
    for (const [m, a, s] of [[5, 3, 2], [7, 3, 2], [224, 7, 2], [13, 5, 3], [32, 3, 1]]) {
      const p = Math.ceil((m * (s - 1) + a - s) / 2);
      expect(cn.convOutputSize(m, a, s, p, p), JSON.stringify({ m, a, s, p })).toBe(m);
      // The same total padding, split as convnode does, gives the same size.
      expect(cn.samePaddingTotal(m, a, s)).toBeLessThanOrEqual(2 * p);
      expect(cn.samePaddingTotal(m, a, s)).toBeGreaterThanOrEqual(2 * p - 1);
    }
  });
});

describe('conv2d: native vs the naive reference on random configurations', () => {
  const config = fc
    .record({
      n: fc.integer({ min: 1, max: 3 }),
      groups: fc.integer({ min: 1, max: 3 }),
      cinPerGroup: fc.integer({ min: 1, max: 3 }),
      coutPerGroup: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 5 }),
      kw: fc.integer({ min: 1, max: 5 }),
      sh: fc.integer({ min: 1, max: 6 }), // stride may exceed the kernel
      sw: fc.integer({ min: 1, max: 6 }),
      dh: fc.integer({ min: 1, max: 3 }),
      dw: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 12 }), // 1x1 images included
      w: fc.integer({ min: 1, max: 12 }),
      pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
      bias: fc.boolean(),
      seed: fc.nat(),
    })
    .map((c) => ({
      ...c,
      // padding up to kernel/2 on each side
      pads: [
        Math.min(c.pads[0], Math.floor(c.kh / 2)),
        Math.min(c.pads[1], Math.floor(c.kh / 2)),
        Math.min(c.pads[2], Math.floor(c.kw / 2)),
        Math.min(c.pads[3], Math.floor(c.kw / 2)),
      ] as [number, number, number, number],
    }))
    .filter((c) => {
      const outH = cn.convOutputSize(c.h, c.kh, c.sh, c.pads[0], c.pads[1], c.dh);
      const outW = cn.convOutputSize(c.w, c.kw, c.sw, c.pads[2], c.pads[3], c.dw);
      return outH >= 1 && outW >= 1;
    });

  it('agrees on 300 cases (stride > kernel, asymmetric padding, dilation, groups, 1x1 images, batch > 1)', () => {
    fc.assert(
      fc.property(config, (c) => {
        const cin = c.groups * c.cinPerGroup;
        const cout = c.groups * c.coutPerGroup;
        const x = randomTensor([c.n, cin, c.h, c.w], c.seed);
        const w = randomTensor([cout, c.cinPerGroup, c.kh, c.kw], c.seed + 1);
        const b = c.bias ? randomTensor([cout], c.seed + 2) : null;
        const y = cn.conv2d(x, w, b, { stride: [c.sh, c.sw], padding: c.pads, dilation: [c.dh, c.dw], groups: c.groups });
        const ref = cn.reference.conv2d(x, w, b, { stride: [c.sh, c.sw], padding: c.pads, dilation: [c.dh, c.dw], groups: c.groups });
        expectClose(y, ref, c);
      }),
      { numRuns: 300 },
    );
  });

  it('handles depthwise convolution (groups = in = out channels)', () => {
    const x = randomTensor([2, 8, 9, 9], 10);
    const w = randomTensor([8, 1, 3, 3], 11);
    const b = randomTensor([8], 12);
    const y = cn.conv2d(x, w, b, { padding: 1, groups: 8 });
    expectClose(y, cn.reference.conv2d(x, w, b, { stride: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 8 }), 'depthwise');
  });

  it('handles an empty batch', () => {
    const y = cn.conv2d(cn.zeros([0, 3, 5, 5]), cn.zeros([4, 3, 3, 3]));
    expect(y.shape).toEqual([0, 4, 3, 3]);
  });
});
