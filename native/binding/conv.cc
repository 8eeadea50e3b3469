// Conv2d(x, weight, bias | null, params) -> Float32Array.
// params: { n, cin, h, w, cout, kh, kw, strideH, strideW, padTop, padBottom, padLeft, padRight,
//           dilationH, dilationW, groups, algo?, relu?, isa? }
// algo: 'auto' | 'direct' | 'im2col' | 'gemm1x1' | 'winograd' | 'depthwise' (an algorithm that
// cannot run the layer throws); relu fuses max(0, .) into the store; isa (tests/bench) runs
// another supported ISA's kernels.
#include <napi.h>

#include <string>

#include "binding/args.h"
#include "binding/params.h"
#include "core/aligned_buffer.h"
#include "kernels/conv/conv2d.h"

namespace convnode {

namespace {

constexpr const char* kOp = "conv2d";


const char* algoRequirement(ConvAlgo a) {
  switch (a) {
    case ConvAlgo::Gemm1x1: return "gemm1x1 to be used on a 1x1 kernel without padding";
    case ConvAlgo::Winograd: return "winograd to be used on a 3x3 kernel, stride 1, dilation 1, groups 1";
    case ConvAlgo::Depthwise: return "depthwise to be used with groups == in_channels > 1";
    default: return "an algorithm that supports this layer";
  }
}

// params.winogradTile: 2 or 4 forces F(2x2) / F(4x4) (tests, benches); absent = the heuristic.
WinogradTile winogradTileProp(const Napi::Object& params) {
  if (!params.Has("winogradTile") || params.Get("winogradTile").IsUndefined()) return WinogradTile::Auto;
  const int64_t t = intProp(params, "winogradTile", kOp, 0);
  if (t != 2 && t != 4) {
    throwRangeError(params.Env(), kOp, "winogradTile", "2 or 4", std::to_string(t));
  }
  return t == 2 ? WinogradTile::F2 : WinogradTile::F4;
}

// ConvAlgoFor(params) -> the algorithm 'auto' picks for a layer (for summaries, benches, tests).
Napi::Value ConvAlgoFor(const Napi::CallbackInfo& info) {
  Conv2dShape s = readConv2dShape(objectArg(info[0], kOp, "params"));
  return Napi::String::New(info.Env(), convAlgoName(convAlgoChoose(s)));
}

// Weights prepared once for one algorithm: Winograd's U = G g G^T ([36][cout][cin], 4x the
// weights), or the weights in the SGEMM A-panel layout of one ISA (im2col, gemm1x1). Held by
// JS as a type-tagged External, freed by its finalizer, its size reported to V8. Eager calls
// cannot hold these themselves (nothing tells them when a weight tensor is updated in place;
// they use the byte-compared Winograd cache instead). Callers that own their weights (the
// benchmarks, tests) pass one as params.prepacked; compiled plans prepare their weights the
// same way inside PlanCreate (binding/session.cc). A handle used with another weight shape or
// algorithm throws.
struct PrepackedConv {
  int64_t cout = 0, cin = 0, kh = 0, kw = 0, groups = 0;
  ConvAlgo algo = ConvAlgo::Winograd;
  Isa isa = Isa::Generic;  // GEMM panel layouts differ per ISA
  WinogradTile tile = WinogradTile::Auto;  // Winograd: the tile U was transformed for
  int64_t layout = 0;  // winogradLayoutKey / convGemmLayoutKey when packed
  AlignedFloats data;
  int64_t bytes = 0;
};
const napi_type_tag kPrepackedTag = {0x6a1c2e5f0b7d4c13ULL, 0x9e3a5f71c2d84b06ULL};

// Conv2dPrepack(weight, params) -> External. params as Conv2d; algo 'winograd' (U = G g G^T),
// 'im2col' or 'gemm1x1' (weights in the SGEMM panel layout of params.isa / the active ISA), or
// 'auto' (what 'auto' would run; direct and depthwise have nothing to prepack and throw).
Napi::Value Conv2dPrepack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object params = objectArg(info[1], kOp, "params");
  Conv2dShape s = readConv2dShape(params);
  const std::string algoName =
      enumProp(params, "algo", kOp, {"auto", "winograd", "im2col", "gemm1x1"}, "auto");
  ConvAlgo algo = algoName == "winograd" ? ConvAlgo::Winograd
                  : algoName == "im2col" ? ConvAlgo::Im2col
                  : algoName == "gemm1x1" ? ConvAlgo::Gemm1x1
                                          : convAlgoChoose(s);
  if (algo != ConvAlgo::Winograd && algo != ConvAlgo::Im2col && algo != ConvAlgo::Gemm1x1) {
    throwRangeError(env, kOp, "algo", "'winograd', 'im2col' or 'gemm1x1' (algorithms with prepacked weights)",
                    std::string("'") + convAlgoName(algo) + "'");
  }
  if (!convAlgoSupports(algo, s)) {
    throwRangeError(env, kOp, "algo", algoRequirement(algo), "'" + algoName + "' for this layer");
  }
  const Isa isa = isaProp(params, kOp);
  const int64_t wLen = checkedProduct(env, kOp, {s.cout, s.cin / s.groups, s.kh, s.kw});
  FloatView w = floatArrayArg(info[0], kOp, "weight", wLen);
  auto* p = new PrepackedConv();
  p->cout = s.cout; p->cin = s.cin; p->kh = s.kh; p->kw = s.kw; p->groups = s.groups;
  p->algo = algo;
  p->isa = isa;
  if (algo == ConvAlgo::Winograd) {
    p->tile = winogradTileProp(params);
    p->layout = winogradLayoutKey(s, isa, p->tile);
  } else {
    p->layout = convGemmLayoutKey(s, isa);
  }
  const int64_t floats = algo == ConvAlgo::Winograd ? winogradFilterFloats(s, isa, p->tile) : convGemmPackedFloats(s, isa);
  p->data = allocFloats(static_cast<size_t>(floats));
  if (!p->data) {
    delete p;
    throwRangeError(env, kOp, "weight", "a prepacked filter that fits in memory", std::to_string(floats * 4) + " bytes");
  }
  p->bytes = floats * 4;
  if (algo == ConvAlgo::Winograd) winogradTransformFilter(s, isa, w.data, p->data.get(), p->tile);
  else convGemmPackWeights(s, isa, w.data, p->data.get());
  Napi::MemoryManagement::AdjustExternalMemory(env, p->bytes);
  auto ext = Napi::External<PrepackedConv>::New(env, p, [](Napi::Env e, PrepackedConv* q) {
    Napi::MemoryManagement::AdjustExternalMemory(e, -q->bytes);
    delete q;
  });
  ext.TypeTag(&kPrepackedTag);
  return ext;
}

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
  // Every algorithm writes each output element (direct starts from the bias, the GEMMs use
  // beta = 0), so the buffer is not zero-filled first.
  Napi::Float32Array out = newOutputUninitialized(env, yLen, &y, kOp);
  const std::string algoName = enumProp(params, "algo", kOp,
                                        {"auto", "direct", "im2col", "gemm1x1", "winograd", "depthwise"}, "auto");
  ConvAlgo algo = ConvAlgo::Auto;
  for (ConvAlgo a : {ConvAlgo::Direct, ConvAlgo::Im2col, ConvAlgo::Gemm1x1, ConvAlgo::Winograd, ConvAlgo::Depthwise})
    if (algoName == convAlgoName(a)) algo = a;
  if (!convAlgoSupports(algo, s)) {
    throwRangeError(env, kOp, "algo", algoRequirement(algo), "'" + algoName + "' for this layer");
  }
  const Isa isa = isaProp(params, kOp);
  const bool relu = params.Has("relu") && boolProp(params, "relu", kOp);
  Napi::Value pre = params.Get("prepacked");
  if (!pre.IsUndefined() && !pre.IsNull()) {
    if (!pre.IsExternal() || !pre.As<Napi::External<PrepackedConv>>().CheckTypeTag(&kPrepackedTag)) {
      throwTypeError(env, kOp, "prepacked", "a handle from Conv2dPrepack", describe(pre));
    }
    const PrepackedConv* p = pre.As<Napi::External<PrepackedConv>>().Data();
    if (p->cout != s.cout || p->cin != s.cin || p->kh != s.kh || p->kw != s.kw || p->groups != s.groups) {
      throwRangeError(env, kOp, "prepacked", "a handle prepacked for this weight shape",
                      "one for [" + std::to_string(p->cout) + ", " + std::to_string(p->cin / p->groups) + ", " +
                          std::to_string(p->kh) + ", " + std::to_string(p->kw) + "]");
    }
    if (algo != ConvAlgo::Auto && algo != p->algo) {
      throwRangeError(env, kOp, "algo", std::string("'auto' or '") + convAlgoName(p->algo) + "' (the handle's algorithm)",
                      "'" + algoName + "'");
    }
    if (!convAlgoSupports(p->algo, s)) {
      throwRangeError(env, kOp, "prepacked", algoRequirement(p->algo), "a layer it cannot run");
    }
    if (params.Has("isa") && isa != p->isa) {
      throwRangeError(env, kOp, "isa", std::string("the ISA the handle was packed for (") + isaName(p->isa) + ")",
                      isaName(isa));
    }
    if (p->algo == ConvAlgo::Winograd) {
      // U's packing follows the micro-kernel chosen from the tiles per GEMM (n, outH, outW).
      if (winogradLayoutKey(s, p->isa, p->tile) != p->layout) {
        throwRangeError(env, kOp, "prepacked", "a Winograd handle prepacked for this input shape",
                        "one prepacked for another batch or image size");
      }
      conv2dWinograd(s, p->isa, x.data, p->data.get(), b.data, y, relu, p->tile);
    } else {
      // The panel layout follows the micro-kernel chosen for (cout, outH*outW).
      if (convGemmLayoutKey(s, p->isa) != p->layout) {
        throwRangeError(env, kOp, "prepacked", "a handle prepacked for this output size",
                        "one prepacked for another image size");
      }
      if (p->algo == ConvAlgo::Im2col) conv2dIm2col(s, p->isa, x.data, w.data, b.data, y, relu, p->data.get());
      else conv2dGemm1x1(s, p->isa, x.data, w.data, b.data, y, relu, p->data.get());
    }
    return out;
  }
  conv2d(s, algo, isa, x.data, w.data, b.data, y, relu, winogradTileProp(params));
  return out;
}

}  // namespace

void registerConv(Napi::Env env, Napi::Object exports) {
  exports.Set("Conv2d", Napi::Function::New(env, Conv2d, "Conv2d"));
  exports.Set("Conv2dPrepack", Napi::Function::New(env, Conv2dPrepack, "Conv2dPrepack"));
  exports.Set("ConvAlgoFor", Napi::Function::New(env, ConvAlgoFor, "ConvAlgoFor"));
}

}  // namespace convnode
