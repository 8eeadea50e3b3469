/**
 * The shifted-view convolution (native/kernels/conv/conv_shifted.*), which algo 'im2col' (and so
 * 'auto' where it picks im2col) runs for stride-1 layers with at most 64 output channels per
 * group: every ISA this machine supports, 1 and 2 threads, against the naive lib/reference
 * conv2d. Random stride-1 layers (fast-check) plus a table that reaches the register blocks'
 * ragged edges (channels not a multiple of 8 / 6 / 4, pixel runs not a multiple of 16 / 8),
 * padding (the padded-copy path), dilation, groups and fused ReLU. A failing case prints its
 * whole configuration.
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
