// ReluBackward(y, dy), Relu6Backward(x, dy), LeakyReluBackward(x, dy, slope),
// SigmoidBackward(y, dy), TanhBackward(y, dy), SoftmaxBackward / LogSoftmaxBackward(y, dy,
// { outer, dim, inner }) -> dx; CrossEntropy(logits, labels (Int32Array), { n, c, smoothing,
// ignoreIndex }) -> [loss per row, softmax probs].
#include <napi.h>

#include <cmath>

#include "binding/args.h"
#include "kernels/eltwise/eltwise.h"

namespace convnode {

namespace {

template <UnaryOp Op>
Napi::Value UnaryBackward(const Napi::CallbackInfo& info) {
  static const char* names[] = {"reluBackward", "leakyReluBackward", "sigmoidBackward", "tanhBackward", "relu6Backward"};
  const char* op = names[static_cast<int>(Op)];
  Napi::Env env = info.Env();
  FloatView saved = floatArrayArg(info[0], op, "saved", -1);
  FloatView dy = floatArrayArg(info[1], op, "gradOutput", saved.length);
  float alpha = 0.0f;
  if (Op == UnaryOp::LeakyRelu) alpha = static_cast<float>(numberArg(info[2], op, "negativeSlope"));
  float* dx = nullptr;
  Napi::Float32Array out = newOutputUninitialized(env, saved.length, &dx, op);
  unaryBackwardGeneric(Op, alpha, saved.data, dy.data, dx, saved.length);
  return out;
}

template <bool Log>
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  const char* op = Log ? "logSoftmaxBackward" : "softmaxBackward";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[2], op, "params");
  const int64_t outer = intProp(p, "outer", op, 0), dim = intProp(p, "dim", op, 1), inner = intProp(p, "inner", op, 1);
  const int64_t count = checkedProduct(env, op, {outer, dim, inner});
  FloatView y = floatArrayArg(info[0], op, "output", count);
  FloatView dy = floatArrayArg(info[1], op, "gradOutput", count);
  float* dx = nullptr;
  Napi::Float32Array out = newOutput(env, count, &dx, op);
  softmaxBackwardGeneric(Log, outer, dim, inner, y.data, dy.data, dx);
  return out;
}

Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  const char* op = "crossEntropy";
  Napi::Env env = info.Env();
  Napi::Object p = objectArg(info[2], op, "params");
  const int64_t n = intProp(p, "n", op, 1), c = intProp(p, "c", op, 1);
  const double smoothing = numberProp(p, "smoothing", op);
  if (!(smoothing >= 0.0 && smoothing <= 1.0)) throwRangeError(env, op, "labelSmoothing", "a number in [0, 1]", std::to_string(smoothing));
  const int64_t ignoreIndex = intArg(p.Get("ignoreIndex"), op, "ignoreIndex", -2147483648LL);
  if (ignoreIndex > 2147483647LL) throwRangeError(env, op, "ignoreIndex", "a 32-bit integer", std::to_string(ignoreIndex));
  FloatView logits = floatArrayArg(info[0], op, "logits", checkedProduct(env, op, {n, c}));
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throwTypeError(env, op, "labels", "an Int32Array", describe(info[1]));
  }
  Napi::Int32Array labels = info[1].As<Napi::Int32Array>();
  if (static_cast<int64_t>(labels.ElementLength()) != n) {
    throwRangeError(env, op, "labels.length", std::to_string(n), std::to_string(labels.ElementLength()));
  }
  for (size_t i = 0; i < labels.ElementLength(); ++i) {
    const int32_t l = labels[i];
    if (l != ignoreIndex && (l < 0 || l >= c)) {
      throwRangeError(env, op, "labels[" + std::to_string(i) + "]", "a class index in [0, " + std::to_string(c) + ")", std::to_string(l));
    }
  }
  float* loss = nullptr;
  float* probs = nullptr;
  Napi::Float32Array lossOut = newOutput(env, n, &loss, op);
  Napi::Float32Array probsOut = newOutput(env, n * c, &probs, op);
  crossEntropyGeneric(n, c, logits.data, labels.Data(), static_cast<float>(smoothing), static_cast<int32_t>(ignoreIndex), loss, probs);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, lossOut);
  result.Set(1u, probsOut);
  return result;
}

}  // namespace

void registerEltwiseBackward(Napi::Env env, Napi::Object exports) {
  exports.Set("ReluBackward", Napi::Function::New(env, UnaryBackward<UnaryOp::Relu>, "ReluBackward"));
  exports.Set("Relu6Backward", Napi::Function::New(env, UnaryBackward<UnaryOp::Relu6>, "Relu6Backward"));
  exports.Set("LeakyReluBackward", Napi::Function::New(env, UnaryBackward<UnaryOp::LeakyRelu>, "LeakyReluBackward"));
  exports.Set("SigmoidBackward", Napi::Function::New(env, UnaryBackward<UnaryOp::Sigmoid>, "SigmoidBackward"));
  exports.Set("TanhBackward", Napi::Function::New(env, UnaryBackward<UnaryOp::Tanh>, "TanhBackward"));
  exports.Set("SoftmaxBackward", Napi::Function::New(env, SoftmaxBackward<false>, "SoftmaxBackward"));
  exports.Set("LogSoftmaxBackward", Napi::Function::New(env, SoftmaxBackward<true>, "LogSoftmaxBackward"));
  exports.Set("CrossEntropy", Napi::Function::New(env, CrossEntropy, "CrossEntropy"));
}

}  // namespace convnode
