// Activation loops compiled for avx2 (see unary.inl).
#include <cstdint>
#include <cmath>
#include <cstring>

#include "kernels/eltwise/eltwise.h"
#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#define UNARY_NAME unaryChunkAvx2
#define SOFTMAX_ROW_NAME softmaxRowAvx2
#include "kernels/eltwise/unary.inl"
#endif
