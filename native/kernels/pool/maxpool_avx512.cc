// Max-pool plane kernel compiled for AVX-512 (16 output columns per instruction).
#include "kernels/pool/pool2d.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define MAXPOOL_PLANE_NAME maxPoolPlaneAvx512
#include "kernels/pool/maxpool.inl"
#endif
