// Winograd F(4x4,3x3) input/output transforms compiled for avx2 (tiles as vector lanes).
#include <algorithm>
#include <cstring>

#include "kernels/conv/conv_isa.h"
#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#define WINO_TABLE_NAME wino43Avx2
#include "kernels/conv/winograd43.inl"
#endif
