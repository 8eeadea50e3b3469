// Conv2dBackwardInput(dy, weight, params) -> dx; Conv2dBackwardWeight(dy, x, params, withBias)
// -> [dweight, dbias | null]. params as Conv2d's, plus for the weight gradient (tests,
// benchmarks) weightGradAlgo?: 'auto' | 'gemm' | 'dot' | 'shifted'; isa? picks the ISA of the Dot and
// shifted-view kernels.
#include <napi.h>

#include <string>

#include "binding/args.h"
#include "binding/params.h"
#include "kernels/conv/conv2d.h"

namespace convnode {

namespace {

constexpr const char* kOp = "conv2dBackward";

Napi::Value Conv2dBackwardInput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Conv2dShape s = readConv2dShape(objectArg(info[2], kOp, "params"));
  FloatView dy = floatArrayArg(info[0], kOp, "gradOutput", checkedProduct(env, kOp, {s.n, s.cout, s.outH, s.outW}));
  FloatView w = floatArrayArg(info[1], kOp, "weight", checkedProduct(env, kOp, {s.cout, s.cin / s.groups, s.kh, s.kw}));
  float* dx = nullptr;
  Napi::Float32Array out = newOutputUninitialized(env, checkedProduct(env, kOp, {s.n, s.cin, s.h, s.w}), &dx, kOp);
  conv2dBackwardInputGeneric(s, isaProp(info[2].As<Napi::Object>(), kOp), dy.data, w.data, dx);
  return out;
}

Napi::Value Conv2dBackwardWeight(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Conv2dShape s = readConv2dShape(objectArg(info[2], kOp, "params"));
  FloatView dy = floatArrayArg(info[0], kOp, "gradOutput", checkedProduct(env, kOp, {s.n, s.cout, s.outH, s.outW}));
  FloatView x = floatArrayArg(info[1], kOp, "input", checkedProduct(env, kOp, {s.n, s.cin, s.h, s.w}));
  const bool withBias = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  float* dw = nullptr;
  float* db = nullptr;
  Napi::Float32Array dwOut = newOutput(env, checkedProduct(env, kOp, {s.cout, s.cin / s.groups, s.kh, s.kw}), &dw, kOp);
  Napi::Value dbOut = env.Null();
  if (withBias) dbOut = newOutput(env, s.cout, &db, kOp);
  const Napi::Object params = info[2].As<Napi::Object>();
  const Isa isa = isaProp(params, kOp);
  const std::string algo = enumProp(params, "weightGradAlgo", kOp, {"auto", "gemm", "dot", "shifted"}, "auto");
  conv2dBackwardWeight(s, isa,
                       algo == "gemm" ? ConvWeightGradAlgo::Gemm
                       : algo == "dot"   ? ConvWeightGradAlgo::Dot
                       : algo == "shifted" ? ConvWeightGradAlgo::Shifted
                                       : ConvWeightGradAlgo::Auto,
                       dy.data, x.data, dw, db);
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, dwOut);
  result.Set(1u, dbOut);
  return result;
}

}  // namespace

void registerConvBackward(Napi::Env env, Napi::Object exports) {
  exports.Set("Conv2dBackwardInput", Napi::Function::New(env, Conv2dBackwardInput, "Conv2dBackwardInput"));
  exports.Set("Conv2dBackwardWeight", Napi::Function::New(env, Conv2dBackwardWeight, "Conv2dBackwardWeight"));
}

}  // namespace convnode
