// Gemm(a, b, { m, n, k, transA, transB, alpha }) -> C [m, n] = alpha * op(A) op(B): the
// general product the linear / matmul gradients need (A^T and B^T without copies).
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

namespace {

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const char* op = "gemm";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[2], op, "params");
  GemmShape s;
  s.m = intProp(p, "m", op, 1);
  s.n = intProp(p, "n", op, 1);
  s.k = intProp(p, "k", op, 0);
  s.transA = boolProp(p, "transA", op);
  s.transB = boolProp(p, "transB", op);
  const double alpha = numberProp(p, "alpha", op);
  if (!std::isfinite(alpha)) throwRangeError(env, op, "alpha", "a finite number", std::to_string(alpha));
  s.alpha = static_cast<float>(alpha);
  FloatView a = floatArrayArg(info[0], op, "a", checkedProduct(env, op, {s.m, s.k}));
  FloatView b = floatArrayArg(info[1], op, "b", checkedProduct(env, op, {s.k, s.n}));
  s.lda = s.transA ? s.m : s.k;
  s.ldb = s.transB ? s.k : s.n;
  s.ldc = s.n;
  float* c = nullptr;
  Napi::Float32Array out = newOutput(env, checkedProduct(env, op, {s.m, s.n}), &c, op);
  sgemm(s, a.data, b.data, c);
  return out;
}

}  // namespace

void registerGemmBackward(Napi::Env env, Napi::Object exports) {
  exports.Set("Gemm", Napi::Function::New(env, Gemm, "Gemm"));
}

}  // namespace convnode
