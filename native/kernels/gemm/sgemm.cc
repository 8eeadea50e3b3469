// SGEMM driver, BLIS loop order (Van Zee & van de Geijn, "BLIS: A Framework for Rapidly
// Instantiating BLAS Functionality", 2015):
//   jc over N in nc blocks -> pc over K in kc blocks (pack B kc x nc) -> ic over M in mc blocks
//   (pack A mc x kc) -> jr over nc in NR -> ir over mc in MR -> micro-kernel (kc rank-1 updates
//   of an MR x NR register tile).
// Threads: C is cut into a tm x tn grid of blocks aligned to the register tile, and each thread
// runs the serial loops above on its block with its own packing buffers. No barriers, and
// with 2 cores the repacked operand (A when N is split) costs < 1% of the flops.
#include <algorithm>
#include <cstring>

#include "core/aligned_buffer.h"
#include "core/threading.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/sgemm_ukernel.h"

namespace convnode {

namespace {

const GemmKernelTable* tableFor(Isa isa) {
  const GemmKernelTable* t = nullptr;
  if (isa == Isa::Avx512) t = gemmTableAvx512();
  else if (isa == Isa::Avx2) t = gemmTableAvx2();
  return t ? t : gemmTableGeneric();
}

// The table for one product: the ISA's main kernel, or (AVX-512) the 28x16 or 8x48 one when
// its register tiles waste clearly fewer lanes on this m x n (fraction of computed tile entries
// that are real, e.g. n = 16: 100% vs 50% of a 32-wide tile).
const GemmKernelTable* tableForShape(Isa isa, int64_t m, int64_t n) {
  const GemmKernelTable* t = tableFor(isa);
  if (isa != Isa::Avx512) return t;
  auto fill = [&](const GemmKernelTable* k) {
    const double fm = double(m) / double((m + k->mr - 1) / k->mr * k->mr);
    const double fn = double(n) / double((n + k->nr - 1) / k->nr * k->nr);
    return fm * fn;
  };
  // 28x16 (one B load + 28 broadcasts per 28 FMAs) only when it fills tiles clearly better;
  // 8x48 (3 + 8 loads per 24 FMAs) already when it fills 5% better: GEMMs with 64 or 128 rows
  // (1x1 convs with 64 / 128 output channels), 14-row tiles 91% full, 8-row tiles 100%.
  // Measured 2026-11-25, 1 thread, best of ~1 s: 64x3136x256 0.468-0.482 vs 0.493-0.516 ms,
  // 128x784x1152 1.036-1.054 vs 1.083-1.086 ms.
  const GemmKernelTable* best = t;
  double bestFill = fill(t);
  const GemmKernelTable* narrow = gemmTableAvx512Narrow();
  if (narrow && fill(narrow) > 1.15 * fill(t)) {
    best = narrow;
    bestFill = fill(narrow);
  }
  const GemmKernelTable* wide = gemmTableAvx512Wide();
  if (wide && fill(wide) > 1.05 * bestFill) best = wide;
  return best;
}

// The table for a whole product handed to sgemm() / sgemmIsa() (matmul, Linear, eager convs
// without prepacked weights): tableForShape's, with the main AVX-512 kernel's deeper-blocked
// twin once k fills its kc = 512 and there are enough rows for its mc = 168 blocks. Only here:
// prepacked weights (sgemmKernelFor) and sgemmSerial's scratch keep tableForShape's blocks.
// Measured with the 1 thread medians in gemmTableAvx512Large(); smaller products (256^3,
// 64x3136x576, 256x196x2304) measured the same or slower with it.
const GemmKernelTable* tableForProduct(Isa isa, const GemmShape& s) {
  const GemmKernelTable* t = tableForShape(isa, s.m, s.n);
  const GemmKernelTable* large = isa == Isa::Avx512 ? gemmTableAvx512Large() : nullptr;
  if (large && t == gemmTableAvx512() && s.k >= 512 && s.m >= 256) return large;
  return t;
}

// Bound once (XNNPACK style): every later call reads the same table.
const GemmKernelTable& activeTable() {
  static const GemmKernelTable* t = tableFor(activeIsa());
  return *t;
}

inline int64_t roundUp(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// C = beta*C then epilogue, for the degenerate k == 0 / alpha == 0 cases (A and B unread).
void scaleAndEpilogue(const GemmShape& s, float* c, const GemmEpilogue& ep) {
  for (int64_t i = 0; i < s.m; ++i) {
    float* row = c + i * s.ldc;
    for (int64_t j = 0; j < s.n; ++j) {
      float r = s.beta == 0.0f ? 0.0f : s.beta * row[j];
      if (ep.biasMode == BiasMode::PerRow) r += ep.bias[i];
      if (ep.biasMode == BiasMode::PerCol) r += ep.bias[j];
      if (ep.relu && r < 0.0f) r = 0.0f;
      if (r > ep.clampMax) r = ep.clampMax;
      row[j] = r;
    }
  }
}

// Products (or threads' blocks) with at most this many rows of C read full B panels in place
// (AVX-512 tables). Hot, 1 thread, min of 2000 calls, GFLOP/s packed -> in place:
// 24x3136x144 167 -> 212, 16x12544x32 106 -> 138, 64x196x384 190 -> 211, 96x196x576 211 -> 227,
// 64x3136x256 213 -> 238, 256x3136x64 228 -> 239, 512x784x128 245 -> 254, 256x1024x1024 236 ->
// 248 (4 KB row stride: no loss); 1024^3 249 vs 248, so larger products keep packing.
constexpr int64_t kInPlaceMaxRows = 512;

// Blocks of C at most this many columns wide read A in place where the table has a kernel for
// it (ukernelAInPlace): 3 register tiles of 32. See ukernel14x32AInPlace for the measurements.
constexpr int64_t kAInPlaceMaxCols = 96;
bool readsAInPlace(const GemmKernelTable& t, bool transA, int64_t cols) {
  return !transA && t.ukernelAInPlace != nullptr && cols <= kAInPlaceMaxCols;
}

struct Block {
  int64_t i0, i1, j0, j1;
};

// packedA (optional): all of op(A) prepacked by sgemmPackA, laid out [kc block][MR panel][kc][MR],
// so the panels of any MR-aligned row block are one contiguous run and are used in place.
// packedB (optional, with packedA unset): all of op(B) prepacked by sgemmPackB, laid out [kc
// block][NR panel][kc][NR], used in place (no B packing per call).
void runBlock(const GemmKernelTable& t, const GemmShape& s, const float* a, const float* b,
              float* c, const GemmEpilogue& ep, const Block& blk, float* abuf, float* bbuf,
              const float* packedA, const float* packedB = nullptr) {
  const int64_t MR = t.mr, NR = t.nr;
  const GemmUkernelFn ukernel = packedA && t.ukernelPrepacked ? t.ukernelPrepacked : t.ukernel;
  // Few rows of C (1x1 convs with 16-512 output channels): packing B costs up to 23% of the
  // product (each packed panel serves only m/MR row tiles), so full panels are read in place
  // instead and only a panel's ragged last columns are packed. See kInPlaceMaxRows.
  const bool inPlace = !packedB && !s.transB && t.bInPlace && blk.i1 - blk.i0 <= kInPlaceMaxRows;
  // Few columns: full MR-row panels of A are read in place and only a ragged last panel (rows
  // past m must not be read) is packed, at the start of abuf.
  const bool aInPlace = !packedA && readsAInPlace(t, s.transA, blk.j1 - blk.j0);
  for (int64_t jc = blk.j0; jc < blk.j1; jc += t.nc) {
    const int64_t nc = std::min<int64_t>(t.nc, blk.j1 - jc);
    for (int64_t pc = 0; pc < s.k; pc += t.kc) {
      const int64_t kc = std::min<int64_t>(t.kc, s.k - pc);
      const bool first = pc == 0;
      const bool last = pc + kc >= s.k;
      const float* bp = bbuf;
      // In place, full panels are read from B; the ragged last columns (reading a row past n
      // could fault) are packed into bbuf once here for every row block below.
      const int64_t fullCols = nc / NR * NR;
      if (packedB) bp = packedB + roundUp(s.n, t.nr) * pc + jc * kc;
      else if (!inPlace) t.packB(b, s.ldb, s.transB, pc, jc, kc, nc, bbuf);
      else if (fullCols < nc) t.packB(b, s.ldb, false, pc, jc + fullCols, kc, nc - fullCols, bbuf);
      for (int64_t ic = blk.i0; ic < blk.i1; ic += t.mc) {
        const int64_t mc = std::min<int64_t>(t.mc, blk.i1 - ic);
        const float* ap = abuf;
        const int64_t fullRows = aInPlace ? mc / MR * MR : 0;
        if (packedA) ap = packedA + roundUp(s.m, t.mr) * pc + ic * kc;
        else if (!aInPlace) t.packA(a, s.lda, s.transA, ic, pc, mc, kc, abuf);
        else if (fullRows < mc) t.packA(a, s.lda, false, ic + fullRows, pc, mc - fullRows, kc, abuf);
        GemmUkParams p;
        p.alpha = s.alpha;
        p.beta = first ? s.beta : 1.0f;
        p.relu = last && ep.relu;
        p.clamp = last && ep.clampMax < std::numeric_limits<float>::infinity();
        p.clampMax = ep.clampMax;
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t nr = std::min(NR, nc - jr);
          const float* bj = bp + jr * kc;
          p.bStride = 0;
          if (inPlace && nr == NR) {
            bj = b + pc * s.ldb + jc + jr;
            p.bStride = s.ldb;
          } else if (inPlace) {
            bj = bbuf;  // the ragged last columns, packed above
          }
          p.colBias = (last && ep.biasMode == BiasMode::PerCol) ? ep.bias + jc + jr : nullptr;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = std::min(MR, mc - ir);
            p.rowBias = (last && ep.biasMode == BiasMode::PerRow) ? ep.bias + ic + ir : nullptr;
            p.farB = packedB && ir == 0;
            float* cij = c + (ic + ir) * s.ldc + jc + jr;
            if (aInPlace && ir < fullRows) {
              p.aStride = s.lda;
              t.ukernelAInPlace(kc, a + (ic + ir) * s.lda + pc, bj, cij, s.ldc, mr, nr, p);
            } else {
              ukernel(kc, aInPlace ? abuf : ap + ir * kc, bj, cij, s.ldc, mr, nr, p);
            }
          }
        }
      }
    }
  }
}

// Floats of packed A (rounded to a cache line) and of A + B packing buffers for one thread.
void packSizes(const GemmKernelTable& t, const GemmShape& s, int64_t* aSize, int64_t* total) {
  const int64_t kcMax = std::max<int64_t>(1, std::min<int64_t>(t.kc, s.k));
  const int64_t a = roundUp(std::min<int64_t>(t.mc, roundUp(s.m, t.mr)), t.mr) * kcMax;
  const int64_t b = roundUp(std::min<int64_t>(t.nc, roundUp(s.n, t.nr)), t.nr) * kcMax;
  *aSize = roundUp(a, 16);
  *total = roundUp(a, 16) + roundUp(b, 16);
}

// Few-row products (batch-1..3 fully connected layers): packing the whole weight matrix for a
// 1-row product costs more than the product, and a 14-row register tile would be 1/14 used.
// The operation is a GEMV bound by streaming B once: dot products of A's rows with B's rows
// (B transposed, as Linear's [out, in] weights) or row-by-row axpy (B not transposed), threaded
// over column ranges of C. alpha/beta and the epilogue are applied per element.
constexpr int64_t kGemvMaxRows = 3;

inline float finish(const GemmShape& s, const GemmEpilogue& ep, int64_t i, int64_t j, float acc,
                    float old) {
  float r = s.alpha * acc + (s.beta == 0.0f ? 0.0f : s.beta * old);
  if (ep.biasMode == BiasMode::PerRow) r += ep.bias[i];
  if (ep.biasMode == BiasMode::PerCol) r += ep.bias[j];
  if (ep.relu) r = r < 0.0f ? 0.0f : r;
  if (r > ep.clampMax) r = ep.clampMax;
  return r;
}

void gemvRows(const GemmKernelTable& t, const GemmShape& s, const float* a, const float* b,
              float* c, const GemmEpilogue& ep, int threads) {
  const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(threads, s.n / 64));
#if defined(CONVNODE_OPENMP)
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static)
#endif
  for (int64_t q = 0; q < chunks; ++q) {
    const int64_t j0 = s.n * q / chunks, j1 = s.n * (q + 1) / chunks;
    if (s.transB) {
      int64_t j = j0;
      for (; j + 4 <= j1; j += 4)
        for (int64_t i = 0; i < s.m; ++i) {
          float d[4];
          const float* bj = b + j * s.ldb;
          t.dot4(a + i * s.lda, bj, bj + s.ldb, bj + 2 * s.ldb, bj + 3 * s.ldb, s.k, d);
          for (int r = 0; r < 4; ++r) c[i * s.ldc + j + r] = finish(s, ep, i, j + r, d[r], c[i * s.ldc + j + r]);
        }
      for (; j < j1; ++j)
        for (int64_t i = 0; i < s.m; ++i)
          c[i * s.ldc + j] = finish(s, ep, i, j, t.dot(a + i * s.lda, b + j * s.ldb, s.k), c[i * s.ldc + j]);
    } else {
      // c_i[j0:j1] = sum_p a[i][p] * b[p][j0:j1], accumulated in place after saving beta*C.
      for (int64_t i = 0; i < s.m; ++i) {
        float* ci = c + i * s.ldc;
        const float beta = s.beta;
        for (int64_t j = j0; j < j1; ++j) ci[j] = beta == 0.0f ? 0.0f : beta * ci[j];
        for (int64_t p = 0; p < s.k; ++p) t.axpy(j1 - j0, s.alpha * a[i * s.lda + p], b + p * s.ldb + j0, ci + j0);
        for (int64_t j = j0; j < j1; ++j) {
          float r = ci[j];
          if (ep.biasMode == BiasMode::PerRow) r += ep.bias[i];
          if (ep.biasMode == BiasMode::PerCol) r += ep.bias[j];
          if (ep.relu) r = r < 0.0f ? 0.0f : r;
          if (r > ep.clampMax) r = ep.clampMax;
          ci[j] = r;
        }
      }
    }
  }
}

void sgemmTable(const GemmKernelTable& t, const GemmShape& s, const float* a, const float* b,
                float* c, const GemmEpilogue& ep, int threads, const float* packedA = nullptr) {
  if (s.m <= 0 || s.n <= 0) return;
  if (s.k <= 0 || s.alpha == 0.0f) {
    scaleAndEpilogue(s, c, ep);
    return;
  }
  if (!packedA && s.m <= kGemvMaxRows && !s.transA) {
    int nt = threads > 0 ? threads : numThreads();
#if defined(CONVNODE_OPENMP)
    if (omp_in_parallel()) nt = 1;
#endif
    if (2.0 * double(s.m) * double(s.n) * double(s.k) < 1e6) nt = 1;
    gemvRows(t, s, a, b, c, ep, nt);
    return;
  }
  const int64_t mTiles = (s.m + t.mr - 1) / t.mr;
  const int64_t nTiles = (s.n + t.nr - 1) / t.nr;
  int nt = threads > 0 ? threads : numThreads();
#if defined(CONVNODE_OPENMP)
  if (omp_in_parallel()) nt = 1;  // a caller's parallel region already owns the cores
#endif
  // Below ~4 MFLOP per thread, waking the pool costs more than the split saves.
  const double flops = 2.0 * double(s.m) * double(s.n) * double(s.k);
  while (nt > 1 && flops / nt < 4e6) --nt;
  if (nt > mTiles * nTiles) nt = static_cast<int>(mTiles * nTiles);
  if (nt < 1) nt = 1;
  // Grid tm x tn = nt minimizing the largest block (in tiles), ties broken toward splitting N
  // (then only A, the smaller panel per flop, is packed twice).
  int tm = 1, tn = nt;
  int64_t best = -1;
  for (int cand = 1; cand <= nt; ++cand) {
    if (nt % cand) continue;
    const int cm = cand, cn = nt / cand;
    const int64_t worst = ((mTiles + cm - 1) / cm) * t.mr * (((nTiles + cn - 1) / cn) * t.nr);
    if (best < 0 || worst < best || (worst == best && cn > tn)) {
      best = worst;
      tm = cm;
      tn = cn;
    }
  }
  int64_t aSize, perThread;
  packSizes(t, s, &aSize, &perThread);
  AlignedFloats scratch = allocFloats(static_cast<size_t>(perThread * nt));
  float* base = scratch.get();
  if (!base) return;  // the binding pre-checks sizes; out of memory leaves C untouched

  auto blockOf = [&](int tid) {
    const int bi = tid / tn, bj = tid % tn;
    const int64_t mPer = (mTiles + tm - 1) / tm, nPer = (nTiles + tn - 1) / tn;
    Block blk;
    blk.i0 = std::min(s.m, bi * mPer * t.mr);
    blk.i1 = std::min(s.m, (bi + 1) * mPer * t.mr);
    blk.j0 = std::min(s.n, bj * nPer * t.nr);
    blk.j1 = std::min(s.n, (bj + 1) * nPer * t.nr);
    return blk;
  };
  if (nt == 1) {
    runBlock(t, s, a, b, c, ep, blockOf(0), base, base + aSize, packedA);
    return;
  }
#if defined(CONVNODE_OPENMP)
#pragma omp parallel num_threads(nt)
  {
    const int tid = omp_get_thread_num();
    float* abuf = base + tid * perThread;
    const Block blk = blockOf(tid);
    if (blk.i0 < blk.i1 && blk.j0 < blk.j1)
      runBlock(t, s, a, b, c, ep, blk, abuf, abuf + aSize, packedA);
  }
#endif
}

}  // namespace

void sgemm(const GemmShape& s, const float* a, const float* b, float* c, const GemmEpilogue& ep,
           int threads) {
  const Isa isa = activeIsa();
  sgemmTable(isa == Isa::Avx512 ? *tableForProduct(isa, s) : activeTable(), s, a, b, c, ep, threads);
}

bool sgemmReadsAInPlace(Isa isa, const GemmShape& s) {
  return readsAInPlace(*tableForProduct(isaSupported(isa) ? isa : Isa::Generic, s), s.transA, s.n);
}

void sgemmIsa(Isa isa, const GemmShape& s, const float* a, const float* b, float* c,
              const GemmEpilogue& ep, int threads) {
  sgemmTable(*tableForProduct(isaSupported(isa) ? isa : Isa::Generic, s), s, a, b, c, ep, threads);
}

int64_t sgemmScratchFloats(Isa isa, const GemmShape& s) {
  // Enough for any AVX-512 table with any n' <= s.n (the serial path picks per shape).
  isa = isaSupported(isa) ? isa : Isa::Generic;
  int64_t aSize, total, total2 = 0;
  packSizes(*tableFor(isa), s, &aSize, &total);
  if (isa == Isa::Avx512 && gemmTableAvx512Narrow()) packSizes(*gemmTableAvx512Narrow(), s, &aSize, &total2);
  int64_t total3 = 0;
  if (isa == Isa::Avx512 && gemmTableAvx512Wide()) packSizes(*gemmTableAvx512Wide(), s, &aSize, &total3);
  return std::max(total, std::max(total2, total3));
}

namespace {
// The whole product on the calling thread, on caller-provided scratch (sgemmScratchFloats);
// one of a / packedA and one of b / packedB is given.
void serialProduct(const GemmKernelTable& t, const GemmShape& s, const float* a, const float* b,
                   const float* packedA, const float* packedB, float* c, const GemmEpilogue& ep,
                   float* scratch) {
  if (s.m <= 0 || s.n <= 0) return;
  if (s.k <= 0 || s.alpha == 0.0f) {
    scaleAndEpilogue(s, c, ep);
    return;
  }
  int64_t aSize, total;
  packSizes(t, s, &aSize, &total);
  runBlock(t, s, a, b, c, ep, Block{0, s.m, 0, s.n}, scratch, scratch + aSize, packedA, packedB);
}
}  // namespace

void sgemmSerial(Isa isa, const GemmShape& s, const float* a, const float* b, float* c,
                 const GemmEpilogue& ep, float* scratch) {
  serialProduct(*tableForShape(isaSupported(isa) ? isa : Isa::Generic, s.m, s.n), s, a, b,
                nullptr, nullptr, c, ep, scratch);
}

int64_t sgemmPackedAFloats(Isa isa, int64_t m, int64_t k) {
  const GemmKernelTable& t = *tableFor(isaSupported(isa) ? isa : Isa::Generic);
  return roundUp(m, t.mr) * k;
}

void sgemmPackA(Isa isa, const GemmShape& s, const float* a, float* packed) {
  const GemmKernelTable& t = *tableFor(isaSupported(isa) ? isa : Isa::Generic);
  for (int64_t pc = 0; pc < s.k; pc += t.kc) {
    const int64_t kc = std::min<int64_t>(t.kc, s.k - pc);
    t.packA(a, s.lda, s.transA, 0, pc, s.m, kc, packed + roundUp(s.m, t.mr) * pc);
  }
}

void sgemmPrepackedA(Isa isa, const GemmShape& s, const float* packedA, const float* b, float* c,
                     const GemmEpilogue& ep, int threads) {
  sgemmTable(*tableFor(isaSupported(isa) ? isa : Isa::Generic), s, nullptr, b, c, ep, threads,
             packedA);
}

void sgemmTile(Isa isa, int* mr, int* nr) {
  const GemmKernelTable& t = *tableFor(isaSupported(isa) ? isa : Isa::Generic);
  *mr = t.mr;
  *nr = t.nr;
}

const GemmKernelTable* sgemmKernelFor(Isa isa, int64_t m, int64_t n) {
  return tableForShape(isaSupported(isa) ? isa : Isa::Generic, m, n);
}

void sgemmTableTile(const GemmKernelTable* t, int* mr, int* nr) {
  *mr = t->mr;
  *nr = t->nr;
}

int64_t sgemmPackedAFloats(const GemmKernelTable* t, int64_t m, int64_t k) {
  return roundUp(m, t->mr) * k;
}

void sgemmPackA(const GemmKernelTable* t, const GemmShape& s, const float* a, float* packed) {
  for (int64_t pc = 0; pc < s.k; pc += t->kc) {
    const int64_t kc = std::min<int64_t>(t->kc, s.k - pc);
    t->packA(a, s.lda, s.transA, 0, pc, s.m, kc, packed + roundUp(s.m, t->mr) * pc);
  }
}

void sgemmPackARows(const GemmKernelTable* t, const GemmShape& s, const float* a, int64_t i0,
                    int64_t rows, float* packed) {
  for (int64_t pc = 0; pc < s.k; pc += t->kc) {
    const int64_t kc = std::min<int64_t>(t->kc, s.k - pc);
    t->packA(a, s.lda, s.transA, 0, pc, rows, kc, packed + roundUp(s.m, t->mr) * pc + i0 * kc);
  }
}

int64_t sgemmScratchFloats(const GemmKernelTable* t, const GemmShape& s) {
  int64_t aSize, total;
  packSizes(*t, s, &aSize, &total);
  return total;
}

void sgemmPrepackedA(const GemmKernelTable* t, const GemmShape& s, const float* packedA,
                     const float* b, float* c, const GemmEpilogue& ep, int threads) {
  sgemmTable(*t, s, nullptr, b, c, ep, threads, packedA);
}


void sgemmSerialPackedA(const GemmKernelTable* t, const GemmShape& s, const float* packedA,
                        const float* b, float* c, const GemmEpilogue& ep, float* scratch) {
  serialProduct(*t, s, nullptr, b, packedA, nullptr, c, ep, scratch);
}

int64_t sgemmPackedBFloats(const GemmKernelTable* t, int64_t k, int64_t n) {
  return roundUp(n, t->nr) * k;
}

void sgemmPackBCols(const GemmKernelTable* t, const GemmShape& s, const float* b, int64_t j0,
                    int64_t cols, float* packed) {
  for (int64_t pc = 0; pc < s.k; pc += t->kc) {
    const int64_t kc = std::min<int64_t>(t->kc, s.k - pc);
    t->packB(b, s.ldb, s.transB, pc, 0, kc, cols, packed + roundUp(s.n, t->nr) * pc + j0 * kc);
  }
}

void sgemmSerialPackedB(const GemmKernelTable* t, const GemmShape& s, const float* a,
                        const float* packedB, float* c, const GemmEpilogue& ep, float* scratch) {
  serialProduct(*t, s, a, nullptr, nullptr, packedB, c, ep, scratch);
}

const char* sgemmUkernelName(Isa isa) { return tableFor(isa)->name; }

}  // namespace convnode
