// Batch-norm / LRN plane loops compiled for generic (see norm_plane.inl).
#include <cmath>
#include <cstdint>

#include "kernels/norm/norm.h"


#define NORM_FNS_NAME normFnsGeneric
#include "kernels/norm/norm_plane.inl"

