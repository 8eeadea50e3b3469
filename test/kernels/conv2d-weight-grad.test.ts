/**
 * conv2d's weight and bias gradients (Conv2dBackwardWeight) through every algorithm ('gemm':
 * im2col + packed SGEMM; 'dot': im2col + the in-place dot-product kernel of
 * native/kernels/conv/backward_weight_*.cc; 'shifted': that kernel reading the input as shifted
 * views, stride 1) and 'auto', under every ISA this machine supports
 * and on 1 and 2 threads, against a naive float64 loop. Random layers (fast-check) plus a table
 * that reaches the dot kernel's ragged register blocks, non-multiple-of-16 pixel counts and
 * several image chunks (LeNet's own shapes at batch 64). A failing case prints its whole
 * configuration.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { native, type ConvParams } from '../../lib/native.js';
import { ISAS, expectClose, randomArray, seededRandom } from './helpers.js';

interface Layer {
  n: number; cin: number; h: number; w: number; cout: number; kh: number; kw: number;
  sh: number; sw: number; pad: [number, number, number, number]; dh: number; dw: number;
  groups: number; seed: number;
}

function outSize(size: number, k: number, s: number, p0: number, p1: number, d: number): number {
  return Math.floor((size + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}

function params(l: Layer): ConvParams {
  return {
    n: l.n, cin: l.cin, h: l.h, w: l.w, cout: l.cout, kh: l.kh, kw: l.kw, strideH: l.sh, strideW: l.sw,
    padTop: l.pad[0], padBottom: l.pad[1], padLeft: l.pad[2], padRight: l.pad[3],
    dilationH: l.dh, dilationW: l.dw, groups: l.groups,
  };
}

/** dW[oc][icg][ky][kx] = sum over images and output pixels of dy * x at the tap (float64). */
function referenceGrads(l: Layer, x: Float32Array, dy: Float32Array): { dw: Float64Array; db: Float64Array } {
  const oh = outSize(l.h, l.kh, l.sh, l.pad[0], l.pad[1], l.dh);
  const ow = outSize(l.w, l.kw, l.sw, l.pad[2], l.pad[3], l.dw);
  const cinG = l.cin / l.groups, coutG = l.cout / l.groups;
  const dw = new Float64Array(l.cout * cinG * l.kh * l.kw);
  const db = new Float64Array(l.cout);
  for (let b = 0; b < l.n; b++) {
    for (let oc = 0; oc < l.cout; oc++) {
      const g = Math.floor(oc / coutG);
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          const d = dy[((b * l.cout + oc) * oh + oy) * ow + ox];
          db[oc] += d;
          for (let ic = 0; ic < cinG; ic++) {
            for (let ky = 0; ky < l.kh; ky++) {
              const iy = oy * l.sh - l.pad[0] + ky * l.dh;
              if (iy < 0 || iy >= l.h) continue;
              for (let kx = 0; kx < l.kw; kx++) {
                const ix = ox * l.sw - l.pad[2] + kx * l.dw;
                if (ix < 0 || ix >= l.w) continue;
                dw[((oc * cinG + ic) * l.kh + ky) * l.kw + kx] += d * x[((b * l.cin + g * cinG + ic) * l.h + iy) * l.w + ix];
              }
            }
          }
        }
      }
    }
  }
  return { dw, db };
}

const threadsBefore = cn.getNumThreads();
afterAll(() => cn.setNumThreads(threadsBefore));

function check(l: Layer): void {
  const rnd = seededRandom(l.seed);
  const oh = outSize(l.h, l.kh, l.sh, l.pad[0], l.pad[1], l.dh);
  const ow = outSize(l.w, l.kw, l.sw, l.pad[2], l.pad[3], l.dw);
  const x = randomArray(l.n * l.cin * l.h * l.w, rnd);
  const dy = randomArray(l.n * l.cout * oh * ow, rnd);
  const want = referenceGrads(l, x, dy);
  // Sums of n*oh*ow products in float32: tolerance grows with the square root of their count.
  const tol = 2e-6 * Math.sqrt(l.n * oh * ow);
  for (const threads of [1, 2]) {
    cn.setNumThreads(threads);
    for (const isa of ISAS) {
      for (const weightGradAlgo of ['gemm', 'dot', 'shifted', 'auto'] as const) {
        const context = { weightGradAlgo, isa, threads, ...l };
        const [dw, db] = native.Conv2dBackwardWeight(dy, x, { ...params(l), isa, weightGradAlgo }, true);
        expectClose(dw, Float32Array.from(want.dw), tol, context);
        expect(db, JSON.stringify(context)).not.toBeNull();
        expectClose(db as Float32Array, Float32Array.from(want.db), tol, context);
      }
    }
  }
}

const base = { sh: 1, sw: 1, pad: [0, 0, 0, 0] as [number, number, number, number], dh: 1, dw: 1, groups: 1, seed: 7 };

describe('Conv2dBackwardWeight: gemm and dot algorithms x every ISA x 1/2 threads vs float64 loops', () => {
  it.each([
    ['LeNet conv1, b64 (4 image chunks, 24-pixel rows)', { ...base, n: 64, cin: 1, h: 28, w: 28, cout: 6, kh: 5, kw: 5 }],
    ['LeNet conv2, b64 (16 = 6+6+4 rows, 150 = 37x4+2 taps)', { ...base, n: 64, cin: 6, h: 12, w: 12, cout: 16, kh: 5, kw: 5 }],
    ['7 pixels per image: every k tail scalar', { ...base, n: 3, cin: 2, h: 3, w: 9, cout: 5, kh: 3, kw: 3, pad: [0, 0, 0, 0] as [number, number, number, number] }],
    ['padded, strided, dilated, grouped', { ...base, n: 5, cin: 4, h: 11, w: 10, cout: 14, kh: 3, kw: 2, sh: 2, sw: 3, pad: [1, 2, 0, 1] as [number, number, number, number], dh: 2, dw: 1, groups: 2 }],
    ['depthwise', { ...base, n: 2, cin: 8, h: 9, w: 9, cout: 8, kh: 3, kw: 3, pad: [1, 1, 1, 1] as [number, number, number, number], groups: 8 }],
    ['64 x 72 = 4608 outputs (auto = shifted)', { ...base, n: 2, cin: 8, h: 7, w: 7, cout: 64, kh: 3, kw: 3, pad: [1, 1, 1, 1] as [number, number, number, number] }],
    ['above the dot limit: 64 x 288 outputs (auto = gemm)', { ...base, n: 2, cin: 32, h: 5, w: 5, cout: 64, kh: 3, kw: 3, pad: [1, 1, 1, 1] as [number, number, number, number] }],
    ['strided, so auto = dot', { ...base, n: 3, cin: 3, h: 13, w: 11, cout: 10, kh: 3, kw: 3, sh: 2, sw: 2 }],
    ['output rows under half the input width, so auto = dot', { ...base, n: 2, cin: 2, h: 6, w: 12, cout: 3, kh: 2, kw: 8 }],
  ])('%s', (_name, l) => check(l));

  it('random layers (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 3 }), cinG: fc.integer({ min: 1, max: 4 }), coutG: fc.integer({ min: 1, max: 9 }),
          groups: fc.integer({ min: 1, max: 2 }), kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
          sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
          pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)), h: fc.integer({ min: 1, max: 12 }), w: fc.integer({ min: 1, max: 20 }), seed: fc.nat(),
        }).filter((c) => outSize(c.h, c.kh, c.sh, c.pad[0], c.pad[1], c.dh) >= 1 && outSize(c.w, c.kw, c.sw, c.pad[2], c.pad[3], c.dw) >= 1),
        (c) => check({ ...c, cin: c.cinG * c.groups, cout: c.coutG * c.groups }),
      ),
      { numRuns: 60 },
    );
  });

  it('rejects an unknown weightGradAlgo with a JS Error naming it', () => {
    const l = { ...base, n: 1, cin: 1, h: 4, w: 4, cout: 1, kh: 3, kw: 3 };
    expect(() => native.Conv2dBackwardWeight(new Float32Array(4), new Float32Array(16), { ...params(l), weightGradAlgo: 'fast' as 'dot' }, false)).toThrow(/weightGradAlgo/);
  });
});
