// Depthwise plane kernel compiled for AVX2+FMA (8 output columns per instruction).
#include "kernels/conv/conv_isa.h"
#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#define DW_PLANE_NAME dwPlaneAvx2
#include "kernels/conv/depthwise.inl"
#endif
