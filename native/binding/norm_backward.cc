// BatchNorm2dTrain(x, gamma | null, beta | null, { n, c, inner, eps }) -> [y, mean, var, invStd];
// BatchNorm2dBackward(x, dy, mean, invStd, gamma | null, { n, c, inner, training, affine })
//   -> [dx, dgamma | null, dbeta | null];
// LrnBackward(x, dy, { n, c, inner, size, alpha, beta, k }) -> dx.
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "kernels/norm/norm.h"

namespace convnode {

namespace {

struct NormDims {
  int64_t n, c, inner;
};

NormDims readDims(const Napi::Object& p, const char* op) {
  return {intProp(p, "n", op, 1), intProp(p, "c", op, 1), intProp(p, "inner", op, 1)};
}

Napi::Value BatchNorm2dTrain(const Napi::CallbackInfo& info) {
  const char* op = "batchNorm2d";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[3], op, "params");
  NormDims d = readDims(p, op);
  const double eps = numberProp(p, "eps", op);
  if (!(eps >= 0) || !std::isfinite(eps)) throwRangeError(env, op, "eps", "a finite number >= 0", std::to_string(eps));
  const int64_t count = checkedProduct(env, op, {d.n, d.c, d.inner});
  FloatView x = floatArrayArg(info[0], op, "input", count);
  FloatView gamma = optionalFloatArrayArg(info[1], op, "weight", d.c);
  FloatView beta = optionalFloatArrayArg(info[2], op, "bias", d.c);
  float *y, *mean, *var, *invStd;
  Napi::Array result = Napi::Array::New(env, 4);
  result.Set(0u, newOutput(env, count, &y, op));
  result.Set(1u, newOutput(env, d.c, &mean, op));
  result.Set(2u, newOutput(env, d.c, &var, op));
  result.Set(3u, newOutput(env, d.c, &invStd, op));
  batchNormTrainGeneric(d.n, d.c, d.inner, x.data, gamma.data, beta.data, static_cast<float>(eps), y, mean, var, invStd);
  return result;
}

Napi::Value BatchNorm2dBackward(const Napi::CallbackInfo& info) {
  const char* op = "batchNorm2dBackward";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[5], op, "params");
  NormDims d = readDims(p, op);
  const bool training = boolProp(p, "training", op);
  const bool affine = boolProp(p, "affine", op);
  const int64_t count = checkedProduct(env, op, {d.n, d.c, d.inner});
  FloatView x = floatArrayArg(info[0], op, "input", count);
  FloatView dy = floatArrayArg(info[1], op, "gradOutput", count);
  FloatView mean = floatArrayArg(info[2], op, "mean", d.c);
  FloatView invStd = floatArrayArg(info[3], op, "invStd", d.c);
  FloatView gamma = optionalFloatArrayArg(info[4], op, "weight", d.c);
  float* dx = nullptr;
  float* dgamma = nullptr;
  float* dbeta = nullptr;
  Napi::Array result = Napi::Array::New(env, 3);
  result.Set(0u, newOutput(env, count, &dx, op));
  if (affine) {
    result.Set(1u, newOutput(env, d.c, &dgamma, op));
    result.Set(2u, newOutput(env, d.c, &dbeta, op));
  } else {
    result.Set(1u, env.Null());
    result.Set(2u, env.Null());
  }
  batchNormBackwardGeneric(training, d.n, d.c, d.inner, x.data, dy.data, mean.data, invStd.data, gamma.data, dx, dgamma, dbeta);
  return result;
}

Napi::Value LrnBackward(const Napi::CallbackInfo& info) {
  const char* op = "lrnBackward";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[2], op, "params");
  NormDims d = readDims(p, op);
  const int64_t size = intProp(p, "size", op, 1);
  const double alpha = numberProp(p, "alpha", op), beta = numberProp(p, "beta", op), k = numberProp(p, "k", op);
  const int64_t count = checkedProduct(env, op, {d.n, d.c, d.inner});
  FloatView x = floatArrayArg(info[0], op, "input", count);
  FloatView dy = floatArrayArg(info[1], op, "gradOutput", count);
  float* dx = nullptr;
  Napi::Float32Array out = newOutput(env, count, &dx, op);
  lrnBackwardGeneric(d.n, d.c, d.inner, size, static_cast<float>(alpha), static_cast<float>(beta), static_cast<float>(k), x.data, dy.data, dx);
  return out;
}

}  // namespace

void registerNormBackward(Napi::Env env, Napi::Object exports) {
  exports.Set("BatchNorm2dTrain", Napi::Function::New(env, BatchNorm2dTrain, "BatchNorm2dTrain"));
  exports.Set("BatchNorm2dBackward", Napi::Function::New(env, BatchNorm2dBackward, "BatchNorm2dBackward"));
  exports.Set("LrnBackward", Napi::Function::New(env, LrnBackward, "LrnBackward"));
}

}  // namespace convnode
