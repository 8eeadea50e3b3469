// Machine limits for the benchmark suite: the peak FP32 rate of the FMA units and the memory
// bandwidth, so that every benchmark row can say what share of the machine it uses.
// These are measurement loops, not kernels any op calls.
#pragma once
#include <cstdint>
#include <vector>

#include "core/cpu_features.h"

namespace convnode {

// One thread's FMA loop: `iterations` rounds of 12 independent vfmadd231ps on zmm (AVX-512,
// 12 x 16 lanes x 2 flops = 384 flops a round) or ymm (AVX2, 192 flops a round) registers.
// Twelve accumulators: two FMA pipes with 4-cycle latency need at least 8 in flight; the
// machine's anchors measured 8 as too few and 12 as enough. Only call the variant whose ISA
// isaSupported() reports. `iterations` must be > 0.
void fmaPeakLoop12_avx512(int64_t iterations);
void fmaPeakLoop12_avx2(int64_t iterations);
constexpr int64_t kFmaPeakFlopsPerRoundAvx512 = 12 * 16 * 2;
constexpr int64_t kFmaPeakFlopsPerRoundAvx2 = 12 * 8 * 2;

// STREAM triad over one thread's slice [begin, end): a[i] = b[i] + scalar * c[i].
void streamTriadSlice(float* a, const float* b, const float* c, float scalar, int64_t begin,
                      int64_t end);

struct PeakRun {
  std::vector<double> seconds;  // one entry per pass
  int threads = 1;              // threads that actually ran the loop
  double flopsPerPass = 0;      // over all threads
};

// Runs the FMA loop `passes` times on numThreads() threads, `iterations` rounds per thread per
// pass, timing each pass (fork and join included; passes are meant to last >= 10 ms).
PeakRun runFmaPeak(Isa isa, int64_t iterations, int passes);

struct TriadRun {
  std::vector<double> seconds;  // one entry per pass
  int threads = 1;
  double bytesPerPass = 0;      // STREAM counting: 3 arrays, no write-allocate traffic
  double check = 0;             // a few output values summed, compared by the caller
};

// Allocates three arrays of `elements` floats (first touched by the threads that use them),
// runs `passes` triads on numThreads() threads and times each. Returns false when the
// allocation fails.
bool runStreamTriad(int64_t elements, int passes, TriadRun* run);

}  // namespace convnode
