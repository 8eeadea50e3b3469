// Internal interface between the SGEMM driver (sgemm.cc, baseline ISA) and the per-ISA
// micro-kernels and packing routines (sgemm_ukernel_<isa>.cc). The driver owns the loops over
// cache blocks; each ISA file owns everything that touches vector registers.
#pragma once
#include <cstdint>

namespace convnode {

// Per-call parameters of one micro-kernel invocation on an mr x nr tile of C (mr <= MR,
// nr <= NR; the packed panels are zero-padded to MR / NR so the kernel always computes the
// full tile and only its stores are clipped).
struct GemmUkParams {
  float alpha = 1.0f;
  float beta = 0.0f;           // 0: C is overwritten (never read, so NaN garbage is harmless)
  const float* rowBias = nullptr;  // rowBias[i], i < mr, added after alpha/beta (last k block)
  const float* colBias = nullptr;  // colBias[j], j < nr
  bool relu = false;               // applied last (last k block only)
  bool clamp = false;              // then min(., clampMax), NaN kept (last k block only)
  float clampMax = 0.0f;
  // B prepacked once and streamed from memory (Winograd's U^T): the AVX-512 kernels prefetch it
  // far ahead into L2 (the driver sets this on the first row tile of each B panel only).
  bool farB = false;
  // B read in place (rows bStride floats apart, not packed) when nonzero; only kernels whose
  // table sets bInPlace honour it.
  int64_t bStride = 0;
  // A read in place (row i of the tile at a + i * aStride, unpacked) by the table's
  // ukernelAInPlace; other kernels ignore it.
  int64_t aStride = 0;
};

// c[i*ldc + j] = epilogue(alpha * sum_p a[p*MR + i] * b[p*NR + j] + beta * c[i*ldc + j])
using GemmUkernelFn = void (*)(int64_t kc, const float* a, const float* b, float* c,
                               int64_t ldc, int64_t mr, int64_t nr, const GemmUkParams& p);
// Packs op(A)[i0 : i0+mc, p0 : p0+kc] into ceil(mc/MR) panels laid out [panel][p][MR].
using GemmPackAFn = void (*)(const float* a, int64_t lda, bool trans, int64_t i0, int64_t p0,
                             int64_t mc, int64_t kc, float* dst);
// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into ceil(nc/NR) panels laid out [panel][p][NR].
using GemmPackBFn = void (*)(const float* b, int64_t ldb, bool trans, int64_t p0, int64_t j0,
                             int64_t kc, int64_t nc, float* dst);

struct GemmKernelTable {
  const char* name;
  int mr, nr;          // register tile
  int mc, kc, nc;      // cache blocks: A block mc x kc in L2, B micro-panel kc x nr in L1
  GemmUkernelFn ukernel;
  GemmPackAFn packA;
  GemmPackBFn packB;
  // GEMV helpers (few-row products): sum x[i]*y[i]; y[i] += a*x[i].
  float (*dot)(const float* x, const float* y, int64_t n);
  void (*axpy)(int64_t n, float a, const float* x, float* y);
  // out[q] = sum x[i]*yq[i] for four rows at once, each summed exactly as dot sums it.
  void (*dot4)(const float* x, const float* y0, const float* y1, const float* y2, const float* y3,
               int64_t n, float* out);
  // Optional (nullptr: use ukernel): the micro-kernel for A prepacked once and streamed from
  // memory on every call (conv weights, Winograd U), with a far software prefetch of A.
  GemmUkernelFn ukernelPrepacked = nullptr;
  // The micro-kernel reads B rows at GemmUkParams::bStride, so the driver may skip packing B.
  bool bInPlace = false;
  // Optional: the micro-kernel reading a full MR-row tile of A in place (GemmUkParams::aStride),
  // for products with few columns, where packing A costs more than its strided reads do.
  GemmUkernelFn ukernelAInPlace = nullptr;
};

// nullptr when the ISA is not compiled in (non-x86 builds).
const GemmKernelTable* gemmTableGeneric();
const GemmKernelTable* gemmTableAvx2();
const GemmKernelTable* gemmTableAvx512();
const GemmKernelTable* gemmTableAvx512Narrow();  // 28x16, for products with few columns
const GemmKernelTable* gemmTableAvx512Wide();    // 8x48, for 64 / 128-row products
const GemmKernelTable* gemmTableAvx512Large();   // 14x32 with deeper blocks, for large products

}  // namespace convnode
