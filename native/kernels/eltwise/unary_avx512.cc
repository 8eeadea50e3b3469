// Activation loops compiled for avx512 (see unary.inl).
#include <cstdint>
#include <cmath>
#include <cstring>

#include "kernels/eltwise/eltwise.h"
#if defined(__x86_64__)
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
#define UNARY_NAME unaryChunkAvx512
#define SOFTMAX_ROW_NAME softmaxRowAvx512
#include "kernels/eltwise/unary.inl"
#endif
