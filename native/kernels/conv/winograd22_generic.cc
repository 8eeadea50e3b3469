// Winograd F(2x2,3x3) input/output transforms compiled for generic (tiles as vector lanes).
#include <algorithm>
#include <cstring>

#include "kernels/conv/conv_isa.h"
#define WINO_TABLE_NAME wino22Generic
#include "kernels/conv/winograd22.inl"
