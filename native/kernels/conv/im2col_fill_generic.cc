// im2col column fill compiled for generic (see im2col_fill.inl).
#include <algorithm>
#include <cstring>

#include "core/threading.h"
#include "kernels/conv/conv_isa.h"


#define IM2COL_FILL_NAME im2colFillGeneric
#include "kernels/conv/im2col_fill.inl"

