// Average-pool plane kernel compiled for avx2 (see avgpool.inl).
#include "kernels/pool/pool2d.h"
#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#define AVGPOOL_PLANE_NAME avgPoolPlaneAvx2
#include "kernels/pool/avgpool.inl"
#endif
