// BatchNorm2d(x, mean, var, gamma | null, beta | null, { n, c, inner, eps }) (inference),
// Lrn(x, { n, c, inner, size, alpha, beta, k }).
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "kernels/norm/norm.h"

namespace convnode {

namespace {

Napi::Value BatchNorm2d(const Napi::CallbackInfo& info) {
  const char* op = "batchNorm2d";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[5], op, "params");
  const int64_t n = intProp(p, "n", op, 1), c = intProp(p, "c", op, 1), inner = intProp(p, "inner", op, 1);
  const double eps = numberProp(p, "eps", op);
  if (!(eps >= 0) || !std::isfinite(eps)) throwRangeError(env, op, "eps", "a finite number >= 0", std::to_string(eps));
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {n, c, inner}));
  FloatView mean = floatArrayArg(info[1], op, "runningMean", c);
  FloatView var = floatArrayArg(info[2], op, "runningVar", c);
  FloatView gamma = optionalFloatArrayArg(info[3], op, "weight", c);
  FloatView beta = optionalFloatArrayArg(info[4], op, "bias", c);
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, x.length, &y, op);
  batchNormInference(activeIsa(), n, c, inner, x.data, mean.data, var.data, gamma.data, beta.data,
                            static_cast<float>(eps), y);
  return out;
}

Napi::Value Lrn(const Napi::CallbackInfo& info) {
  const char* op = "lrn";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[1], op, "params");
  const int64_t n = intProp(p, "n", op, 1), c = intProp(p, "c", op, 1), inner = intProp(p, "inner", op, 1);
  const int64_t size = intProp(p, "size", op, 1);
  const double alpha = numberProp(p, "alpha", op), beta = numberProp(p, "beta", op), k = numberProp(p, "k", op);
  if (!std::isfinite(alpha) || !std::isfinite(beta) || !std::isfinite(k)) {
    throwRangeError(env, op, "alpha/beta/k", "finite numbers", "a non-finite value");
  }
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {n, c, inner}));
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, x.length, &y, op);
  lrn(activeIsa(), n, c, inner, size, static_cast<float>(alpha), static_cast<float>(beta), static_cast<float>(k), x.data, y);
  return out;
}

}  // namespace

void registerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("BatchNorm2d", Napi::Function::New(env, BatchNorm2d, "BatchNorm2d"));
  exports.Set("Lrn", Napi::Function::New(env, Lrn, "Lrn"));
}

}  // namespace convnode
