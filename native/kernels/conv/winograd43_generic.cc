// Winograd F(4x4,3x3) input/output transforms, baseline ISA (auto-vectorized, 4 tiles per op).
#include <algorithm>
#include <cstring>

#include "kernels/conv/conv_isa.h"

#define WINO_TABLE_NAME wino43Generic
#include "kernels/conv/winograd43.inl"
