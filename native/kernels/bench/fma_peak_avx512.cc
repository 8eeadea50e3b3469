// AVX-512 FMA peak loop. Inline assembly rather than intrinsics: with intrinsics GCC may keep
// the accumulators in memory (the anchors' first attempt spilled them and measured a wrong
// peak); here the registers are named, so the loop body is exactly 12 vfmadd231ps + dec/jnz
// (checked with objdump -d on the built object).
#if defined(__x86_64__) && defined(__GNUC__)
#pragma GCC target("avx512f,fma")
#endif

#include "kernels/bench/machine_limits.h"

namespace convnode {

void fmaPeakLoop12_avx512(int64_t iterations) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (iterations <= 0) return;
  // zmm0..11 accumulate, zmm12/zmm13 are the multiplicands. All start at zero (a VEX xor of the
  // xmm half clears the whole zmm) so no value ever becomes denormal or NaN.
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
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm0\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm1\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm2\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm3\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm4\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm5\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm6\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm7\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm8\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm9\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm10\n\t"
      "vfmadd231ps %%zmm12, %%zmm13, %%zmm11\n\t"
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
