// im2col column fill compiled for avx512 (see im2col_fill.inl).
#include <algorithm>
#include <cstring>

#include "core/threading.h"
#include "kernels/conv/conv_isa.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define IM2COL_FILL_NAME im2colFillAvx512
#include "kernels/conv/im2col_fill.inl"
#endif
