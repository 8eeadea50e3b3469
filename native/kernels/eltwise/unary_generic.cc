// Activation loops compiled for generic (see unary.inl).
#include <cstdint>
#include <cmath>
#include <cstring>

#include "kernels/eltwise/eltwise.h"


#define UNARY_NAME unaryChunkGeneric
#define SOFTMAX_ROW_NAME softmaxRowGeneric
#include "kernels/eltwise/unary.inl"

