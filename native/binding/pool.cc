// MaxPool2d / AvgPool2d / LpPool2d (x, params) and AdaptiveAvgPool2d / AdaptiveMaxPool2d
// (x, params { n, c, h, w, outH, outW }) -> Float32Array.
// Pool params: { n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode }
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "binding/params.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

namespace {


Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2d";
  Napi::Env env = info.Env();
  Napi::Object params = objectArg(info[1], op, "params");
  Pool2dShape s = readPool2dShape(params, op);
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
  Pool2dShape s = readPool2dShape(params, op);
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
  Pool2dShape s = readPool2dShape(params, op);
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
