// Shape structs read from the params objects the TS layer passes, fully re-validated here.
#include "binding/params.h"

#include "binding/args.h"

namespace convnode {

Conv2dShape readConv2dShape(const Napi::Object& p) {
  constexpr const char* kOp = "conv2d";
  Conv2dShape s;
  s.n = intProp(p, "n", kOp, 1);
  s.cin = intProp(p, "cin", kOp, 1);
  s.h = intProp(p, "h", kOp, 1);
  s.w = intProp(p, "w", kOp, 1);
  s.cout = intProp(p, "cout", kOp, 1);
  s.kh = intProp(p, "kh", kOp, 1);
  s.kw = intProp(p, "kw", kOp, 1);
  s.strideH = intProp(p, "strideH", kOp, 1);
  s.strideW = intProp(p, "strideW", kOp, 1);
  s.padTop = intProp(p, "padTop", kOp, 0);
  s.padBottom = intProp(p, "padBottom", kOp, 0);
  s.padLeft = intProp(p, "padLeft", kOp, 0);
  s.padRight = intProp(p, "padRight", kOp, 0);
  s.dilationH = intProp(p, "dilationH", kOp, 1);
  s.dilationW = intProp(p, "dilationW", kOp, 1);
  s.groups = intProp(p, "groups", kOp, 1);
  Napi::Env env = p.Env();
  if (s.cin % s.groups != 0) {
    throwRangeError(env, kOp, "groups", "a divisor of in_channels " + std::to_string(s.cin),
                    std::to_string(s.groups));
  }
  if (s.cout % s.groups != 0) {
    throwRangeError(env, kOp, "groups", "a divisor of out_channels " + std::to_string(s.cout),
                    std::to_string(s.groups));
  }
  // Keep every size far from overflow before multiplying.
  for (int64_t v : {s.n, s.cin, s.h, s.w, s.cout, s.kh, s.kw, s.strideH, s.strideW, s.padTop,
                    s.padBottom, s.padLeft, s.padRight, s.dilationH, s.dilationW}) {
    if (v > (int64_t(1) << 31)) throwRangeError(env, kOp, "params", "dimensions below 2^31", std::to_string(v));
  }
  s.outH = convOutputSize(s.h, s.padTop, s.padBottom, s.kh, s.strideH, s.dilationH);
  s.outW = convOutputSize(s.w, s.padLeft, s.padRight, s.kw, s.strideW, s.dilationW);
  if (s.outH < 1 || s.outW < 1) {
    throwRangeError(env, kOp, "weight", "a kernel (with dilation) no larger than the padded input",
                    "an output of " + std::to_string(s.outH) + "x" + std::to_string(s.outW));
  }
  return s;
}

Pool2dShape readPool2dShape(const Napi::Object& p, const char* op) {
  Napi::Env env = p.Env();
  Pool2dShape s;
  s.n = intProp(p, "n", op, 1);
  s.c = intProp(p, "c", op, 1);
  s.h = intProp(p, "h", op, 1);
  s.w = intProp(p, "w", op, 1);
  s.kh = intProp(p, "kh", op, 1);
  s.kw = intProp(p, "kw", op, 1);
  s.strideH = intProp(p, "strideH", op, 1);
  s.strideW = intProp(p, "strideW", op, 1);
  s.padH = intProp(p, "padH", op, 0);
  s.padW = intProp(p, "padW", op, 0);
  s.dilationH = intProp(p, "dilationH", op, 1);
  s.dilationW = intProp(p, "dilationW", op, 1);
  const bool ceilMode = boolProp(p, "ceilMode", op);
  for (int64_t v : {s.n, s.c, s.h, s.w, s.kh, s.kw, s.strideH, s.strideW, s.padH, s.padW,
                    s.dilationH, s.dilationW}) {
    if (v > (int64_t(1) << 31)) throwRangeError(env, op, "params", "dimensions below 2^31", std::to_string(v));
  }
  // PyTorch's rule; it also guarantees every window holds at least one input element.
  // PyTorch's rule (pad <= kernel / 2); it also guarantees every window holds an input element.
  if (s.padH > s.kh / 2) {
    throwRangeError(env, op, "padding", "at most half the kernel height (" + std::to_string(s.kh / 2) + ")", std::to_string(s.padH));
  }
  if (s.padW > s.kw / 2) {
    throwRangeError(env, op, "padding", "at most half the kernel width (" + std::to_string(s.kw / 2) + ")", std::to_string(s.padW));
  }
  s.outH = poolOutputSize(s.h, s.kh, s.padH, s.strideH, s.dilationH, ceilMode);
  s.outW = poolOutputSize(s.w, s.kw, s.padW, s.strideW, s.dilationW, ceilMode);
  if (s.outH < 1 || s.outW < 1) {
    throwRangeError(env, op, "kernelSize", "a window no larger than the padded input",
                    "an output of " + std::to_string(s.outH) + "x" + std::to_string(s.outW));
  }
  return s;
}

}  // namespace convnode
