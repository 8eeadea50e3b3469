// Batch-norm / LRN plane loops compiled for avx512 (see norm_plane.inl).
#include <cmath>
#include <cstdint>

#include "kernels/norm/norm.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define NORM_FNS_NAME normFnsAvx512
#include "kernels/norm/norm_plane.inl"
#endif
