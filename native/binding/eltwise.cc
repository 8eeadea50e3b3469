// Relu / Relu6 / Sigmoid / Tanh (x), LeakyRelu(x, slope), Add / Sub / Mul / Div (a, b, shape),
// Softmax / LogSoftmax (x, { outer, dim, inner }), Concat([parts], { sizes, outer, inner }),
// Dropout(x, p, seed) -> [y, mask].
#include <napi.h>

#include <cmath>
#include <vector>

#include "binding/args.h"
#include "kernels/eltwise/eltwise.h"

namespace convnode {

namespace {

template <UnaryOp Op>
Napi::Value Unary(const Napi::CallbackInfo& info) {
  static const char* names[] = {"relu", "leakyRelu", "sigmoid", "tanh", "relu6"};
  const char* op = names[static_cast<int>(Op)];
  Napi::Env env = info.Env();
  FloatView x = floatArrayArg(info[0], op, "input", -1);
  float alpha = 0.0f;
  if (Op == UnaryOp::LeakyRelu) {
    const double slope = numberArg(info[1], op, "negativeSlope");
    if (!std::isfinite(slope)) throwRangeError(env, op, "negativeSlope", "a finite number", describe(info[1]));
    alpha = static_cast<float>(slope);
  }
  float* y = nullptr;
  Napi::Float32Array out = newOutputUninitialized(env, x.length, &y, op);
  unary(activeIsa(), Op, alpha, x.data, y, x.length);
  return out;
}

// shape: { outShape: number[], stridesA: number[], stridesB: number[] }
template <BinaryOp Op>
Napi::Value Binary(const Napi::CallbackInfo& info) {
  static const char* names[] = {"add", "sub", "mul", "div"};
  const char* op = names[static_cast<int>(Op)];
  Napi::Env env = info.Env();
  FloatView a = floatArrayArg(info[0], op, "a", -1);
  FloatView b = floatArrayArg(info[1], op, "b", -1);
  Napi::Object p = objectArg(info[2], op, "params");
  Napi::Value outShapeV = p.Get("outShape"), saV = p.Get("stridesA"), sbV = p.Get("stridesB");
  if (!outShapeV.IsArray() || !saV.IsArray() || !sbV.IsArray()) {
    throwTypeError(env, op, "params", "outShape, stridesA, stridesB arrays", describe(outShapeV));
  }
  Napi::Array outShape = outShapeV.As<Napi::Array>(), sa = saV.As<Napi::Array>(), sb = sbV.As<Napi::Array>();
  BroadcastShape s;
  s.rank = static_cast<int>(outShape.Length());
  if (s.rank > kMaxRank || sa.Length() != outShape.Length() || sb.Length() != outShape.Length()) {
    throwRangeError(env, op, "params", "rank <= 8 with one stride per dimension", std::to_string(s.rank));
  }
  int64_t count = 1, maxA = 0, maxB = 0;
  for (int d = 0; d < s.rank; ++d) {
    s.outShape[d] = intArg(outShape.Get(d), op, "outShape", 0);
    s.strideA[d] = intArg(sa.Get(d), op, "stridesA", 0);
    s.strideB[d] = intArg(sb.Get(d), op, "stridesB", 0);
    count = checkedProduct(env, op, {count, s.outShape[d]});
    if (s.outShape[d] > 0) {
      // Checked: strides up to 2^53 would otherwise wrap the span past the bounds test.
      maxA = checkedProduct(env, op, {1, maxA + checkedProduct(env, op, {s.outShape[d] - 1, s.strideA[d]})});
      maxB = checkedProduct(env, op, {1, maxB + checkedProduct(env, op, {s.outShape[d] - 1, s.strideB[d]})});
    }
  }
  if (count > 0 && (maxA >= a.length || maxB >= b.length)) {
    throwRangeError(env, op, "params", "strides inside both operands", "an out-of-range stride");
  }
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, count, &y, op);
  if (count > 0) binaryBroadcastGeneric(Op, s, a.data, b.data, y);
  return out;
}

template <bool Log>
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  const char* op = Log ? "logSoftmax" : "softmax";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[1], op, "params");
  const int64_t outer = intProp(p, "outer", op, 0);
  const int64_t dim = intProp(p, "dim", op, 1);
  const int64_t inner = intProp(p, "inner", op, 1);
  FloatView x = floatArrayArg(info[0], op, "input", checkedProduct(env, op, {outer, dim, inner}));
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, x.length, &y, op);
  softmax(activeIsa(), Log, outer, dim, inner, x.data, y);
  return out;
}

Napi::Value Concat(const Napi::CallbackInfo& info) {
  const char* op = "concat";
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throwTypeError(env, op, "tensors", "an array of Float32Array", describe(info[0]));
  Napi::Array partsV = info[0].As<Napi::Array>();
  Napi::Object p = objectArg(info[1], op, "params");
  const int64_t outer = intProp(p, "outer", op, 0);
  const int64_t inner = intProp(p, "inner", op, 0);
  Napi::Value sizesV = p.Get("sizes");
  if (!sizesV.IsArray() || sizesV.As<Napi::Array>().Length() != partsV.Length()) {
    throwTypeError(env, op, "sizes", "one size per tensor", describe(sizesV));
  }
  Napi::Array sizesA = sizesV.As<Napi::Array>();
  const uint32_t count = partsV.Length();
  std::vector<const float*> parts(count);
  std::vector<int64_t> sizes(count);
  int64_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    sizes[i] = intArg(sizesA.Get(i), op, "sizes", 0);
    const std::string name = "tensors[" + std::to_string(i) + "]";
    parts[i] = floatArrayArg(partsV.Get(i), op, name.c_str(), checkedProduct(env, op, {outer, sizes[i], inner})).data;
    total += sizes[i];
  }
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, checkedProduct(env, op, {outer, total, inner}), &y, op);
  concatGeneric(count, parts.data(), sizes.data(), outer, inner, y);
  return out;
}

Napi::Value Dropout(const Napi::CallbackInfo& info) {
  const char* op = "dropout";
  Napi::Env env = info.Env();
  FloatView x = floatArrayArg(info[0], op, "input", -1);
  const double p = numberArg(info[1], op, "p");
  if (!(p >= 0.0 && p <= 1.0)) throwRangeError(env, op, "p", "a probability in [0, 1]", describe(info[1]));
  const double seed = numberArg(info[2], op, "seed");
  if (!(seed >= 0) || std::floor(seed) != seed) throwRangeError(env, op, "seed", "a non-negative integer", describe(info[2]));
  float* y = nullptr;
  float* mask = nullptr;
  Napi::Float32Array yOut = newOutput(env, x.length, &y, op);
  Napi::Float32Array maskOut = newOutput(env, x.length, &mask, op);
  dropoutGeneric(static_cast<float>(p), static_cast<uint64_t>(seed), x.data, y, mask, x.length);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, yOut);
  result.Set(1u, maskOut);
  return result;
}

}  // namespace

void registerEltwise(Napi::Env env, Napi::Object exports) {
  exports.Set("Relu", Napi::Function::New(env, Unary<UnaryOp::Relu>, "Relu"));
  exports.Set("Relu6", Napi::Function::New(env, Unary<UnaryOp::Relu6>, "Relu6"));
  exports.Set("LeakyRelu", Napi::Function::New(env, Unary<UnaryOp::LeakyRelu>, "LeakyRelu"));
  exports.Set("Sigmoid", Napi::Function::New(env, Unary<UnaryOp::Sigmoid>, "Sigmoid"));
  exports.Set("Tanh", Napi::Function::New(env, Unary<UnaryOp::Tanh>, "Tanh"));
  exports.Set("Add", Napi::Function::New(env, Binary<BinaryOp::Add>, "Add"));
  exports.Set("Sub", Napi::Function::New(env, Binary<BinaryOp::Sub>, "Sub"));
  exports.Set("Mul", Napi::Function::New(env, Binary<BinaryOp::Mul>, "Mul"));
  exports.Set("Div", Napi::Function::New(env, Binary<BinaryOp::Div>, "Div"));
  exports.Set("Softmax", Napi::Function::New(env, Softmax<false>, "Softmax"));
  exports.Set("LogSoftmax", Napi::Function::New(env, Softmax<true>, "LogSoftmax"));
  exports.Set("Concat", Napi::Function::New(env, Concat, "Concat"));
  exports.Set("Dropout", Napi::Function::New(env, Dropout, "Dropout"));
}

}  // namespace convnode
