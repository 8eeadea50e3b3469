// MaxPool2dBackward(x, y, dy, params), AvgPool2dBackward(dy, params),
// LpPool2dBackward(x, y, dy, params), AdaptiveAvgPool2dBackward(dy, params),
// AdaptiveMaxPool2dBackward(x, dy, params) -> dx.
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "binding/params.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

namespace {

Napi::Value MaxPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2dBackward";
  Napi::Env env = info.Env();
  Pool2dShape s = readPool2dShape(objectArg(info[3], op, "params"), op);
  const int64_t inCount = checkedProduct(env, op, {s.n, s.c, s.h, s.w});
  const int64_t outCount = checkedProduct(env, op, {s.n, s.c, s.outH, s.outW});
  FloatView x = floatArrayArg(info[0], op, "input", inCount);
  FloatView y = floatArrayArg(info[1], op, "output", outCount);
  FloatView dy = floatArrayArg(info[2], op, "gradOutput", outCount);
  float* dx = nullptr;
  Napi::Float32Array out = newOutputUninitialized(env, inCount, &dx, op);
  maxPool2dBackwardGeneric(s, isaProp(info[3].As<Napi::Object>(), op), x.data, y.data, dy.data, dx);
  return out;
}

Napi::Value AvgPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "avgPool2dBackward";
  Napi::Env env = info.Env();
  Napi::Object params = objectArg(info[1], op, "params");
  Pool2dShape s = readPool2dShape(params, op);
  const bool countIncludePad = boolProp(params, "countIncludePad", op);
  const int64_t divisorOverride = intProp(params, "divisorOverride", op, 0);
  FloatView dy = floatArrayArg(info[0], op, "gradOutput", checkedProduct(env, op, {s.n, s.c, s.outH, s.outW}));
  float* dx = nullptr;
  Napi::Float32Array out = newOutput(env, checkedProduct(env, op, {s.n, s.c, s.h, s.w}), &dx, op);
  avgPool2dBackwardGeneric(s, countIncludePad, divisorOverride, dy.data, dx);
  return out;
}

Napi::Value LpPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "lpPool2dBackward";
  Napi::Env env = info.Env();
  Napi::Object params = objectArg(info[3], op, "params");
  Pool2dShape s = readPool2dShape(params, op);
  const double p = numberProp(params, "p", op);
  if (!(p > 0) || !std::isfinite(p)) throwRangeError(env, op, "p", "a finite number > 0", std::to_string(p));
  const int64_t inCount = checkedProduct(env, op, {s.n, s.c, s.h, s.w});
  const int64_t outCount = checkedProduct(env, op, {s.n, s.c, s.outH, s.outW});
  FloatView x = floatArrayArg(info[0], op, "input", inCount);
  FloatView y = floatArrayArg(info[1], op, "output", outCount);
  FloatView dy = floatArrayArg(info[2], op, "gradOutput", outCount);
  float* dx = nullptr;
  Napi::Float32Array out = newOutput(env, inCount, &dx, op);
  lpPool2dBackwardGeneric(s, p, x.data, y.data, dy.data, dx);
  return out;
}

template <bool IsMax>
Napi::Value AdaptivePool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = IsMax ? "adaptiveMaxPool2dBackward" : "adaptiveAvgPool2dBackward";
  Napi::Env env = info.Env();
  const size_t pi = IsMax ? 2 : 1;
  Napi::Object p = objectArg(info[pi], op, "params");
  const int64_t n = intProp(p, "n", op, 1), c = intProp(p, "c", op, 1);
  const int64_t h = intProp(p, "h", op, 1), w = intProp(p, "w", op, 1);
  const int64_t outH = intProp(p, "outH", op, 1), outW = intProp(p, "outW", op, 1);
  for (int64_t v : {n, c, h, w, outH, outW}) {
    if (v > (int64_t(1) << 31)) throwRangeError(env, op, "params", "dimensions below 2^31", std::to_string(v));
  }
  const int64_t inCount = checkedProduct(env, op, {n, c, h, w});
  FloatView dy = floatArrayArg(info[IsMax ? 1 : 0], op, "gradOutput", checkedProduct(env, op, {n, c, outH, outW}));
  float* dx = nullptr;
  Napi::Float32Array out = newOutput(env, inCount, &dx, op);
  if (IsMax) {
    FloatView x = floatArrayArg(info[0], op, "input", inCount);
    adaptiveMaxPool2dBackwardGeneric(n, c, h, w, outH, outW, x.data, dy.data, dx);
  } else {
    adaptiveAvgPool2dBackwardGeneric(n, c, h, w, outH, outW, dy.data, dx);
  }
  return out;
}

}  // namespace

void registerPoolBackward(Napi::Env env, Napi::Object exports) {
  exports.Set("MaxPool2dBackward", Napi::Function::New(env, MaxPool2dBackward, "MaxPool2dBackward"));
  exports.Set("AvgPool2dBackward", Napi::Function::New(env, AvgPool2dBackward, "AvgPool2dBackward"));
  exports.Set("LpPool2dBackward", Napi::Function::New(env, LpPool2dBackward, "LpPool2dBackward"));
  exports.Set("AdaptiveAvgPool2dBackward", Napi::Function::New(env, AdaptivePool2dBackward<false>, "AdaptiveAvgPool2dBackward"));
  exports.Set("AdaptiveMaxPool2dBackward", Napi::Function::New(env, AdaptivePool2dBackward<true>, "AdaptiveMaxPool2dBackward"));
}

}  // namespace convnode
