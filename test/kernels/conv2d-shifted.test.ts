/**
 * The shifted-view convolution (native/kernels/conv/conv_shifted.*), which algo 'im2col' (and so
 * 'auto' where it picks im2col) runs for stride-1 layers with at most 64 output channels per
 * group: every ISA this machine supports, 1 and 2 threads, against the naive lib/reference
 * conv2d. Random stride-1 layers (fast-check) plus a table that reaches the register blocks'
 * ragged edges (channels not a multiple of 8 / 6 / 4, pixel runs not a multiple of 16 / 8),
 * padding (the padded-copy path), dilation, groups and fused ReLU. A failing case prints its
 * whole configuration. The second part checks the input gradient (Conv2dBackwardInput), which
 * uses the same views transposed for stride-1 layers with at most 16 output channels.
 */
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { native, type ConvParams } from '../../lib/native.js';
import { ISAS, expectClose, randomArray, seededRandom } from './helpers.js';

interface Layer {
  n: number; cin: number; h: number; w: number; cout: number; kh: number; kw: number;
  pad: [number, number, number, number]; dh: number; dw: number; groups: number; relu: boolean; seed: number;
}

const threadsBefore = cn.getNumThreads();
afterAll(() => cn.setNumThreads(threadsBefore));

function check(l: Layer): void {
  const rnd = seededRandom(l.seed);
  const x = cn.tensor(randomArray(l.n * l.cin * l.h * l.w, rnd), [l.n, l.cin, l.h, l.w]);
  const w = cn.tensor(randomArray(l.cout * (l.cin / l.groups) * l.kh * l.kw, rnd), [l.cout, l.cin / l.groups, l.kh, l.kw]);
  const b = cn.tensor(randomArray(l.cout, rnd), [l.cout]);
  const ref = cn.reference.conv2d(x, w, b, { stride: [1, 1], padding: l.pad, dilation: [l.dh, l.dw], groups: l.groups });
  const want = l.relu ? ref.data.map((v) => Math.max(0, v)) : ref.data;
  const p: ConvParams = {
    n: l.n, cin: l.cin, h: l.h, w: l.w, cout: l.cout, kh: l.kh, kw: l.kw, strideH: 1, strideW: 1,
    padTop: l.pad[0], padBottom: l.pad[1], padLeft: l.pad[2], padRight: l.pad[3],
    dilationH: l.dh, dilationW: l.dw, groups: l.groups, relu: l.relu,
  };
  for (const threads of [1, 2]) {
    cn.setNumThreads(threads);
    for (const isa of ISAS) {
      for (const algo of ['im2col', 'auto'] as const) {
        const got = native.Conv2d(x.data, w.data, b.data, { ...p, algo, isa });
        expectClose(got, want, 1e-5 * Math.sqrt((l.cin / l.groups) * l.kh * l.kw), { algo, isa, threads, ...l });
      }
    }
  }
}

const L = (o: Partial<Layer>): Layer => ({
  n: 2, cin: 3, h: 9, w: 9, cout: 4, kh: 3, kw: 3, pad: [0, 0, 0, 0], dh: 1, dw: 1, groups: 1, relu: false, seed: 11, ...o,
});

describe('conv2d stride 1, few output channels (shifted views) x every ISA x 1/2 threads', () => {
  it.each([
    ['LeNet conv1 (6 channels, 24 of 28 columns)', L({ n: 4, cin: 1, h: 28, w: 28, cout: 6, kh: 5, kw: 5, relu: true })],
    ['LeNet conv2 (16 = 8 + 8 channels, 92-pixel runs)', L({ n: 4, cin: 6, h: 12, w: 12, cout: 16, kh: 5, kw: 5, relu: true })],
    ['7 channels (ragged channel block)', L({ cout: 7 })],
    ['9 channels', L({ cout: 9, h: 5, w: 21 })],
    ['13 channels, dilated', L({ cout: 13, dh: 2, dw: 3, h: 11, w: 12 })],
    ['17 channels, asymmetric padding', L({ cout: 17, pad: [0, 2, 1, 0] })],
    ['64 channels (the largest taken), padded', L({ cin: 5, cout: 64, pad: [1, 1, 1, 1], h: 7, w: 6 })],
    ['groups, relu', L({ cin: 6, cout: 10, groups: 2, relu: true, pad: [1, 1, 1, 1] })],
    ['1x1 output pixel', L({ h: 3, w: 3, cout: 5 })],
    ['1x5 kernel, one output row', L({ h: 1, w: 40, kh: 1, kw: 5, cout: 3 })],
  ])('%s', (_name, l) => check(l));

  it('random stride-1 layers (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }), cinG: fc.integer({ min: 1, max: 5 }), coutG: fc.integer({ min: 1, max: 20 }),
          groups: fc.constantFrom(1, 1, 2), kh: fc.integer({ min: 1, max: 5 }), kw: fc.integer({ min: 1, max: 5 }),
          dh: fc.constantFrom(1, 1, 2), dw: fc.constantFrom(1, 1, 2), pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
          h: fc.integer({ min: 1, max: 14 }), w: fc.integer({ min: 1, max: 30 }), relu: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        (r) => {
          const pad = r.pad as [number, number, number, number];
          const h = Math.max(r.h, r.dh * (r.kh - 1) + 1 - pad[0] - pad[1]);
          const w = Math.max(r.w, r.dw * (r.kw - 1) + 1 - pad[2] - pad[3]);
          check({ n: r.n, cin: r.cinG * r.groups, h, w, cout: r.coutG * r.groups, kh: r.kh, kw: r.kw, pad, dh: r.dh, dw: r.dw, groups: r.groups, relu: r.relu, seed: r.seed });
        },
      ),
      { numRuns: 80, seed: 2511 },
    );
  });
});

/** dx[b][ic][iy][ix] = sum over output channels, taps and output pixels reading (iy, ix) (float64). */
function referenceInputGrad(l: Layer, w: Float32Array, dy: Float32Array): Float32Array {
  const oh = l.h + l.pad[0] + l.pad[1] - l.dh * (l.kh - 1);
  const ow = l.w + l.pad[2] + l.pad[3] - l.dw * (l.kw - 1);
  const cinG = l.cin / l.groups, coutG = l.cout / l.groups;
  const dx = new Float64Array(l.n * l.cin * l.h * l.w);
  for (let b = 0; b < l.n; b++)
    for (let oc = 0; oc < l.cout; oc++) {
      const g = Math.floor(oc / coutG);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          const d = dy[((b * l.cout + oc) * oh + oy) * ow + ox];
          for (let ic = 0; ic < cinG; ic++)
            for (let ky = 0; ky < l.kh; ky++) {
              const iy = oy - l.pad[0] + ky * l.dh;
              if (iy < 0 || iy >= l.h) continue;
              for (let kx = 0; kx < l.kw; kx++) {
                const ix = ox - l.pad[2] + kx * l.dw;
                if (ix < 0 || ix >= l.w) continue;
                dx[((b * l.cin + g * cinG + ic) * l.h + iy) * l.w + ix] += d * w[((oc * cinG + ic) * l.kh + ky) * l.kw + kx];
              }
            }
        }
    }
  return Float32Array.from(dx);
}

function checkInputGrad(l: Layer): void {
  const rnd = seededRandom(l.seed);
  const oh = l.h + l.pad[0] + l.pad[1] - l.dh * (l.kh - 1);
  const ow = l.w + l.pad[2] + l.pad[3] - l.dw * (l.kw - 1);
  const w = randomArray(l.cout * (l.cin / l.groups) * l.kh * l.kw, rnd);
  const dy = randomArray(l.n * l.cout * oh * ow, rnd);
  const want = referenceInputGrad(l, w, dy);
  const p: ConvParams = {
    n: l.n, cin: l.cin, h: l.h, w: l.w, cout: l.cout, kh: l.kh, kw: l.kw, strideH: 1, strideW: 1,
    padTop: l.pad[0], padBottom: l.pad[1], padLeft: l.pad[2], padRight: l.pad[3],
    dilationH: l.dh, dilationW: l.dw, groups: l.groups,
  };
  for (const threads of [1, 2]) {
    cn.setNumThreads(threads);
    for (const isa of ISAS) {
      const got = native.Conv2dBackwardInput(dy, w, { ...p, isa });
      expectClose(got, want, 1e-5 * Math.sqrt((l.cout / l.groups) * l.kh * l.kw), { op: 'Conv2dBackwardInput', isa, threads, ...l });
    }
  }
}

describe('conv2d input gradient, stride 1, <= 16 output channels (shifted adjoint) x every ISA x 1/2 threads', () => {
  it.each([
    ['LeNet conv2 (6 <- 16, 5x5 @12)', L({ n: 4, cin: 6, h: 12, w: 12, cout: 16, kh: 5, kw: 5 })],
    ['7 input channels x 3x3 = 63 taps (ragged tap blocks)', L({ cin: 7, cout: 5 })],
    ['padded asymmetric, dilated', L({ cin: 3, cout: 9, pad: [2, 0, 1, 2], dh: 2, dw: 1, h: 10, w: 13 })],
    ['groups', L({ cin: 6, cout: 8, groups: 2, pad: [1, 1, 1, 1] })],
    ['1x1 output pixel', L({ h: 3, w: 3, cout: 2 })],
    ['17 output channels (GEMM + col2im path)', L({ cout: 17, pad: [1, 1, 1, 1] })],
  ])('%s', (_name, l) => checkInputGrad(l));

  it('random stride-1 layers (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }), cinG: fc.integer({ min: 1, max: 9 }), coutG: fc.integer({ min: 1, max: 18 }),
          groups: fc.constantFrom(1, 1, 2), kh: fc.integer({ min: 1, max: 5 }), kw: fc.integer({ min: 1, max: 5 }),
          dh: fc.constantFrom(1, 1, 2), dw: fc.constantFrom(1, 1, 2), pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
          h: fc.integer({ min: 1, max: 14 }), w: fc.integer({ min: 1, max: 30 }), seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        (r) => {
          const pad = r.pad as [number, number, number, number];
          const h = Math.max(r.h, r.dh * (r.kh - 1) + 1 - pad[0] - pad[1]);
          const w = Math.max(r.w, r.dw * (r.kw - 1) + 1 - pad[2] - pad[3]);
          checkInputGrad({ n: r.n, cin: r.cinG * r.groups, h, w, cout: r.coutG * r.groups, kh: r.kh, kw: r.kw, pad, dh: r.dh, dw: r.dw, groups: r.groups, relu: false, seed: r.seed });
        },
      ),
      { numRuns: 80, seed: 1311 },
    );
  });
});
