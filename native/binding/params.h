// Readers for the params objects shared by an op's forward and backward bindings.
#pragma once
#include <napi.h>

#include "kernels/conv/conv2d.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

// { n, cin, h, w, cout, kh, kw, strideH, strideW, padTop, padBottom, padLeft, padRight,
//   dilationH, dilationW, groups }; computes outH/outW and rejects outputs smaller than 1x1.
Conv2dShape readConv2dShape(const Napi::Object& params);
// { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode }.
Pool2dShape readPool2dShape(const Napi::Object& params, const char* op);

}  // namespace convnode
