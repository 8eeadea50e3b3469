/**
 * SGEMM (packed, blocked, per-ISA micro-kernels) against a naive float64 reference: transposes,
 * leading dimensions larger than the row, alpha/beta, fused bias/ReLU, and M, N, K that are not
 * multiples of any register tile or cache block.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { native, type SgemmParams } from '../../lib/native.js';
import { ISAS, expectClose, randomArray, seededRandom } from './helpers.js';

interface Case {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  padA: number; padB: number; padC: number;
  alpha: number; beta: number;
  biasMode: 'none' | 'row' | 'col'; relu: boolean;
  /** Epilogue min(., clampMax) after the ReLU (compiled plans' ReLU6); undefined: none. */
  clampMax?: number;
  threads: number; seed: number;
}

function run(isa: string, c: Case): void {
  const rnd = seededRandom(c.seed);
  const lda = Math.max(1, (c.transA ? c.m : c.k) + c.padA);
  const ldb = Math.max(1, (c.transB ? c.k : c.n) + c.padB);
  const ldc = Math.max(1, c.n + c.padC);
  const aRows = c.transA ? c.k : c.m;
  const bRows = c.transB ? c.n : c.k;
  const a = randomArray(Math.max(0, aRows * lda), rnd);
  const b = randomArray(Math.max(0, bRows * ldb), rnd);
  const c0 = randomArray(c.m === 0 ? 0 : (c.m - 1) * ldc + c.n, rnd);
  const bias = randomArray(c.biasMode === 'row' ? c.m : c.n, rnd);
  const A = (i: number, p: number) => (c.transA ? a[p * lda + i] : a[i * lda + p]);
  const B = (p: number, j: number) => (c.transB ? b[j * ldb + p] : b[p * ldb + j]);
  const want = new Float32Array(c0);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let sum = 0;
      for (let p = 0; p < c.k; p++) sum += A(i, p) * B(p, j);
      let r = c.alpha * sum + (c.beta === 0 ? 0 : c.beta * c0[i * ldc + j]);
      if (c.biasMode === 'row') r += bias[i];
      if (c.biasMode === 'col') r += bias[j];
      if (c.relu) r = Math.max(0, r);
      if (c.clampMax !== undefined) r = Math.min(r, c.clampMax);
      want[i * ldc + j] = r;
    }
  }
  const params: SgemmParams = {
    m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB, lda, ldb, ldc,
    alpha: c.alpha, beta: c.beta, biasMode: c.biasMode, relu: c.relu, isa: isa as SgemmParams['isa'],
    threads: c.threads, clampMax: c.clampMax,
  };
  if (c.biasMode !== 'none') params.bias = bias;
  const got = native.Sgemm(a, b, c0, params);
  // Only the m x n window is defined; padding columns of C must be left as they were.
  expectClose(got, want, 1e-5 * Math.max(1, Math.sqrt(c.k)), { isa, ...c });
}

const caseArb = fc.record({
  m: fc.integer({ min: 0, max: 70 }),
  n: fc.integer({ min: 0, max: 90 }),
  k: fc.integer({ min: 0, max: 300 }),
  transA: fc.boolean(), transB: fc.boolean(),
  padA: fc.integer({ min: 0, max: 3 }), padB: fc.integer({ min: 0, max: 3 }), padC: fc.integer({ min: 0, max: 3 }),
  alpha: fc.constantFrom(1, -0.5, 2),
  beta: fc.constantFrom(0, 1, 0.25),
  biasMode: fc.constantFrom('none' as const, 'row' as const, 'col' as const),
  relu: fc.boolean(),
  clampMax: fc.constantFrom(undefined, 6, 0.5, -1),
  threads: fc.constantFrom(1, 2, 3, 4), // 3 and 4: non-trivial tm x tn grids (oversubscribed here, still correct)
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

describe.each(ISAS)('sgemm isa=%s', (isa) => {
  it('matches the naive reference on random shapes (fast-check)', () => {
    fc.assert(fc.property(caseArb, (c) => run(isa, c)), { numRuns: 120, seed: 4242 });
  });

  it.each([
    [1, 1, 1], [14, 32, 1], [15, 33, 257], [337, 65, 513], [6, 16, 256], [200, 600, 70], [128, 513, 31],
    // AVX-512 8x48 tiles (64 / 128 / 8 rows), across its nc = 480 and kc = 256 blocks.
    [64, 100, 300], [128, 97, 600], [8, 481, 260], [344, 530, 40],
    // Panel tails that run with fewer B vectors: 20 columns of a 48-wide panel (2 of 3), 4 of a
    // 32-wide one (1 of 2).
    [64, 68, 70], [56, 196, 64],
  ])('edge shape m=%i n=%i k=%i (blocks and tiles)', (m, n, k) => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        // threads 4: a 2x2 or 1x4 grid of C blocks once the product is big enough (> 16 MFLOP).
        // threads 1: one block of up to 512 rows, so B is read in place across several row
        // blocks of mc = 336 (337 rows) with its ragged last panel packed once for all of them.
        for (const threads of [1, 2, 4]) {
          run(isa, { m, n, k, transA, transB, padA: 1, padB: 0, padC: 2, alpha: 1, beta: 0.5, biasMode: threads === 2 ? 'row' : 'col', relu: true, threads, seed: m * 7 + n * 13 + k });
        }
      }
    }
  });

  // AVX-512 products with k >= 512 and m >= 256 take the 14x32 kernel's deeper blocks (kc =
  // 512, mc = 168, nc = 1024): 2 row blocks with a ragged last panel, a ragged k block after the
  // first 512, 2 column blocks with a ragged last panel. transA false / transB true: A and B are
  // packed by the register transposes; true / false: by the copying packers. (Other ISAs run
  // the same shape through their only table.)
  it.runIf(isa === 'avx512')('large-block path m=260 n=1041 k=520', () => {
    for (const [transA, transB] of [[false, true], [true, false]]) {
      run(isa, { m: 260, n: 1041, k: 520, transA, transB, padA: 3, padB: 1, padC: 0, alpha: 1, beta: 0.5, biasMode: 'row', relu: false, threads: 1, seed: transA ? 11 : 12 });
    }
  });

  // n = 5, 7, 131, 130: the transB path takes four B rows at a time (dot4) plus 1-3 left over.
  it.each([[1, 300, 1000], [2, 129, 777], [3, 64, 4099], [1, 5, 15], [1, 7, 16], [2, 131, 33], [3, 130, 17]])('few-row (GEMV) path m=%i n=%i k=%i', (m, n, k) => {
    for (const transB of [false, true]) {
      for (const threads of [1, 2]) {
        run(isa, { m, n, k, transA: false, transB, padA: 2, padB: 1, padC: 1, alpha: -0.5, beta: 0.25, biasMode: transB ? 'col' : 'row', relu: true, threads, seed: m + n + k });
        run(isa, { m, n, k, transA: false, transB, padA: 0, padB: 3, padC: 0, alpha: 1, beta: 0, biasMode: 'none', relu: false, clampMax: 0.5, threads, seed: m * n + k });
      }
    }
  });

  it('beta = 0 ignores NaN in C (BLAS semantics)', () => {
    const c0 = new Float32Array(4).fill(NaN);
    const got = native.Sgemm(new Float32Array([1, 2]), new Float32Array([3, 4]), c0, {
      m: 2, n: 2, k: 1, transA: false, transB: false, lda: 1, ldb: 2, ldc: 2, alpha: 1, beta: 0, isa,
    });
    expect(Array.from(got)).toEqual([3, 4, 6, 8]);
  });
});

describe('sgemm binding checks', () => {
  it('rejects an lda shorter than the row', () => {
    expect(() => native.Sgemm(new Float32Array(4), new Float32Array(4), null, {
      m: 2, n: 2, k: 2, transA: false, transB: false, lda: 1, ldb: 2, ldc: 2, alpha: 1, beta: 0,
    })).toThrow(/lda/);
  });
  it('rejects an operand too short for the shape', () => {
    expect(() => native.Sgemm(new Float32Array(3), new Float32Array(4), null, {
      m: 2, n: 2, k: 2, transA: false, transB: false, lda: 2, ldb: 2, ldc: 2, alpha: 1, beta: 0,
    })).toThrow(/sgemm/);
  });
});
