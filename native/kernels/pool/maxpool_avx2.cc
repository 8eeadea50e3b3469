// Max-pool plane kernel compiled for AVX2 (8 output columns per instruction).
#include "kernels/pool/pool2d.h"
#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#define MAXPOOL_PLANE_NAME maxPoolPlaneAvx2
#include "kernels/pool/maxpool.inl"
#endif
