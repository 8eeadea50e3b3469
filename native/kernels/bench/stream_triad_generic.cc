// STREAM triad slice, compiled for the baseline ISA: the loop is bound by memory, not by
// vector width, so SSE2 loads and stores are enough to saturate it.
#include "kernels/bench/machine_limits.h"

namespace convnode {

void streamTriadSlice(float* a, const float* b, const float* c, float scalar, int64_t begin,
                      int64_t end) {
  for (int64_t i = begin; i < end; ++i) a[i] = b[i] + scalar * c[i];
}

}  // namespace convnode
