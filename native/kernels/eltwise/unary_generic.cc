// Activation loops compiled for generic (see unary.inl).
#include <cstdint>
#include <cstring>

#include "kernels/eltwise/eltwise.h"


#define UNARY_NAME unaryChunkGeneric
#include "kernels/eltwise/unary.inl"

