// MaxPool2dWithIndices(x, params) -> [y, indices (Int32Array, flat h*w index per output)],
// MaxPool2dBackward(dy, indices, params), AvgPool2dBackward(dy, params),
// LpPool2dBackward(x, y, dy, params), AdaptiveAvgPool2dBackward(dy, params),
// AdaptiveMaxPool2dBackward(x, dy, params) -> dx.
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "binding/params.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

namespace {

Napi::Value MaxPool2dWithIndices(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2d";
  Napi::Env env = info.Env();
  Pool2dShape s = readPool2dShape(objectArg(info[1], op, "params"), op);
  if (s.h * s.w > 2147483647LL) throwRangeError(env, op, "input", "planes below 2^31 elements", "a larger plane");
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {s.n, s.c, s.h, s.w}));
  const int64_t count = checkedProduct(env, op, {s.n, s.c, s.outH, s.outW});
  float* y = nullptr;
  Napi::Float32Array yOut = newOutput(env, count, &y, op);
  Napi::Int32Array idx = Napi::Int32Array::New(env, static_cast<size_t>(count));
  maxPool2dGeneric(s, x.data, y, idx.Data());
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, yOut);
  result.Set(1u, idx);
  return result;
}

Napi::Value MaxPool2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "maxPool2dBackward";
  Napi::Env env = info.Env();
  Pool2dShape s = readPool2dShape(objectArg(info[2], op, "params"), op);
  const int64_t count = checkedProduct(env, op, {s.n, s.c, s.outH, s.outW});
  FloatView dy = floatArrayArg(info[0], op, "gradOutput", count);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throwTypeError(env, op, "indices", "an Int32Array", describe(info[1]));
  }
  Napi::Int32Array idx = info[1].As<Napi::Int32Array>();
  if (static_cast<int64_t>(idx.ElementLength()) != count) {
    throwRangeError(env, op, "indices.length", std::to_string(count), std::to_string(idx.ElementLength()));
  }
  const int64_t plane = s.h * s.w;
  for (size_t i = 0; i < idx.ElementLength(); ++i) {
    if (idx[i] < 0 || idx[i] >= plane) throwRangeError(env, op, "indices", "values in [0, h*w)", std::to_string(idx[i]));
  }
  float* dx = nullptr;
  Napi::Float32Array out = newOutput(env, checkedProduct(env, op, {s.n, s.c, s.h, s.w}), &dx, op);
  maxPool2dBackwardGeneric(s, dy.data, idx.Data(), dx);
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
  exports.Set("MaxPool2dWithIndices", Napi::Function::New(env, MaxPool2dWithIndices, "MaxPool2dWithIndices"));
  exports.Set("MaxPool2dBackward", Napi::Function::New(env, MaxPool2dBackward, "MaxPool2dBackward"));
  exports.Set("AvgPool2dBackward", Napi::Function::New(env, AvgPool2dBackward, "AvgPool2dBackward"));
  exports.Set("LpPool2dBackward", Napi::Function::New(env, LpPool2dBackward, "LpPool2dBackward"));
  exports.Set("AdaptiveAvgPool2dBackward", Napi::Function::New(env, AdaptivePool2dBackward<false>, "AdaptiveAvgPool2dBackward"));
  exports.Set("AdaptiveMaxPool2dBackward", Napi::Function::New(env, AdaptivePool2dBackward<true>, "AdaptiveMaxPool2dBackward"));
}

}  // namespace convnode
