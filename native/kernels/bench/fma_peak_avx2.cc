// AVX2 FMA peak loop: the AVX-512 loop on ymm registers (half the lanes), for machines
// without AVX-512 and to show what an AVX2-only kernel can reach. Inline assembly for the
// reason given in fma_peak_avx512.cc: the loop body is exactly 12 vfmadd231ps + dec/jnz
// (checked with objdump -d on the built object).
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx2,fma")
#endif

#include "kernels/bench/machine_limits.h"

namespace convnode {

void fmaPeakLoop12_avx2(int64_t iterations) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (iterations <= 0) return;
  // ymm0..11 accumulate, ymm12/ymm13 are the multiplicands. All start at zero (a VEX xor of the
  // xmm half clears the whole ymm) so no value ever becomes denormal or NaN.
  __asm__ volatile(
      "vxorps %%xmm0, %%xmm0, %%xmm0\n\t"
      "vxorps %%xmm1, %%xmm1, %%xmm1\n\t"
      "vxorps %%xmm2, %%xmm2, %%xmm2\n\t"
      "vxorps %%xmm3, %%xmm3, %%xmm3\n\t"
      "vxorps %%xmm4, %%xmm4, %%xmm4\n\t"
      "vxorps %%xmm5, %%xmm5, %%xmm5\n\t"
      "vxorps %%xmm6, %%xmm6, %%xmm6\n\t"
      "vxorps %%xmm7, %%xmm7, %%xmm7\n\t"
      "vxorps %%xmm8, %%xmm8, %%xmm8\n\t"
      "vxorps %%xmm9, %%xmm9, %%xmm9\n\t"
      "vxorps %%xmm10, %%xmm10, %%xmm10\n\t"
      "vxorps %%xmm11, %%xmm11, %%xmm11\n\t"
      "vxorps %%xmm12, %%xmm12, %%xmm12\n\t"
      "vxorps %%xmm13, %%xmm13, %%xmm13\n\t"
      "1:\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm0\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm1\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm2\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm3\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm4\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm5\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm6\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm7\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm8\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm9\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm10\n\t"
      "vfmadd231ps %%ymm12, %%ymm13, %%ymm11\n\t"
      "dec %[n]\n\t"
      "jnz 1b\n\t"
      // Leave no dirty upper halves behind: later SSE code would pay a transition penalty.
      "vzeroupper\n\t"
      : [n] "+r"(iterations)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "cc");
#else
  (void)iterations;
#endif
}

}  // namespace convnode
