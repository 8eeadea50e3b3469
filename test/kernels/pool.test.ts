/** Vectorized max pooling (per ISA, padded-plane kernels) against lib/reference on random windows. */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { native, type PoolParams } from '../../lib/native.js';
import { ISAS, expectClose, randomArray, seededRandom } from './helpers.js';

describe.each(ISAS)('maxPool2d isa=%s', (isa) => {
  it('matches the reference (fast-check: kernel, stride, padding, dilation, ceil mode, NaN)', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 4 }),
      h: fc.integer({ min: 1, max: 20 }), w: fc.integer({ min: 1, max: 40 }),
      kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
      sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
      dh: fc.constantFrom(1, 1, 2), dw: fc.constantFrom(1, 1, 2),
      padFrac: fc.double({ min: 0, max: 1, noNaN: true }), ceilMode: fc.boolean(), nan: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    });
    fc.assert(fc.property(arb, (r) => {
      const padH = Math.floor((r.kh / 2) * r.padFrac), padW = Math.floor((r.kw / 2) * r.padFrac);
      const h = Math.max(r.h, r.dh * (r.kh - 1) + 1), w = Math.max(r.w, r.dw * (r.kw - 1) + 1);
      const data = randomArray(r.n * r.c * h * w, seededRandom(r.seed));
      if (r.nan) data[r.seed % data.length] = NaN;
      const x = cn.tensor(data, [r.n, r.c, h, w]);
      const want = cn.reference.maxPool2d(x, {
        kernel: [r.kh, r.kw], stride: [r.sh, r.sw], padding: [padH, padW], dilation: [r.dh, r.dw], ceilMode: r.ceilMode,
      });
      const p: PoolParams = {
        n: r.n, c: r.c, h, w, kh: r.kh, kw: r.kw, strideH: r.sh, strideW: r.sw, padH, padW,
        dilationH: r.dh, dilationW: r.dw, ceilMode: r.ceilMode, isa: isa as PoolParams['isa'],
      };
      const got = native.MaxPool2d(data, p);
      const ctx = { isa, ...r, h, w, padH, padW };
      // NaN positions must agree exactly; the rest to rounding (max is exact).
      for (let i = 0; i < want.data.length; i++) {
        if (Number.isNaN(want.data[i]) !== Number.isNaN(got[i])) throw new Error(`NaN mismatch at ${i} for ${JSON.stringify(ctx)}`);
      }
      expectClose(got.map((v) => (Number.isNaN(v) ? 0 : v)), want.data.map((v) => (Number.isNaN(v) ? 0 : v)), 0, ctx);
    }), { numRuns: 200, seed: 99 });
  });
});

/**
 * The direct 2x2 / 3x3, stride 1 / 2 kernels (AVX-512; other ISAs run the padded-plane path on
 * the same cases): rows held in 1-4 vectors (w + pad <= 64) and the general path for wider ones,
 * the 16-column edges, ceil-mode overhang, several planes split over 1 and 2 threads, and a NaN in
 * one plane (the whole call falls back to the NaN-propagating path).
 */
const threadsBefore = cn.getNumThreads();
afterAll(() => cn.setNumThreads(threadsBefore));
describe.each(ISAS)('maxPool2d direct 2x2 / 3x3 kernels isa=%s', (isa) => {
  const cases: [number, number, number, number, number, boolean][] = [];
  for (const [h, w] of [[14, 14], [7, 7], [15, 15], [16, 16], [1, 1], [2, 3], [13, 17], [28, 28], [5, 33], [9, 48], [56, 57], [6, 70], [4, 130]]) {
    for (const [k, st, pad, ceil] of [[3, 1, 1, true], [3, 1, 0, false], [2, 1, 0, false], [2, 1, 1, false], [3, 2, 0, true], [3, 2, 1, false], [2, 2, 0, true], [2, 2, 1, true]] as const) {
      if (h + 2 * pad < k || w + 2 * pad < k) continue;
      cases.push([h, w, k, st, pad, ceil]);
    }
  }
  it.each([1, 2])('matches the reference, %i thread(s)', (threads) => {
    cn.setNumThreads(threads);
    for (const [h, w, k, st, pad, ceilMode] of cases) {
      for (const nanPlane of [-1, 2]) {
        const n = 1, c = 5;
        const data = randomArray(n * c * h * w, seededRandom(h * 131 + w * 7 + k + st * 3 + pad));
        if (nanPlane >= 0) data[nanPlane * h * w + ((h * w) >> 1)] = NaN;
        const x = cn.tensor(data, [n, c, h, w]);
        const want = cn.reference.maxPool2d(x, { kernel: [k, k], stride: [st, st], padding: [pad, pad], dilation: [1, 1], ceilMode });
        const got = native.MaxPool2d(data, {
          n, c, h, w, kh: k, kw: k, strideH: st, strideW: st, padH: pad, padW: pad, dilationH: 1, dilationW: 1, ceilMode,
          isa: isa as PoolParams['isa'],
        });
        const ctx = { isa, threads, h, w, k, st, pad, ceilMode, nanPlane };
        for (let i = 0; i < want.data.length; i++) {
          if (Number.isNaN(want.data[i]) !== Number.isNaN(got[i])) throw new Error(`NaN mismatch at ${i} for ${JSON.stringify(ctx)}`);
        }
        expectClose(got.map((v) => (Number.isNaN(v) ? 0 : v)), want.data.map((v) => (Number.isNaN(v) ? 0 : v)), 0, ctx);
      }
    }
  });
});

describe.each(ISAS)('avgPool2d isa=%s', (isa) => {
  it('matches the reference (fast-check: kernel, stride, padding, ceil mode, countIncludePad, divisorOverride)', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 20 }), w: fc.integer({ min: 1, max: 40 }),
      kh: fc.integer({ min: 1, max: 5 }), kw: fc.integer({ min: 1, max: 5 }),
      sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
      padFrac: fc.double({ min: 0, max: 1, noNaN: true }), ceilMode: fc.boolean(),
      countIncludePad: fc.boolean(), divisorOverride: fc.constantFrom(0, 0, 0, 3),
      seed: fc.integer({ min: 1, max: 1 << 30 }),
    });
    fc.assert(fc.property(arb, (r) => {
      const padH = Math.floor((r.kh / 2) * r.padFrac), padW = Math.floor((r.kw / 2) * r.padFrac);
      const h = Math.max(r.h, r.kh), w = Math.max(r.w, r.kw);
      const data = randomArray(r.n * r.c * h * w, seededRandom(r.seed));
      const x = cn.tensor(data, [r.n, r.c, h, w]);
      const want = cn.reference.avgPool2d(x, {
        kernel: [r.kh, r.kw], stride: [r.sh, r.sw], padding: [padH, padW], ceilMode: r.ceilMode,
        countIncludePad: r.countIncludePad, divisorOverride: r.divisorOverride || undefined,
      });
      const got = native.AvgPool2d(data, {
        n: r.n, c: r.c, h, w, kh: r.kh, kw: r.kw, strideH: r.sh, strideW: r.sw, padH, padW,
        dilationH: 1, dilationW: 1, ceilMode: r.ceilMode, countIncludePad: r.countIncludePad,
        divisorOverride: r.divisorOverride, isa: isa as PoolParams['isa'],
      });
      expectClose(got, want.data, 1e-6, { isa, ...r, h, w, padH, padW });
    }), { numRuns: 200, seed: 7 });
  });
});

/**
 * maxPool2d's gradient routes each output's gradient to the first element of its window (row
 * by row) equal to the output, or to the first NaN. JS oracle for 2x2/s2 windows (the shape with
 * an AVX-512 kernel, maxpool_backward_avx512.cc), in float64.
 */
function maxPool2x2Backward(x: Float32Array, dy: Float32Array, n: number, c: number, h: number, w: number, oh: number, ow: number): Float32Array {
  const dx = new Float32Array(n * c * h * w);
  for (let p = 0; p < n * c; p++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        let best = -Infinity, at = -1;
        for (let ky = 0; ky < 2 && 2 * oy + ky < h; ky++)
          for (let kx = 0; kx < 2 && 2 * ox + kx < w; kx++) {
            const i = (p * h + 2 * oy + ky) * w + 2 * ox + kx;
            if (Number.isNaN(best)) continue;
            if (Number.isNaN(x[i]) || at < 0 || x[i] > best) { best = x[i]; at = i; }
          }
        dx[at] += dy[(p * oh + oy) * ow + ox];
      }
  return dx;
}

describe.each(ISAS)('maxPool2d backward 2x2/s2 isa=%s', (isa) => {
  it('matches the first-maximum rule (fast-check: ties, NaN, odd sizes, ceil mode, rows of 1..40 windows)', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 2, max: 12 }), w: fc.integer({ min: 2, max: 81 }),
      ceilMode: fc.boolean(), ties: fc.boolean(), nans: fc.nat(3), seed: fc.integer({ min: 1, max: 1 << 30 }),
    });
    fc.assert(fc.property(arb, (r) => {
      const rnd = seededRandom(r.seed);
      const data = randomArray(r.n * r.c * r.h * r.w, rnd).map((v) => (r.ties ? Math.round(v * 2) : v));
      for (let k = 0; k < r.nans; k++) data[Math.floor((rnd() + 0.5) * data.length) % data.length] = NaN;
      const p: PoolParams = {
        n: r.n, c: r.c, h: r.h, w: r.w, kh: 2, kw: 2, strideH: 2, strideW: 2, padH: 0, padW: 0,
        dilationH: 1, dilationW: 1, ceilMode: r.ceilMode, isa: isa as PoolParams['isa'],
      };
      const y = native.MaxPool2d(data, p);
      const oh = r.ceilMode ? Math.ceil((r.h - 2) / 2) + 1 : Math.floor((r.h - 2) / 2) + 1;
      const ow = r.ceilMode ? Math.ceil((r.w - 2) / 2) + 1 : Math.floor((r.w - 2) / 2) + 1;
      const dy = randomArray(y.length, rnd);
      const got = native.MaxPool2dBackward(data, y, dy, p);
      expectClose(got, maxPool2x2Backward(data, dy, r.n, r.c, r.h, r.w, oh, ow), 0, { isa, ...r });
    }), { numRuns: 200, seed: 2511 });
  });
});

describe.each(ISAS)('maxPool2d backward, ceil-mode windows over the edge isa=%s', (isa) => {
  // Regression: the unbounded tiled loops wrote past dx when the last window hung over the
  // input's edge (heap corruption). Every output's gradient must land once, inside dx.
  it.each([
    [2, 5, 5], [2, 3, 7], [3, 7, 7], [3, 4, 10], [2, 9, 2],
  ])('kernel %i, stride = kernel, %ix%i input', (k, h, w) => {
    const p: PoolParams = {
      n: 2, c: 3, h, w, kh: k, kw: k, strideH: k, strideW: k, padH: 0, padW: 0,
      dilationH: 1, dilationW: 1, ceilMode: true, isa: isa as PoolParams['isa'],
    };
    const x = randomArray(2 * 3 * h * w, seededRandom(h * 31 + w));
    const y = native.MaxPool2d(x, p);
    const dy = new Float32Array(y.length).fill(1);
    const dx = native.MaxPool2dBackward(x, y, dy, p);
    let sum = 0;
    for (const v of dx) sum += v;
    if (sum !== y.length) throw new Error(`gradient sum ${sum}, want ${y.length} for ${JSON.stringify(p)}`);
  });
});
