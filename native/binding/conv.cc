// Conv2d(x, weight, bias | null, params) -> Float32Array.
// params: { n, cin, h, w, cout, kh, kw, strideH, strideW, padTop, padBottom, padLeft, padRight,
//           dilationH, dilationW, groups }
#include <napi.h>

#include "binding/args.h"
#include "binding/params.h"
#include "kernels/conv/conv2d.h"

namespace convnode {

namespace {

constexpr const char* kOp = "conv2d";

Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object params = objectArg(info[3], kOp, "params");
  Conv2dShape s = readConv2dShape(params);
  const int64_t xLen = checkedProduct(env, kOp, {s.n, s.cin, s.h, s.w});
  const int64_t wLen = checkedProduct(env, kOp, {s.cout, s.cin / s.groups, s.kh, s.kw});
  const int64_t yLen = checkedProduct(env, kOp, {s.n, s.cout, s.outH, s.outW});
  FloatView x = floatArrayArg(info[0], kOp, "input", xLen);
  FloatView w = floatArrayArg(info[1], kOp, "weight", wLen);
  FloatView b = optionalFloatArrayArg(info[2], kOp, "bias", s.cout);
  float* y = nullptr;
  Napi::Float32Array out = newOutput(env, yLen, &y, kOp);
  conv2dDirectGeneric(s, x.data, w.data, b.data, y);
  return out;
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("Conv2d", Napi::Function::New(env, Conv2d, "Conv2d"));
}

}  // namespace convnode
