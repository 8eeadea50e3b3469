// MaxPool2d / AvgPool2d / LpPool2d (x, params) and AdaptiveAvgPool2d / AdaptiveMaxPool2d
// (x, params { n, c, h, w, outH, outW }) -> Float32Array.
// Pool params: { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode }
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

namespace {

Pool2dShape readPoolShape(const Napi::Object& p, const char* op) {
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

Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2d";
  Napi::Env env = info.Env();
  Napi::Object params = objectArg(info[1], op, "params");
  Pool2dShape s = readPoolShape(params, op);
  const Isa isa = isaProp(params, op);
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {s.n, s.c, s.h, s.w}));
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, checkedProduct(env, op, {s.n, s.c, s.outH, s.outW}), &y, op);
  maxPool2d(s, isa, x.data, y);
  return out;
}

Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  const char* op = "avgPool2d";
  Napi::Env env = info.Env();
  Napi::Object params = objectArg(info[1], op, "params");
  Pool2dShape s = readPoolShape(params, op);
  if (s.dilationH != 1 || s.dilationW != 1) throwRangeError(env, op, "dilation", "1", "other");
  const bool countIncludePad = boolProp(params, "countIncludePad", op);
  const int64_t divisorOverride = intProp(params, "divisorOverride", op, 0);
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {s.n, s.c, s.h, s.w}));
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, checkedProduct(env, op, {s.n, s.c, s.outH, s.outW}), &y, op);
  avgPool2d(s, isaProp(params, op), countIncludePad, divisorOverride, x.data, y);
  return out;
}

Napi::Value LpPool2d(const Napi::CallbackInfo& info) {
  const char* op = "lpPool2d";
  Napi::Env env = info.Env();
  Napi::Object params = objectArg(info[1], op, "params");
  Pool2dShape s = readPoolShape(params, op);
  if (s.padH != 0 || s.padW != 0) throwRangeError(env, op, "padding", "0", "non-zero");
  const double p = numberProp(params, "p", op);
  if (!(p > 0) || !std::isfinite(p)) throwRangeError(env, op, "p", "a finite number > 0", std::to_string(p));
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {s.n, s.c, s.h, s.w}));
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, checkedProduct(env, op, {s.n, s.c, s.outH, s.outW}), &y, op);
  lpPool2dGeneric(s, p, x.data, y);
  return out;
}

template <bool IsMax>
Napi::Value AdaptivePool2d(const Napi::CallbackInfo& info) {
  const char* op = IsMax ? "adaptiveMaxPool2d" : "adaptiveAvgPool2d";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[1], op, "params");
  const int64_t n = intProp(p, "n", op, 1), c = intProp(p, "c", op, 1);
  const int64_t h = intProp(p, "h", op, 1), w = intProp(p, "w", op, 1);
  const int64_t outH = intProp(p, "outH", op, 1), outW = intProp(p, "outW", op, 1);
  for (int64_t v : {n, c, h, w, outH, outW}) {
    if (v > (int64_t(1) << 31)) throwRangeError(env, op, "params", "dimensions below 2^31", std::to_string(v));
  }
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {n, c, h, w}));
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, checkedProduct(env, op, {n, c, outH, outW}), &y, op);
  if (IsMax) adaptiveMaxPool2dGeneric(n, c, h, w, outH, outW, x.data, y);
  else adaptiveAvgPool2dGeneric(n, c, h, w, outH, outW, x.data, y);
  return out;
}

}  // namespace

void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("MaxPool2d", Napi::Function::New(env, MaxPool2d, "MaxPool2d"));
  exports.Set("AvgPool2d", Napi::Function::New(env, AvgPool2d, "AvgPool2d"));
  exports.Set("LpPool2d", Napi::Function::New(env, LpPool2d, "LpPool2d"));
  exports.Set("AdaptiveAvgPool2d", Napi::Function::New(env, AdaptivePool2d<false>, "AdaptiveAvgPool2d"));
  exports.Set("AdaptiveMaxPool2d", Napi::Function::New(env, AdaptivePool2d<true>, "AdaptiveMaxPool2d"));
}

}  // namespace convnode
