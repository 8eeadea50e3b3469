// Linear(x, weight, bias | null, { rows, inFeatures, outFeatures }) -> x * weight^T + bias.
// Matmul(a, b, offsetsA, offsetsB, { batch, m, k, n }) -> [batch, m, n]; offsets (Float64Array,
// one per batch entry) say where each [m, k] / [k, n] matrix starts, which expresses any
// broadcasting of batch dimensions without copying.
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "kernels/gemm/gemm.h"

namespace convnode {

namespace {

Napi::Value Linear(const Napi::CallbackInfo& info) {
  const char* op = "linear";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[3], op, "params");
  const int64_t rows = intProp(p, "rows", op, 0);
  const int64_t in = intProp(p, "inFeatures", op, 1);
  const int64_t out = intProp(p, "outFeatures", op, 1);
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {rows, in}));
  FloatView w = floatArrayArg(info[1], op, "weight", checkedProduct(env, op, {out, in}));
  FloatView b = optionalFloatArrayArg(info[2], op, "bias", out);
  float* y = nullptr;
  Napi::Float32Array result = newOutput(env, checkedProduct(env, op, {rows, out}), &y, op);
  GemmShape s;
  s.m = rows;
  s.n = out;
  s.k = in;
  s.transB = true;
  s.lda = in;
  s.ldb = in;
  s.ldc = out;
  GemmEpilogue ep;
  if (b.data) {
    ep.bias = b.data;
    ep.biasMode = BiasMode::PerCol;
  }
  if (rows > 0) sgemm(s, x.data, w.data, y, ep);
  return result;
}

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  const char* op = "matmul";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[4], op, "params");
  const int64_t batch = intProp(p, "batch", op, 1);
  const int64_t m = intProp(p, "m", op, 1);
  const int64_t k = intProp(p, "k", op, 1);
  const int64_t n = intProp(p, "n", op, 1);
  FloatView a = floatArrayArg(info[0], op, "a", -1);
  FloatView b = floatArrayArg(info[1], op, "b", -1);
  auto readOffsets = [&](const Napi::Value& v, const char* name, int64_t limit,
                         int64_t matrixSize) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
      throwTypeError(env, op, name, "a Float64Array", describe(v));
    }
    Napi::Float64Array arr = v.As<Napi::Float64Array>();
    if (static_cast<int64_t>(arr.ElementLength()) != batch) {
      throwRangeError(env, op, std::string(name) + ".length", std::to_string(batch),
                      std::to_string(arr.ElementLength()));
    }
    std::vector<int64_t> result(static_cast<size_t>(batch));
    for (int64_t i = 0; i < batch; ++i) {
      const double d = arr[static_cast<size_t>(i)];
      if (!(d >= 0) || std::floor(d) != d || d + static_cast<double>(matrixSize) > static_cast<double>(limit)) {
        throwRangeError(env, op, name, "offsets inside the operand", std::to_string(d));
      }
      result[static_cast<size_t>(i)] = static_cast<int64_t>(d);
    }
    return result;
  };
  const std::vector<int64_t> offA = readOffsets(info[2], "offsetsA", a.length, checkedProduct(env, op, {m, k}));
  const std::vector<int64_t> offB = readOffsets(info[3], "offsetsB", b.length, checkedProduct(env, op, {k, n}));
  float* y = nullptr;
  Napi::Float32Array result = newOutput(env, checkedProduct(env, op, {batch, m, n}), &y, op);
  GemmShape s;
  s.m = m;
  s.n = n;
  s.k = k;
  s.lda = k;
  s.ldb = n;
  s.ldc = n;
  for (int64_t i = 0; i < batch; ++i) {
    sgemm(s, a.data + offA[static_cast<size_t>(i)], b.data + offB[static_cast<size_t>(i)], y + i * m * n);
  }
  return result;
}

// Sgemm(a, b, c | null, { m, n, k, transA, transB, lda, ldb, ldc, alpha, beta, bias?, biasMode?,
// relu?, isa?, threads? }) -> new C. The BLAS-shaped entry, for tests (every ISA, transposes,
// alpha/beta, edges) and the quick bench; the ops use sgemm() directly.
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  const char* op = "sgemm";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[3], op, "params");
  GemmShape s;
  s.m = intProp(p, "m", op, 0);
  s.n = intProp(p, "n", op, 0);
  s.k = intProp(p, "k", op, 0);
  s.transA = boolProp(p, "transA", op);
  s.transB = boolProp(p, "transB", op);
  s.lda = intProp(p, "lda", op, 1);
  s.ldb = intProp(p, "ldb", op, 1);
  s.ldc = intProp(p, "ldc", op, 1);
  s.alpha = static_cast<float>(numberProp(p, "alpha", op));
  s.beta = static_cast<float>(numberProp(p, "beta", op));
  const Isa isa = isaProp(p, op);
  const int64_t threads = p.Has("threads") ? intProp(p, "threads", op, 1) : 0;
  if (threads > 1024) throwRangeError(env, op, "threads", "an integer in [1, 1024]", std::to_string(threads));
  // Stored extents: op(A) is m x k, stored [m, lda] (or [k, lda] when transposed), etc.
  const int64_t aRows = s.transA ? s.k : s.m, aCols = s.transA ? s.m : s.k;
  const int64_t bRows = s.transB ? s.n : s.k, bCols = s.transB ? s.k : s.n;
  if (s.lda < aCols) throwRangeError(env, op, "lda", ">= " + std::to_string(aCols), std::to_string(s.lda));
  if (s.ldb < bCols) throwRangeError(env, op, "ldb", ">= " + std::to_string(bCols), std::to_string(s.ldb));
  if (s.ldc < s.n) throwRangeError(env, op, "ldc", ">= " + std::to_string(s.n), std::to_string(s.ldc));
  auto need = [&](int64_t rows, int64_t ld) { return rows == 0 ? 0 : checkedProduct(env, op, {rows - 1, ld}) + ld; };
  FloatView a = floatArrayArg(info[0], op, "a", -1);
  FloatView b = floatArrayArg(info[1], op, "b", -1);
  FloatView c0 = optionalFloatArrayArg(info[2], op, "c", -1);
  if (a.length < need(aRows, s.lda) - (s.lda - aCols)) throwRangeError(env, op, "a", "enough elements for the shape", std::to_string(a.length));
  if (b.length < need(bRows, s.ldb) - (s.ldb - bCols)) throwRangeError(env, op, "b", "enough elements for the shape", std::to_string(b.length));
  const int64_t cLen = s.m == 0 ? 0 : checkedProduct(env, op, {1, checkedProduct(env, op, {s.m - 1, s.ldc}) + s.n});
  if (c0.data && c0.length != cLen) throwRangeError(env, op, "c", std::to_string(cLen) + " elements", std::to_string(c0.length));
  GemmEpilogue ep;
  const std::string mode = enumProp(p, "biasMode", op, {"none", "row", "col"}, "none");
  if (mode != "none") {
    ep.biasMode = mode == "row" ? BiasMode::PerRow : BiasMode::PerCol;
    ep.bias = floatArrayArg(p.Get("bias"), op, "bias", mode == "row" ? s.m : s.n).data;
  }
  ep.relu = p.Has("relu") && boolProp(p, "relu", op);
  if (p.Has("clampMax") && !p.Get("clampMax").IsUndefined()) {
    ep.clampMax = static_cast<float>(numberProp(p, "clampMax", op));
    if (std::isnan(ep.clampMax)) throwRangeError(env, op, "clampMax", "a number", "NaN");
  }
  float* y = nullptr;
  Napi::Float32Array result = newOutput(env, cLen, &y, op);
  for (int64_t i = 0; i < cLen; ++i) y[i] = c0.data ? c0.data[i] : 0.0f;
  sgemmIsa(isa, s, a.data, b.data, y, ep, static_cast<int>(threads));
  return result;
}

}  // namespace

void registerGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("Linear", Napi::Function::New(env, Linear, "Linear"));
  exports.Set("Sgemm", Napi::Function::New(env, Sgemm, "Sgemm"));
  exports.Set("Matmul", Napi::Function::New(env, Matmul, "Matmul"));
}

}  // namespace convnode
