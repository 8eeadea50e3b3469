/** Vectorized max pooling (per ISA, padded-plane kernels) against lib/reference on random windows. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
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
