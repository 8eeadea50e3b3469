// Winograd F(2x2,3x3) input/output transforms compiled for avx2 (tiles as vector lanes).
#include <algorithm>
#include <cstring>

#include "kernels/conv/conv_isa.h"
#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#define WINO_TABLE_NAME wino22Avx2
#include "kernels/conv/winograd22.inl"
#endif
