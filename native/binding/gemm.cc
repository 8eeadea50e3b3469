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
  if (b.data) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < out; ++j) y[r * out + j] = b.data[j];
    s.beta = 1.0f;
  }
  if (rows > 0) sgemmGeneric(s, x.data, w.data, y);
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
    sgemmGeneric(s, a.data + offA[static_cast<size_t>(i)], b.data + offB[static_cast<size_t>(i)], y + i * m * n);
  }
  return result;
}

}  // namespace

void registerGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("Linear", Napi::Function::New(env, Linear, "Linear"));
  exports.Set("Matmul", Napi::Function::New(env, Matmul, "Matmul"));
}

}  // namespace convnode
