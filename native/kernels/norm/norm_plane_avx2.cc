// Batch-norm / LRN plane loops compiled for avx2 (see norm_plane.inl).
#include <cmath>
#include <cstdint>

#include "kernels/norm/norm.h"
#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#define NORM_FNS_NAME normFnsAvx2
#include "kernels/norm/norm_plane.inl"
#endif
