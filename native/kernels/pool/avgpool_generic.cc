// Average-pool plane kernel compiled for generic (see avgpool.inl).
#include "kernels/pool/pool2d.h"


#define AVGPOOL_PLANE_NAME avgPoolPlaneGeneric
#include "kernels/pool/avgpool.inl"

