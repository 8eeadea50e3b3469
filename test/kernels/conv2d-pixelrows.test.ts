import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as cn from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { ISAS, expectClose, randomArray, seededRandom } from './helpers.js';

/**
 * The pixels-as-rows GEMM (native/kernels/conv/conv_pixelrows.h, AVX-512 and AVX2) in compiled plans
 * against float64 loops. CONVNODE_PIXEL_ROWS=1 makes the plan take it wherever it is eligible,
 * so the shapes cover what the shipped rule never picks: output channels that fill no 64-wide
 * panel (nor a 16-lane vector), more taps than one 128-tap block and not a multiple of it,
 * pixel counts that are not a multiple of the 7-pixel tile, 1x1 stride 1 (input read in place)
 * and stride 2, 3x3 stride 2 with padding, dilation, batch 2; with bias, ReLU, ReLU6 and a
 * residual accumulated in the store (with and without an activation after it), on 1 and 2
 * threads. The plan runs the active ISA's kernel (7x64 AVX-512, 7x16 AVX2); on an AVX-512
 * machine the last case reruns this file in a child process under CONVNODE_ISA=avx2. Without
 * either ISA the same plans run the usual paths and must agree too.
 */
interface Case {
  name: string;
  n: number; cin: number; h: number; w: number; cout: number; k: number;
  stride: number; pad: number; dilation?: number;
  bias: boolean; act: 'none' | 'relu' | 'relu6'; residual: boolean;
}

const CASES: Case[] = [
  { name: '1x1/1 @7x7, cout 100 (64 + 36), 300 taps (128+128+44), bias relu', n: 1, cin: 300, h: 7, w: 7, cout: 100, k: 1, stride: 1, pad: 0, bias: true, act: 'relu', residual: false },
  { name: '1x1/1 @5x5 (25 pixels: a 4-pixel tile), cout 16, relu6', n: 1, cin: 20, h: 5, w: 5, cout: 16, k: 1, stride: 1, pad: 0, bias: false, act: 'relu6', residual: false },
  { name: '1x1/2 @12x12 -> 6x6 (36 pixels), cout 80, bias, residual relu', n: 1, cin: 144, h: 12, w: 12, cout: 80, k: 1, stride: 2, pad: 0, bias: true, act: 'relu', residual: true },
  { name: '3x3/2 pad 1 @15x15 -> 8x8, 297 taps, cout 72, bias relu, batch 2', n: 2, cin: 33, h: 15, w: 15, cout: 72, k: 3, stride: 2, pad: 1, bias: true, act: 'relu', residual: false },
  { name: '3x3/2 pad 1 @14x14 -> 7x7, cout 130, residual without activation', n: 1, cin: 16, h: 14, w: 14, cout: 130, k: 3, stride: 2, pad: 1, bias: true, act: 'none', residual: true },
  { name: '3x3/1 dilation 2 pad 2 @9x11, cout 64, residual relu6, batch 2', n: 2, cin: 24, h: 9, w: 11, cout: 64, k: 3, stride: 1, pad: 2, dilation: 2, bias: false, act: 'relu6', residual: true },
  { name: '1x1/1 @14x14, 512 -> 128 (full tiles, 4 blocks), bias relu, batch 2', n: 2, cin: 512, h: 14, w: 14, cout: 128, k: 1, stride: 1, pad: 0, bias: true, act: 'relu', residual: false },
  // Output rows a multiple of 7 wide with stride 1 or 2: the input is read in place (padded copy).
  { name: '1x1/2 @14x14 -> 7x7 (input in place), cout 70, bias, residual relu6', n: 1, cin: 150, h: 14, w: 14, cout: 70, k: 1, stride: 2, pad: 0, bias: true, act: 'relu6', residual: true },
  { name: '3x3/2 pad 1 @28x27 -> 14x14 (input in place), 360 taps, cout 96, relu, batch 2', n: 2, cin: 40, h: 28, w: 27, cout: 96, k: 3, stride: 2, pad: 1, bias: true, act: 'relu', residual: false },
  { name: '3x3/1 dilation 2 pad 2 @10x14 (input in place), cout 40, residual relu', n: 2, cin: 12, h: 10, w: 14, cout: 40, k: 3, stride: 1, pad: 2, dilation: 2, bias: false, act: 'relu', residual: true },
  { name: '5x5/1 pad 0 @11x11 -> 7x7 (input in place, no padding), cout 33', n: 1, cin: 19, h: 11, w: 11, cout: 33, k: 5, stride: 1, pad: 0, bias: true, act: 'none', residual: false },
  // Rows of outW % 7 != 0 pixels: tiles of 7 along each row and a shorter last one, the input
  // staged (zero-padded copy with slack) so the short tiles' unused lanes read inside it.
  { name: '5x5/1 pad 2 @13x13 (rows of 13: tiles of 7 + 6), 250 taps, cout 70, bias relu', n: 1, cin: 10, h: 13, w: 13, cout: 70, k: 5, stride: 1, pad: 2, bias: true, act: 'relu', residual: false },
  { name: '3x3/2 pad 0 @17x19 -> 8x9 (no padding, tiles of 7 + 2), cout 24, residual relu6, batch 2', n: 2, cin: 5, h: 17, w: 19, cout: 24, k: 3, stride: 2, pad: 0, bias: true, act: 'relu6', residual: true },
  { name: '1x1/1 @1x1, cout 5, residual relu', n: 2, cin: 9, h: 1, w: 1, cout: 5, k: 1, stride: 1, pad: 0, bias: true, act: 'relu', residual: true },
];

function outSize(c: Case, x: number): number {
  return Math.floor((x + 2 * c.pad - (c.dilation ?? 1) * (c.k - 1) - 1) / c.stride) + 1;
}

/** act(conv(x, w) + b [+ r]) in float64, NCHW. */
function reference(c: Case, x: Float32Array, w: Float32Array, b: Float32Array | null, r: Float32Array | null): Float32Array {
  const oh = outSize(c, c.h), ow = outSize(c, c.w), d = c.dilation ?? 1;
  const y = new Float32Array(c.n * c.cout * oh * ow);
  for (let n = 0; n < c.n; n++)
    for (let oc = 0; oc < c.cout; oc++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++) {
          let s = b ? b[oc] : 0;
          for (let ic = 0; ic < c.cin; ic++)
            for (let ky = 0; ky < c.k; ky++) {
              const iy = oy * c.stride - c.pad + ky * d;
              if (iy < 0 || iy >= c.h) continue;
              for (let kx = 0; kx < c.k; kx++) {
                const ix = ox * c.stride - c.pad + kx * d;
                if (ix < 0 || ix >= c.w) continue;
                s += x[((n * c.cin + ic) * c.h + iy) * c.w + ix] * w[((oc * c.cin + ic) * c.k + ky) * c.k + kx];
              }
            }
          const o = ((n * c.cout + oc) * oh + oy) * ow + ox;
          if (r) s += r[o];
          if (c.act !== 'none') s = Math.max(0, s);
          if (c.act === 'relu6') s = Math.min(6, s);
          y[o] = s;
        }
  return y;
}

const vectorIsa = cn.cpuInfo().isa !== 'generic';  // AVX-512 (7x64 tiles) or AVX2 (7x16)
const threadsBefore = cn.getNumThreads();
afterAll(() => cn.setNumThreads(threadsBefore));

describe('pixels-as-rows conv (compiled plans) vs float64 loops', () => {
  for (const c of CASES) {
    for (const threads of [1, 2]) {
      it(`${c.name}, ${threads} thread(s)`, async () => {
        cn.setNumThreads(threads);
        const rnd = seededRandom(c.cin * 131 + c.cout * 7 + c.k);
        const x = randomArray(c.n * c.cin * c.h * c.w, rnd);
        const w = randomArray(c.cout * c.cin * c.k * c.k, rnd).map((v) => v * 0.2);
        const b = c.bias ? randomArray(c.cout, rnd) : null;
        // The residual comes from a second conv of the same geometry (with its own weights),
        // computed first and read only by the add, so the plan accumulates onto it.
        const wr = randomArray(c.cout * c.cin * c.k * c.k, rnd).map((v) => v * 0.2);
        const opts = { stride: c.stride, padding: c.pad, dilation: c.dilation ?? 1 };
        const wT = cn.tensor(w, [c.cout, c.cin, c.k, c.k]), wrT = cn.tensor(wr, [c.cout, c.cin, c.k, c.k]);
        const bT = b ? cn.tensor(b, [c.cout]) : null;
        const act = (t: cn.Tensor) => (c.act === 'relu' ? cn.relu(t) : c.act === 'relu6' ? cn.relu6(t) : t);
        const net = (t: cn.Tensor) => {
          if (!c.residual) return act(cn.conv2d(t, wT, bT, opts));
          const r = cn.conv2d(t, wrT, null, opts);
          return act(cn.add(r, cn.conv2d(t, wT, bT, opts)));
        };
        const shape = [c.n, c.cin, c.h, c.w];
        process.env.CONVNODE_PIXEL_ROWS = '1';
        let session;
        try {
          session = await cn.InferenceSession.create(net, { inputShape: shape });
        } finally {
          delete process.env.CONVNODE_PIXEL_ROWS;
        }
        const xT = cn.tensor(x, shape);
        const r = c.residual ? reference({ ...c, bias: false, act: 'none' }, x, wr, null, null) : null;
        const want = reference(c, x, w, b, r);
        const ctx = { ...c, threads };
        expectClose((await session.run(xT)).data, want, 1e-4, { ...ctx, run: 1 });
        // Twice: a residual slot or partial-sum buffer left stale by the first run would show.
        expectClose(session.runSync(xT).data, want, 1e-4, { ...ctx, run: 2 });
        const handle = (session as unknown as { planFor(s: number[]): { handle: unknown } }).planFor(shape).handle;
        const lines = native.PlanDescribe(handle as Parameters<typeof native.PlanDescribe>[0]);
        const main = lines.filter((l) => l.startsWith('conv2d') && l.includes(`${c.cin}->${c.cout}`));
        expect(main.some((l) => l.includes('pixel-rows')), lines.join('\n')).toBe(vectorIsa);
        if (c.residual) expect(main.some((l) => l.includes('+residual')), lines.join('\n')).toBe(true);
      });
    }
  }

  it('CONVNODE_PIXEL_ROWS=0 keeps the usual path (the A/B switch)', async () => {
    const w = cn.tensor(randomArray(128 * 256, seededRandom(3)), [128, 256, 1, 1]);
    const net = (t: cn.Tensor) => cn.relu(cn.conv2d(t, w, null, {}));
    process.env.CONVNODE_PIXEL_ROWS = '0';
    let session;
    try {
      session = await cn.InferenceSession.create(net, { inputShape: [1, 256, 7, 7] });
    } finally {
      delete process.env.CONVNODE_PIXEL_ROWS;
    }
    const handle = (session as unknown as { planFor(s: number[]): { handle: unknown } }).planFor([1, 256, 7, 7]).handle;
    const lines = native.PlanDescribe(handle as Parameters<typeof native.PlanDescribe>[0]);
    expect(lines.some((l) => l.includes('pixel-rows')), lines.join('\n')).toBe(false);
  });
});

// CONVNODE_ISA is read once per process: the AVX2 kernel gets its own vitest run.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const inChild = process.env.CONVNODE_PIXEL_ROWS_CHILD === '1';
describe.skipIf(inChild || cn.cpuInfo().isa !== 'avx512' || !ISAS.includes('avx2'))('pixels-as-rows under CONVNODE_ISA=avx2', () => {
  it('every case above passes in a child process (7x16 kernel)', () => {
    const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
    const out = execFileSync(process.execPath, [vitest, 'run', 'test/kernels/conv2d-pixelrows.test.ts'], {
      cwd: root,
      env: { ...process.env, CONVNODE_ISA: 'avx2', CONVNODE_PIXEL_ROWS_CHILD: '1', NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(out).toMatch(/Tests\s+\d+ passed/);
    expect(out).not.toMatch(/failed/);
  }, 120_000);
});
