// Winograd F(4x4,3x3) input/output transforms compiled for avx512 (tiles as vector lanes).
#include <algorithm>
#include <cstring>

#include "kernels/conv/conv_isa.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define WINO_TABLE_NAME wino43Avx512
#include "kernels/conv/winograd43.inl"
#endif
