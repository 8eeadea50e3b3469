import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { expectClose, randomTensor } from '../helpers.js';

const poolConfig = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 11 }),
    w: fc.integer({ min: 1, max: 11 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 5 }),
    sw: fc.integer({ min: 1, max: 5 }),
    ph: fc.nat(2),
    pw: fc.nat(2),
    dh: fc.integer({ min: 1, max: 2 }),
    dw: fc.integer({ min: 1, max: 2 }),
    ceilMode: fc.boolean(),
    seed: fc.nat(),
  })
  .map((c) => ({ ...c, ph: Math.min(c.ph, Math.floor(c.kh / 2)), pw: Math.min(c.pw, Math.floor(c.kw / 2)) }));

function fits(c: { h: number; w: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; ceilMode: boolean }, dh = 1, dw = 1): boolean {
  return cn.poolOutputSize(c.h, c.kh, c.sh, c.ph, dh, c.ceilMode) >= 1 && cn.poolOutputSize(c.w, c.kw, c.sw, c.pw, dw, c.ceilMode) >= 1;
}

describe('maxPool2d', () => {
  it('agrees with the reference on 200 random cases (padding, dilation, ceil mode)', () => {
    fc.assert(
      fc.property(poolConfig.filter((c) => fits(c, c.dh, c.dw)), (c) => {
        const x = randomTensor([c.n, c.c, c.h, c.w], c.seed);
        const y = cn.maxPool2d(x, { kernelSize: [c.kh, c.kw], stride: [c.sh, c.sw], padding: [c.ph, c.pw], dilation: [c.dh, c.dw], ceilMode: c.ceilMode });
        const ref = cn.reference.maxPool2d(x, { kernel: [c.kh, c.kw], stride: [c.sh, c.sw], padding: [c.ph, c.pw], dilation: [c.dh, c.dw], ceilMode: c.ceilMode });
        expectClose(y, ref, c, 0);
      }),
      { numRuns: 200 },
    );
  });

  it('gives hand-computed values for 2x2/s2 and 3x3/s2 with padding', () => {
    const x = cn.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 1, 4, 4]);
    expect(Array.from(cn.maxPool2d(x, { kernelSize: 2 }).data)).toEqual([6, 8, 14, 16]);
    expect(Array.from(cn.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }).data)).toEqual([6, 8, 14, 16]);
    // ceil mode adds a last window that starts inside the input: 5x5 -> 3x3 with 2x2/s2.
    const y = cn.maxPool2d(cn.tensor(Array.from({ length: 25 }, (_, i) => i), [1, 1, 5, 5]), { kernelSize: 2, ceilMode: true });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(Array.from(y.data)).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
  });

  it('2x2 and 3x3 windows at stride 1 and 2 (the AVX-512 fast kernel) match the reference on wide and narrow planes, NaN planes included', () => {
    // Widths around the 16-lane vector edges; a plane with a NaN takes the NaN-exact path.
    for (const [h, w] of [[7, 7], [14, 14], [28, 28], [9, 33], [17, 16], [56, 56], [5, 47]]) {
      for (const [k, stride, padding, ceilMode] of [[3, 1, 1, true], [3, 2, 0, true], [3, 2, 1, false], [3, 1, 0, false], [2, 2, 0, true], [2, 2, 1, false], [2, 1, 0, false]] as const) {
        const x = randomTensor([2, 3, h, w], h * 100 + w);
        x.data[(1 * 3 + 2) * h * w + ((h * w) >> 1)] = NaN; // one plane of image 1 holds a NaN
        const cfg = { h, w, k, stride, padding, ceilMode };
        const y = cn.maxPool2d(x, { kernelSize: k, stride, padding, ceilMode });
        const ref = cn.reference.maxPool2d(x, { kernel: [k, k], stride: [stride, stride], padding: [padding, padding], dilation: [1, 1], ceilMode });
        expectClose(y, ref, cfg, 0);
        expect(Array.from(y.data).some(Number.isNaN), JSON.stringify(cfg)).toBe(true);
      }
    }
  });

  it('propagates NaN like PyTorch', () => {
    const y = cn.maxPool2d(cn.tensor([1, NaN, 3, 4], [1, 1, 2, 2]), { kernelSize: 2 });
    expect(Number.isNaN(y.data[0])).toBe(true);
  });
});

describe('avgPool2d', () => {
  it('agrees with the reference on 200 random cases (countIncludePad both ways, ceil mode)', () => {
    fc.assert(
      fc.property(poolConfig.filter((c) => fits(c)), fc.boolean(), (c, countIncludePad) => {
        const x = randomTensor([c.n, c.c, c.h, c.w], c.seed);
        const y = cn.avgPool2d(x, { kernelSize: [c.kh, c.kw], stride: [c.sh, c.sw], padding: [c.ph, c.pw], ceilMode: c.ceilMode, countIncludePad });
        const ref = cn.reference.avgPool2d(x, { kernel: [c.kh, c.kw], stride: [c.sh, c.sw], padding: [c.ph, c.pw], ceilMode: c.ceilMode, countIncludePad });
        expectClose(y, ref, { ...c, countIncludePad });
      }),
      { numRuns: 200 },
    );
  });

  it('divides by the padded window or by the valid cells (hand values)', () => {
    const x = cn.ones([1, 1, 2, 2]);
    // 3x3 window with padding 1 at the corner sees 4 ones among 9 padded cells.
    expect(cn.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1 }).data[0]).toBeCloseTo(4 / 9, 6);
    expect(cn.avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1, countIncludePad: false }).data[0]).toBe(1);
    expect(cn.avgPool2d(x, { kernelSize: 2, divisorOverride: 3 }).data[0]).toBeCloseTo(4 / 3, 6);
  });
});

describe('lpPool2d', () => {
  it('agrees with the reference for p = 1, 2, 3 (positive inputs) and ceil mode', () => {
    fc.assert(
      fc.property(poolConfig.map((c) => ({ ...c, ph: 0, pw: 0 })).filter((c) => fits(c)), fc.constantFrom(1, 2, 3), (c, p) => {
        const x = cn.tensor(randomTensor([c.n, c.c, c.h, c.w], c.seed).data.map((v) => Math.abs(v) + 0.1), [c.n, c.c, c.h, c.w]);
        const y = cn.lpPool2d(x, { p, kernelSize: [c.kh, c.kw], stride: [c.sh, c.sw], ceilMode: c.ceilMode });
        const ref = cn.reference.lpPool2d(x, { p, kernel: [c.kh, c.kw], stride: [c.sh, c.sw], ceilMode: c.ceilMode });
        expectClose(y, ref, { ...c, p }, 1e-5);
      }),
      { numRuns: 150 },
    );
  });

  it('p = 2 is the Euclidean norm of the window (hand value)', () => {
    const y = cn.lpPool2d(cn.tensor([3, 4, 0, 0], [1, 1, 2, 2]), { p: 2, kernelSize: 2 });
    expect(y.data[0]).toBeCloseTo(5, 5);
  });
});

describe('adaptive and global pooling', () => {
  it('adaptive average / max agree with the reference on uneven windows', () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 13 }), w: fc.integer({ min: 1, max: 13 }), oh: fc.integer({ min: 1, max: 7 }), ow: fc.integer({ min: 1, max: 7 }), seed: fc.nat() }),
        (c) => {
          const x = randomTensor([c.n, c.c, c.h, c.w], c.seed);
          expectClose(cn.adaptiveAvgPool2d(x, [c.oh, c.ow]), cn.reference.adaptiveAvgPool2d(x, c.oh, c.ow), c);
          expectClose(cn.adaptiveMaxPool2d(x, [c.oh, c.ow]), cn.reference.adaptiveMaxPool2d(x, c.oh, c.ow), c, 0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('global average pooling (split partial sums) matches a float64 sum: plane sizes around the 8-float blocks, 1 and 2 threads', () => {
    const before = cn.getNumThreads();
    try {
      for (const threads of [1, 2]) {
        cn.setNumThreads(threads);
        for (const [h, w] of [[1, 1], [1, 3], [2, 4], [3, 3], [3, 5], [4, 4], [1, 17], [7, 7], [8, 8], [13, 11]]) {
          const x = randomTensor([2, 37, h, w], h * 100 + w);
          const got = cn.globalAvgPool2d(x).data;
          for (let p = 0; p < 2 * 37; p++) {
            let sum = 0;
            for (let i = 0; i < h * w; i++) sum += x.data[p * h * w + i];
            const want = sum / (h * w);
            if (!(Math.abs(got[p] - want) <= 1e-6 * Math.max(1, Math.abs(want)))) {
              throw new Error(`plane ${p}: got ${got[p]}, want ${want} for ${JSON.stringify({ threads, h, w })}`);
            }
          }
        }
      }
    } finally {
      cn.setNumThreads(before);
    }
  });

  it('global pooling reduces each plane to [N, C, 1, 1]', () => {
    const x = randomTensor([2, 3, 7, 5], 9);
    const avg = cn.globalAvgPool2d(x);
    const max = cn.globalMaxPool2d(x);
    expect(avg.shape).toEqual([2, 3, 1, 1]);
    expectClose(avg, cn.reference.globalAvgPool2d(x), 'globalAvg');
    expectClose(max, cn.reference.globalMaxPool2d(x), 'globalMax', 0);
    const plane0 = Array.from(x.data.subarray(0, 35));
    expect(avg.data[0]).toBeCloseTo(plane0.reduce((a, b) => a + b, 0) / 35, 5);
    expect(max.data[0]).toBe(Math.max(...plane0));
  });

  it('pool output size follows PyTorch, including the ceil-mode rule', () => {
    expect(cn.poolOutputSize(112, 3, 2, 1)).toBe(56);
    expect(cn.poolOutputSize(55, 3, 2)).toBe(27); // AlexNet
    expect(cn.poolOutputSize(5, 2, 2, 0, 1, true)).toBe(3);
    // ceil mode would start a window in the right padding: dropped.
    expect(cn.poolOutputSize(5, 2, 2, 1, 1, true)).toBe(3); // without the rule: 4
  });
});
