// Single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, row-major, op = transpose or not.
#pragma once
#include <cstdint>
#include <limits>

#include "core/cpu_features.h"

namespace convnode {

struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
  bool transA = false, transB = false;
  int64_t lda = 0, ldb = 0, ldc = 0;  // row strides of the stored A, B, C
  float alpha = 1.0f, beta = 0.0f;
};

// What happens to each C element after alpha*AB + beta*C, fused into the micro-kernel's
// store so conv layers need no second pass over their output: bias[i] (PerRow: one value per
// row of C, e.g. per output channel of an NCHW conv) or bias[j] (PerCol: per column, e.g.
// Linear), then max(0, .) when relu is set.
enum class BiasMode { None = 0, PerRow = 1, PerCol = 2 };
struct GemmEpilogue {
  const float* bias = nullptr;
  BiasMode biasMode = BiasMode::None;
  bool relu = false;
  // min(., clampMax) after the ReLU (NaN kept): ReLU6 = relu + clampMax 6 (MobileNetV2), fused
  // by compiled plans. Infinity (the default) skips it.
  float clampMax = std::numeric_limits<float>::infinity();
};

// Reference-quality generic path: loops ordered so the innermost one walks contiguous memory.
// Kept as the test oracle; it ignores the epilogue.
void sgemmGeneric(const GemmShape& s, const float* a, const float* b, float* c);

// The fast path: BLIS-style packed, cache-blocked, register-blocked SGEMM with the micro-kernel
// of activeIsa(), threaded over numThreads() (OpenMP) unless `threads` says otherwise (1 lets
// a caller that already runs inside a parallel region call it per thread).
void sgemm(const GemmShape& s, const float* a, const float* b, float* c,
           const GemmEpilogue& ep = GemmEpilogue(), int threads = 0);

// Same, on an explicitly named ISA (must be supported): tests and benchmarks use it to compare
// micro-kernels inside one process.
void sgemmIsa(Isa isa, const GemmShape& s, const float* a, const float* b, float* c,
              const GemmEpilogue& ep = GemmEpilogue(), int threads = 0);

// Single-threaded SGEMM on caller-provided scratch (>= sgemmScratchFloats(isa, s) floats,
// 64-byte aligned): for kernels that run many small GEMMs from their own parallel loop
// (Winograd's 36 products), so that no call allocates.
int64_t sgemmScratchFloats(Isa isa, const GemmShape& s);
void sgemmSerial(Isa isa, const GemmShape& s, const float* a, const float* b, float* c,
                 const GemmEpilogue& ep, float* scratch);

// A (e.g. conv weights) packed once into the micro-kernel's panel layout for `isa`, then used
// by any number of products with the same m, k (transA/lda describe the source at packing
// time only). The packed layout depends on the ISA: pack and multiply with the same one.
int64_t sgemmPackedAFloats(Isa isa, int64_t m, int64_t k);
void sgemmPackA(Isa isa, const GemmShape& s, const float* a, float* packed);
void sgemmPrepackedA(Isa isa, const GemmShape& s, const float* packedA, const float* b, float* c,
                     const GemmEpilogue& ep = GemmEpilogue(), int threads = 0);

// Whether sgemmIsa(isa, s, ...) reads A where it lies rather than packing it (narrow products
// on AVX-512 and AVX2, sgemm.cc kAInPlaceMaxCols; judged for the whole product, one thread).
// Eager convs over a batch run one product per image with the same weights, and pack them once
// themselves only where each product would pack them anyway.
bool sgemmReadsAInPlace(Isa isa, const GemmShape& s);

// The same with the micro-kernel table named explicitly (sgemmKernelFor picks the one
// sgemmIsa would use for an m x n product): for callers that keep A packed across calls whose
// n varies (Winograd's last tile chunk), so that packing and multiplying agree on the layout.
struct GemmKernelTable;
const GemmKernelTable* sgemmKernelFor(Isa isa, int64_t m, int64_t n);
int64_t sgemmPackedAFloats(const GemmKernelTable* t, int64_t m, int64_t k);
void sgemmPackA(const GemmKernelTable* t, const GemmShape& s, const float* a, float* packed);
int64_t sgemmScratchFloats(const GemmKernelTable* t, const GemmShape& s);
void sgemmTableTile(const GemmKernelTable* t, int* mr, int* nr);
// Rows [i0, i0 + rows) of an m-row A (i0 a multiple of the table's MR; `a` points at row i0,
// s.m is the whole m) packed into their place in sgemmPackA's layout: for callers that
// produce A a block of rows at a time.
void sgemmPackARows(const GemmKernelTable* t, const GemmShape& s, const float* a, int64_t i0,
                    int64_t rows, float* packed);
void sgemmPrepackedA(const GemmKernelTable* t, const GemmShape& s, const float* packedA,
                     const float* b, float* c, const GemmEpilogue& ep = GemmEpilogue(),
                     int threads = 0);
void sgemmSerialPackedA(const GemmKernelTable* t, const GemmShape& s, const float* packedA,
                        const float* b, float* c, const GemmEpilogue& ep, float* scratch);
// The B side prepacked instead (Winograd's U^T in the transposed orientation): columns
// [j0, j0 + cols) of op(B) (j0 a multiple of the table's NR; `b` points at column j0, s.n is
// the whole n) packed into their place; then a single-threaded product reading them in place.
int64_t sgemmPackedBFloats(const GemmKernelTable* t, int64_t k, int64_t n);
void sgemmPackBCols(const GemmKernelTable* t, const GemmShape& s, const float* b, int64_t j0,
                    int64_t cols, float* packed);
void sgemmSerialPackedB(const GemmKernelTable* t, const GemmShape& s, const float* a,
                        const float* packedB, float* c, const GemmEpilogue& ep, float* scratch);

// The register tile (MR rows x NR columns of C) of the ISA's micro-kernel, so callers can pick
// the GEMM orientation that wastes the fewest lanes on ragged edges.
void sgemmTile(Isa isa, int* mr, int* nr);

// The micro-kernel name bound for an ISA, e.g. "f32_gemm_ukernel_14x32__avx512f".
const char* sgemmUkernelName(Isa isa);

// Rows [0, rows) of a row-major matrix (row stride lda, k columns) packed as 64-row panels
// [ceil(rows/64)][k][64], rows past `rows` zero: the layout of W^T for the pixels-as-rows
// kernel (conv_pixelrows.h). AVX-512 register transposes (sgemm_ukernel_avx512.cc); returns
// false, packing nothing, where they are not compiled in.
bool packRowPanels64Avx512(const float* a, int64_t lda, int64_t rows, int64_t k, float* dst);
// The same in 16-row panels [ceil(rows/16)][k][16] (the AVX2 pixels-as-rows kernel's layout),
// by AVX2 register transposes (sgemm_ukernel_avx2.cc).
bool packRowPanels16Avx2(const float* a, int64_t lda, int64_t rows, int64_t k, float* dst);

}  // namespace convnode
