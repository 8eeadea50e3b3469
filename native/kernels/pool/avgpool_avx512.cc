// Average-pool plane kernel compiled for avx512 (see avgpool.inl).
#include "kernels/pool/pool2d.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define AVGPOOL_PLANE_NAME avgPoolPlaneAvx512
#include "kernels/pool/avgpool.inl"
#endif
