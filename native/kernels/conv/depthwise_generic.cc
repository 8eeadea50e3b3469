// Depthwise plane kernel, baseline ISA (SSE2 on x86-64, NEON on arm64 via auto-vectorization).
#include "kernels/conv/conv_isa.h"

#define DW_PLANE_NAME dwPlaneGeneric
#include "kernels/conv/depthwise.inl"
