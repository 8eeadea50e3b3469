// Depthwise plane kernel compiled for AVX-512 (16 output columns per instruction).
#include "kernels/conv/conv_isa.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define DW_PLANE_NAME dwPlaneAvx512
#include "kernels/conv/depthwise.inl"
#endif
