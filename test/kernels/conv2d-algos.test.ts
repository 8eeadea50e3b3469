/**
 * Every convolution algorithm under every ISA this machine supports, against the naive
 * lib/reference conv2d, on random layers (fast-check) plus a table of edge cases. A failing
 * case prints its whole configuration (shape, stride, padding, dilation, groups, algo, isa).
 * Winograd accuracy is also checked on VGG / ResNet layer shapes at 1e-4 of max|output|.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { native, type ConvParams } from '../../lib/native.js';
import { ISAS, expectClose, randomArray, seededRandom } from './helpers.js';

type Algo = NonNullable<ConvParams['algo']>;
const ALGOS: Algo[] = ['direct', 'im2col', 'gemm1x1', 'winograd', 'depthwise'];

interface Layer {
  n: number; cin: number; h: number; w: number; cout: number; kh: number; kw: number;
  sh: number; sw: number; pad: [number, number, number, number]; dh: number; dw: number;
  groups: number; relu: boolean; seed: number;
}

function supports(algo: Algo, l: Layer): boolean {
  switch (algo) {
    case 'gemm1x1': return l.kh === 1 && l.kw === 1 && l.pad.every((p) => p === 0);
    case 'winograd': return l.kh === 3 && l.kw === 3 && l.sh === 1 && l.sw === 1 && l.dh === 1 && l.dw === 1 && l.groups === 1;
    case 'depthwise': return l.groups === l.cin && l.groups > 1;
    default: return true;
  }
}

function params(l: Layer, algo: Algo | 'auto', isa: string): ConvParams {
  return {
    n: l.n, cin: l.cin, h: l.h, w: l.w, cout: l.cout, kh: l.kh, kw: l.kw, strideH: l.sh, strideW: l.sw,
    padTop: l.pad[0], padBottom: l.pad[1], padLeft: l.pad[2], padRight: l.pad[3],
    dilationH: l.dh, dilationW: l.dw, groups: l.groups, algo, relu: l.relu, isa: isa as ConvParams['isa'],
  };
}

function check(l: Layer, isa: string, algos: (Algo | 'auto')[], tol = 1e-5): void {
  const rnd = seededRandom(l.seed);
  const x = cn.tensor(randomArray(l.n * l.cin * l.h * l.w, rnd), [l.n, l.cin, l.h, l.w]);
  const w = cn.tensor(randomArray(l.cout * (l.cin / l.groups) * l.kh * l.kw, rnd), [l.cout, l.cin / l.groups, l.kh, l.kw]);
  const b = cn.tensor(randomArray(l.cout, rnd), [l.cout]);
  const ref = cn.reference.conv2d(x, w, b, { stride: [l.sh, l.sw], padding: l.pad, dilation: [l.dh, l.dw], groups: l.groups });
  const want = l.relu ? ref.data.map((v) => Math.max(0, v)) : ref.data;
  for (const algo of algos) {
    if (algo !== 'auto' && !supports(algo, l)) {
      expect(() => native.Conv2d(x.data, w.data, b.data, params(l, algo, isa)), JSON.stringify({ algo, ...l })).toThrow(/algo/);
      continue;
    }
    // Winograd runs under each output tile, F(2x2) and F(4x4), besides the heuristic's.
    for (const winogradTile of algo === 'winograd' ? [undefined, 2, 4] as const : [undefined]) {
      const got = native.Conv2d(x.data, w.data, b.data, { ...params(l, algo, isa), winogradTile });
      // Tolerance relative to max|output|: sums of cin*kh*kw products in float32.
      expectClose(got, want, tol * Math.sqrt((l.cin / l.groups) * l.kh * l.kw), { isa, algo, winogradTile, ...l });
    }
    // Depthwise kernels place their loads by the input's address (AVX-512 stride 1 on 7-56
    // wide planes loads on each plane's 64-byte grid): run again on a copy in native-allocated
    // (64-byte aligned) memory.
    if (algo === 'depthwise') {
      const aligned = cn.add(x, cn.zeros([1]));
      const got = native.Conv2d(aligned.data, w.data, b.data, params(l, algo, isa));
      expectClose(got, want, tol * Math.sqrt((l.cin / l.groups) * l.kh * l.kw), { isa, algo, aligned: true, ...l });
    }
  }
}

const layerArb = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    cinG: fc.integer({ min: 1, max: 9 }),
    coutG: fc.integer({ min: 1, max: 9 }),
    groups: fc.constantFrom(1, 1, 1, 2, 3),
    depthwise: fc.boolean(),
    h: fc.integer({ min: 1, max: 19 }),
    w: fc.integer({ min: 1, max: 19 }),
    kh: fc.constantFrom(1, 1, 3, 3, 3, 5, 2),
    kw: fc.constantFrom(1, 1, 3, 3, 3, 5, 4),
    sh: fc.constantFrom(1, 1, 2, 3), sw: fc.constantFrom(1, 1, 2, 4),
    pad: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    dh: fc.constantFrom(1, 1, 2), dw: fc.constantFrom(1, 1, 3),
    relu: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  })
  .map((r): Layer => {
    const groups = r.depthwise ? r.cinG + 1 : r.groups;
    const cin = r.depthwise ? groups : r.cinG * groups;
    const cout = r.depthwise ? groups * (1 + (r.coutG % 2)) : r.coutG * groups;
    const pad = r.pad as [number, number, number, number];
    // Grow the input until the (dilated) kernel fits, so every case is a valid layer.
    const h = Math.max(r.h, r.dh * (r.kh - 1) + 1 - pad[0] - pad[1]);
    const w = Math.max(r.w, r.dw * (r.kw - 1) + 1 - pad[2] - pad[3]);
    return { n: r.n, cin, h, w, cout, kh: r.kh, kw: r.kw, sh: r.sh, sw: r.sw, pad, dh: r.dh, dw: r.dw, groups, relu: r.relu, seed: r.seed };
  });

const L = (o: Partial<Layer>): Layer => ({
  n: 1, cin: 4, h: 8, w: 8, cout: 4, kh: 3, kw: 3, sh: 1, sw: 1, pad: [1, 1, 1, 1], dh: 1, dw: 1, groups: 1, relu: false, seed: 7, ...o,
});

describe.each(ISAS)('conv2d algorithms, isa=%s', (isa) => {
  it('every algo matches the reference on random layers (fast-check)', () => {
    fc.assert(fc.property(layerArb, (l) => check(l, isa, ['auto', ...ALGOS])), { numRuns: 150, seed: 4711 });
  });

  it.each([
    ['winograd, output not a multiple of 4', L({ cin: 5, cout: 7, h: 10, w: 13 })],
    ['winograd, asymmetric padding', L({ cin: 3, cout: 2, h: 9, w: 6, pad: [0, 2, 2, 1] })],
    ['winograd, 1x1 output', L({ cin: 3, cout: 2, h: 3, w: 3, pad: [0, 0, 0, 0] })],
    ['winograd, many tile rows (chunked)', L({ cin: 3, cout: 4, h: 70, w: 9, n: 2 })],
    ['winograd, chunks spanning images (batch 5, 7x7)', L({ cin: 6, cout: 5, h: 7, w: 7, n: 5 })],
    ['winograd, chunks spanning images, ragged last chunk', L({ cin: 4, cout: 3, h: 5, w: 61, n: 7 })],
    ['winograd, padding wider than the image', L({ cin: 2, cout: 3, h: 2, w: 3, pad: [2, 2, 2, 2] })],
    // AVX-512 F(4x4) reads tile rows of >= 7 tiles with masked row loads, 16 tiles a pass.
    ['winograd, tile rows of 21 tiles (two passes, padding on the left)', L({ cin: 3, cout: 4, h: 9, w: 83, pad: [2, 1, 2, 1] })],
    ['winograd, tile rows of 8 tiles, padding taller than the image', L({ cin: 2, cout: 3, h: 2, w: 30, pad: [2, 2, 2, 2] })],
    // AVX-512 F(4x4) with the transposed products (tiles as rows, channels as columns; output
    // transform 16 channels at a time): 49 tiles, 104 channels (a group of 8), ragged right edge;
    // and chunks of two images with asymmetric padding.
    ['winograd transposed products, 104 channels', L({ cin: 5, cout: 104, h: 26, w: 26 })],
    ['winograd transposed products, batch 2, asymmetric padding', L({ n: 2, cin: 6, cout: 48, h: 27, w: 25, pad: [0, 2, 1, 0] })],
    ['1x1 strided, groups', L({ cin: 6, cout: 9, kh: 1, kw: 1, sh: 2, sw: 3, pad: [0, 0, 0, 0], groups: 3, h: 11, w: 13 })],
    // Batches pack the weights once for all images where each image's product would pack them
    // (sgemmReadsAInPlace: on AVX-512 and AVX2 above 96 output pixels, generic always):
    // gemm1x1 stride 1 and 2 with groups, im2col; and small images.
    ['1x1 batch 3, 10x11 output, groups 2', L({ n: 3, cin: 6, cout: 10, kh: 1, kw: 1, pad: [0, 0, 0, 0], groups: 2, h: 10, w: 11, relu: true })],
    ['1x1/s2 batch 2, 11x10 output', L({ n: 2, cin: 5, cout: 17, kh: 1, kw: 1, sh: 2, sw: 2, pad: [0, 0, 0, 0], h: 21, w: 20 })],
    ['3x3/s2 batch 2, 10x10 output', L({ n: 2, cin: 5, cout: 33, sh: 2, sw: 2, h: 20, w: 19 })],
    ['1x1 batch 3, 7x7 output, groups 2', L({ n: 3, cin: 8, cout: 40, kh: 1, kw: 1, pad: [0, 0, 0, 0], groups: 2, h: 7, w: 7, relu: true })],
    ['3x3 batch 2, 6x5 output', L({ n: 2, cin: 6, cout: 20, h: 6, w: 5 })],
    // Eager im2col / gemm1x1 take the pixels-as-rows kernel where plans would (AVX-512, AVX2),
    // with the weights packed per call: 1x1 @7 over a 64 + 36 channel panel pair, 3x3/s2 to
    // 7x7, and 5x5 @13 whose rows end in a 6-pixel tile.
    ['pixels-as-rows eager: 1x1 @7, batch 2, 100 channels', L({ n: 2, cin: 40, cout: 100, kh: 1, kw: 1, pad: [0, 0, 0, 0], h: 7, w: 7, relu: true })],
    ['pixels-as-rows eager: 3x3/s2 14x14 -> 7x7, 70 channels', L({ cin: 24, cout: 70, sh: 2, sw: 2, h: 14, w: 14 })],
    ['pixels-as-rows eager: 5x5 pad 2 @13, 64 channels, batch 2', L({ n: 2, cin: 8, cout: 64, kh: 5, kw: 5, pad: [2, 2, 2, 2], h: 13, w: 13, relu: true })],
    ['im2col 7x7/s2', L({ cin: 3, cout: 8, kh: 7, kw: 7, sh: 2, sw: 2, pad: [3, 3, 3, 3], h: 23, w: 20 })],
    ['im2col 11x11/s4', L({ cin: 3, cout: 5, kh: 11, kw: 11, sh: 4, sw: 4, pad: [2, 2, 2, 2], h: 31, w: 31 })],
    // Few input channels (AVX-512: implicit GEMM over 16-pixel groups that wrap across rows).
    ['stem 7x7/s2, output rows wider than 16 (wrapping groups)', L({ n: 2, cin: 3, cout: 19, kh: 7, kw: 7, sh: 2, sw: 2, pad: [3, 3, 3, 3], h: 45, w: 41, relu: true })],
    ['stem 11x11/s4, 19-wide output', L({ cin: 3, cout: 17, kh: 11, kw: 11, sh: 4, sw: 4, pad: [2, 2, 2, 2], h: 40, w: 79 })],
    ['few channels, stride 3, dilation 2, asymmetric padding', L({ cin: 2, cout: 9, kh: 3, kw: 5, sh: 3, sw: 3, dh: 2, dw: 2, pad: [0, 3, 4, 1], h: 30, w: 70 })],
    ['one input channel, 1x1 stride 2', L({ cin: 1, cout: 8, kh: 1, kw: 1, sh: 2, sw: 2, pad: [0, 0, 0, 0], h: 9, w: 37 })],
    ['4 input channels, 3x3, output exactly 16 wide', L({ cin: 4, cout: 24, h: 16, w: 16, n: 3 })],
    ['depthwise 3x3/s2 multiplier 2', L({ cin: 5, cout: 10, groups: 5, sh: 2, sw: 2, h: 13, w: 12 })],
    // 3x3 on AVX-512: stride 1 keeping the width runs flattened 16-pixel chunks that wrap
    // across rows (< 32 wide) or by rows (>= 32 wide); stride 2 deinterleaves 33 floats per row.
    ['depthwise 3x3/s1 7x7, chunks wrap rows', L({ cin: 6, cout: 6, groups: 6, h: 7, w: 7, relu: true })],
    // 7, 14 and 28 wide with padding 1 (AVX-512): chunks on the 64-byte grid of each plane, so
    // planes of 49 / 196 floats start at every alignment; runs of planes cross images.
    ['depthwise 3x3/s1 grid 7x7, 17 channels (every plane alignment), batch 2', L({ n: 2, cin: 17, cout: 17, groups: 17, h: 7, w: 7, relu: true })],
    ['depthwise 3x3/s1 grid 14x14, batch 3', L({ n: 3, cin: 5, cout: 5, groups: 5, h: 14, w: 14 })],
    ['depthwise 3x3/s1 grid 28x28, multiplier 2', L({ cin: 3, cout: 6, groups: 3, h: 28, w: 28, relu: true })],
    ['depthwise 3x3/s1 grid 28 wide, 3 rows', L({ n: 2, cin: 4, cout: 4, groups: 4, h: 3, w: 28 })],
    ['depthwise 3x3/s1 grid 56 wide (rows start mid-line), relu', L({ cin: 3, cout: 3, groups: 3, h: 5, w: 56, relu: true })],
    ['depthwise 3x3/s1 channel pairs, batch 2, bias per pair', L({ n: 2, cin: 4, cout: 4, groups: 4, h: 9, w: 9, relu: true })],
    ['depthwise 3x3/s1 odd channel count (no pairs)', L({ n: 2, cin: 5, cout: 5, groups: 5, h: 14, w: 14 })],
    ['depthwise 3x3/s1 asymmetric same-width padding', L({ cin: 3, cout: 6, groups: 3, h: 9, w: 13, pad: [0, 2, 2, 0] })],
    ['depthwise 3x3/s1 wide rows (interior and edge chunks)', L({ n: 2, cin: 3, cout: 3, groups: 3, h: 5, w: 53, relu: true })],
    ['depthwise 3x3/s1 no padding (narrower output)', L({ cin: 2, cout: 2, groups: 2, h: 6, w: 40, pad: [0, 0, 0, 0] })],
    ['depthwise 3x3/s2 rows of 32 and 64 floats (vector pairs), batch 2', L({ n: 2, cin: 3, cout: 3, groups: 3, sh: 2, sw: 2, h: 9, w: 32, relu: true })],
    ['depthwise 3x3/s2 rows of 64 floats, 2 output rows a pass and a last odd one', L({ cin: 2, cout: 2, groups: 2, sh: 2, sw: 2, h: 13, w: 64 })],
    ['depthwise 3x3/s2 odd wide rows', L({ cin: 3, cout: 3, groups: 3, sh: 2, sw: 2, h: 9, w: 71, relu: true })],
    ['depthwise 3x3/s2 padding 0 and 2', L({ cin: 2, cout: 4, groups: 2, sh: 2, sw: 2, h: 8, w: 35, pad: [2, 0, 0, 2] })],
    // Stride 2 with outW <= 7 and w + padLeft <= 16 (AVX-512): two output rows per vector.
    ['depthwise 3x3/s2 narrow 14x14 -> 7x7 (two rows a vector), batch 2, multiplier 2', L({ n: 2, cin: 3, cout: 6, groups: 3, sh: 2, sw: 2, h: 14, w: 14, relu: true })],
    ['depthwise 3x3/s2 narrow, runs of planes across images (batch 2, 9 channels)', L({ n: 2, cin: 9, cout: 9, groups: 9, sh: 2, sw: 2, h: 14, w: 14, relu: true })],
    ['depthwise 3x3/s2 narrow, odd output rows (last row alone)', L({ cin: 4, cout: 4, groups: 4, sh: 2, sw: 2, h: 13, w: 13 })],
    ['depthwise 3x3/s2 narrow, 16 wide without padding (w + padLeft = 16)', L({ cin: 2, cout: 2, groups: 2, sh: 2, sw: 2, h: 9, w: 16, pad: [0, 1, 0, 0] })],
    ['depthwise 3x3/s2 narrow, asymmetric padding, 1-wide output', L({ cin: 3, cout: 3, groups: 3, sh: 2, sw: 2, h: 6, w: 3, pad: [2, 1, 0, 0] })],
    ['depthwise 3x3/s2 15 wide padded (8 outputs: the general kernel)', L({ cin: 2, cout: 2, groups: 2, sh: 2, sw: 2, h: 7, w: 15 })],
    ['depthwise 5x5 dilated', L({ cin: 4, cout: 4, groups: 4, kh: 5, kw: 5, dh: 2, dw: 2, pad: [4, 4, 4, 4], h: 9, w: 17 })],
    ['relu fused', L({ relu: true, cin: 8, cout: 16, h: 12, w: 12 })],
  ])('%s', (_name, l) => {
    check(l, isa, ['auto', ...ALGOS]);
  });

  it.each([
    ['VGG conv1_2 (64 @ 56, cut)', 64, 64, 28],
    ['ResNet conv2_x 64 @ 56', 64, 64, 56],
    ['ResNet conv3_x 128 @ 28', 128, 128, 28],
    ['ResNet conv4_x 256 @ 14', 256, 256, 14],
    ['ResNet conv5_x 512 @ 7', 512, 512, 7],
    ['ResNet conv5_x 512 @ 7, batch 3', 512, 512, 7, 3],
    ['ResNet conv4_x 256 @ 14, batch 2', 256, 256, 14, 2],
  ])('winograd vs direct within 1e-4 of max|y|: %s', (name, cin, cout, hw, n = 1) => {
    const rnd = seededRandom(cin + hw);
    const p = params(L({ n, cin, cout, h: hw, w: hw }), 'direct', isa);
    const x = randomArray(n * cin * hw * hw, rnd);
    const w = randomArray(cout * cin * 9, rnd).map((v) => v * Math.sqrt(2 / (9 * cin)));
    const b = randomArray(cout, rnd);
    const direct = native.Conv2d(x, w, b, p);
    for (const winogradTile of [undefined, 2, 4] as const) {
      const wino = native.Conv2d(x, w, b, { ...p, algo: 'winograd', winogradTile });
      let maxAbs = 0, maxErr = 0;
      for (let i = 0; i < direct.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(direct[i]));
        maxErr = Math.max(maxErr, Math.abs(direct[i] - wino[i]));
      }
      expect(maxErr / maxAbs, `${name} isa=${isa} tile=${winogradTile}: max err ${maxErr}, max|y| ${maxAbs}`).toBeLessThan(1e-4);
    }
  });
});

describe('conv2d algo option', () => {
  it('cn.conv2d accepts every algorithm name and rejects an unknown one', () => {
    const x = cn.randn([1, 4, 6, 6], { seed: 1 });
    const w = cn.randn([4, 4, 3, 3], { seed: 2 });
    const ref = cn.conv2d(x, w, null, { padding: 1, algo: 'direct' });
    for (const algo of ['auto', 'im2col', 'winograd'] as const) {
      expectClose(cn.conv2d(x, w, null, { padding: 1, algo }).data, ref.data, 1e-5, { algo });
    }
    expect(() => cn.conv2d(x, w, null, { padding: 1, algo: 'fft' as never })).toThrow(/algo/);
    expect(() => cn.conv2d(x, w, null, { padding: 1, algo: 'gemm1x1' })).toThrow(/gemm1x1/);
  });

  it("ConvAlgoFor reports 'auto''s choice", () => {
    const base = params(L({ cin: 64, cout: 64, h: 56, w: 56 }), 'auto', ISAS[ISAS.length - 1]);
    expect(native.ConvAlgoFor(base)).toBe('winograd');
    // F(2x2) from 7x7 (16 tiles of 2x2) up; below that, im2col.
    expect(native.ConvAlgoFor({ ...base, cin: 512, cout: 512, h: 7, w: 7 })).toBe('winograd');
    expect(native.ConvAlgoFor({ ...base, cin: 512, cout: 512, h: 5, w: 5 })).toBe('im2col');
    expect(native.ConvAlgoFor({ ...base, kh: 1, kw: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 })).toBe('gemm1x1');
    expect(native.ConvAlgoFor({ ...base, groups: 64, cout: 64 })).toBe('depthwise');
  });
});

describe('Conv2dPrepack (filter transformed once, for compiled plans)', () => {
  const l = L({ cin: 16, cout: 8, h: 20, w: 20 });
  const rnd = seededRandom(99);
  const x = randomArray(l.cin * l.h * l.w, rnd);
  const w = randomArray(l.cout * l.cin * 9, rnd);
  const b = randomArray(l.cout, rnd);

  it.each(ISAS)('gives the same output as the per-call transform (isa=%s)', (isa) => {
    const p = params(l, 'winograd', isa);
    const handle = native.Conv2dPrepack(w, p);
    const want = native.Conv2d(x, w, b, p);
    expectClose(native.Conv2d(x, w, b, { ...p, prepacked: handle }), want, 1e-6, { isa });
    expectClose(native.Conv2d(x, w, b, { ...p, algo: 'auto', prepacked: handle }), want, 1e-6, { isa });
    for (const winogradTile of [2, 4] as const) {
      const h2 = native.Conv2dPrepack(w, { ...p, winogradTile });
      expectClose(native.Conv2d(x, w, b, { ...p, winogradTile, prepacked: h2 }), want, 1e-5, { isa, winogradTile });
    }
  });

  it('rejects a Winograd handle whose packing does not fit the call (tile count changed the micro-kernel)', () => {
    // 7x7, F(2x2): 16 tiles per GEMM at batch 1 (AVX-512: 28x16 kernel), 128 at batch 8 (14x32).
    const isa = ISAS[ISAS.length - 1];
    const l7 = L({ cin: 16, cout: 32, h: 7, w: 7 });
    const p1 = { ...params(l7, 'winograd', isa), winogradTile: 2 as const };
    const w7 = randomArray(32 * 16 * 9, seededRandom(3));
    const handle = native.Conv2dPrepack(w7, p1);
    const x8 = randomArray(8 * 16 * 49, seededRandom(4));
    const p8 = { ...p1, n: 8, prepacked: handle };
    if (isa === 'avx512') expect(() => native.Conv2d(x8, w7, null, p8)).toThrow(/prepacked/);
    else expectClose(native.Conv2d(x8, w7, null, p8), native.Conv2d(x8, w7, null, { ...p1, n: 8, algo: 'direct' }), 1e-5, { isa });
    expect(() => native.Conv2d(x8.subarray(0, 16 * 49), w7, null, { ...p1, winogradTile: 3 as never })).toThrow(/winogradTile/);
  });

  it('rejects a handle for another shape, another algo, or a foreign object', () => {
    const p = params(l, 'winograd', ISAS[0]);
    const handle = native.Conv2dPrepack(w, p);
    expect(() => native.Conv2d(x, w, b, { ...p, cout: 4, prepacked: handle })).toThrow();
    expect(() => native.Conv2d(x, w, b, { ...p, algo: 'im2col', prepacked: handle })).toThrow(/algo/);
    expect(() => native.Conv2d(x, w, b, { ...p, prepacked: {} as never })).toThrow(/prepacked/);
    expect(() => native.Conv2dPrepack(w, { ...p, strideH: 2 })).toThrow(/winograd/);
    expect(() => native.Conv2dPrepack(w, { ...p, algo: 'direct' })).toThrow(/algo/);
  });

  it('rejects a GEMM handle whose panel layout does not fit the call (pixels per image changed the micro-kernel)', () => {
    // 1x1, 64 output channels: 8x48 tiles at 56x56 (AVX-512), 14x32 at 2x2 (4 pixels).
    const isa = ISAS[ISAS.length - 1];
    const big = L({ cin: 16, cout: 64, kh: 1, kw: 1, h: 56, w: 56, pad: [0, 0, 0, 0] });
    const pBig = params(big, 'gemm1x1', isa);
    const w1 = randomArray(64 * 16, seededRandom(8));
    const handle = native.Conv2dPrepack(w1, pBig);
    const pSmall = { ...pBig, h: 2, w: 2 };
    const xs = randomArray(16 * 4, seededRandom(9));
    if (isa === 'avx512') expect(() => native.Conv2d(xs, w1, null, { ...pSmall, prepacked: handle })).toThrow(/prepacked/);
    else expectClose(native.Conv2d(xs, w1, null, { ...pSmall, prepacked: handle }), native.Conv2d(xs, w1, null, pSmall), 1e-5, { isa });
  });

  it.each(ISAS)('im2col / gemm1x1 with packed weights match the unpacked run (isa=%s)', (isa) => {
    const layers: Layer[] = [
      L({ cin: 6, cout: 20, kh: 5, kw: 3, sh: 2, sw: 1, h: 17, w: 13, pad: [2, 1, 0, 1], groups: 2, relu: true }),
      L({ cin: 8, cout: 30, kh: 3, kw: 3, h: 7, w: 7 }),
      L({ cin: 12, cout: 9, kh: 1, kw: 1, sh: 2, sw: 2, h: 9, w: 10, pad: [0, 0, 0, 0], groups: 3 }),
      // cin <= 4: the AVX-512 implicit-GEMM layout, for im2col and gemm1x1 alike.
      L({ cin: 3, cout: 20, kh: 7, kw: 7, sh: 2, sw: 2, h: 40, w: 38, pad: [3, 3, 3, 3], relu: true }),
      L({ cin: 3, cout: 11, kh: 1, kw: 1, h: 9, w: 21, pad: [0, 0, 0, 0] }),
      // 64 / 128 output channels: 8x48 panels on AVX-512.
      L({ cin: 24, cout: 64, kh: 1, kw: 1, h: 30, w: 31, pad: [0, 0, 0, 0], relu: true }),
      L({ cin: 16, cout: 128, kh: 3, kw: 3, h: 12, w: 20 }),
    ];
    for (const layer of layers) {
      const r = seededRandom(layer.cin * 31 + layer.cout);
      const xs = randomArray(layer.n * layer.cin * layer.h * layer.w, r);
      const ws = randomArray(layer.cout * (layer.cin / layer.groups) * layer.kh * layer.kw, r);
      const bs = randomArray(layer.cout, r);
      for (const algo of ['im2col', 'gemm1x1'] as const) {
        if (!supports(algo, layer)) continue;
        const p = params(layer, algo, isa);
        const handle = native.Conv2dPrepack(ws, p);
        const want = native.Conv2d(xs, ws, bs, p);
        expectClose(native.Conv2d(xs, ws, bs, { ...p, prepacked: handle }), want, 1e-6, { isa, algo, ...layer });
        expectClose(native.Conv2d(xs, ws, bs, { ...p, algo: 'auto', prepacked: handle }), want, 1e-6, { isa, algo, ...layer });
        expect(() => native.Conv2d(xs, ws, bs, { ...p, algo: 'direct', prepacked: handle })).toThrow(/algo/);
      }
    }
  });
});

describe('Winograd filter cache (eager calls)', () => {
  it('never serves a stale transform when weights change in place', () => {
    const l = L({ cin: 16, cout: 16, h: 24, w: 24 });
    const rnd = seededRandom(5);
    const x = randomArray(l.cin * l.h * l.w, rnd);
    const w = randomArray(l.cout * l.cin * 9, rnd);
    const p = params(l, 'winograd', ISAS[ISAS.length - 1]);
    for (let step = 0; step < 4; step++) {
      const want = native.Conv2d(x, w, null, { ...p, algo: 'direct' });
      const first = native.Conv2d(x, w, null, p); // miss or hit, then surely a hit:
      const again = native.Conv2d(x, w, null, p);
      expectClose(first, want, 1e-5, { step });
      expectClose(again, want, 1e-5, { step, again: true });
      // An optimizer-style in-place update, down to a single weight's last bit.
      if (step === 2) w[w.length - 1] = Math.fround(w[w.length - 1] * (1 + 2 ** -20));
      else for (let i = 0; i < w.length; i++) w[i] -= 0.01 * w[(i * 7) % w.length];
    }
  });
});

// The AVX-512 Winograd paths (transposed products, per-channel-group output store, gathered and
// row-loaded input windows) split their jobs over threads: 1 and 2 threads, each against the
// reference, including shapes big enough to run on 2 (> 3M multiply-adds in the products).
describe('winograd under 1 and 2 threads', () => {
  const before = cn.getNumThreads();
  for (const threads of [1, 2]) {
    it.each([
      ['transposed, 104 channels', L({ cin: 24, cout: 104, h: 26, w: 26, seed: 3 })],
      ['transposed, batch 2, 64 @ 30', L({ n: 2, cin: 16, cout: 64, h: 30, w: 30, seed: 4, relu: true })],
      ['normal orientation, 16 tiles, 96 channels', L({ cin: 96, cout: 96, h: 14, w: 14, seed: 5 })],
      ['F(2x2) at 7x7, 160 channels', L({ cin: 160, cout: 160, h: 7, w: 7, seed: 6 })],
    ])(`threads=${threads}: %s`, (_name, l) => {
      cn.setNumThreads(threads);
      try {
        for (const isa of ISAS) check(l, isa, ['winograd'], 2e-5);
      } finally {
        cn.setNumThreads(before);
      }
    });
  }
});
