// Max-pool plane kernel, baseline ISA (auto-vectorized).
#include "kernels/pool/pool2d.h"

#define MAXPOOL_PLANE_NAME maxPoolPlaneGeneric
#include "kernels/pool/maxpool.inl"
