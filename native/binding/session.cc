// PlanCreate(desc) -> handle; PlanRun(handle, input) -> Promise<Float32Array> (on the executor
// thread, awaited from a libuv pool thread); PlanRunSync(handle, input, onMainThread) ->
// Float32Array (on the calling main thread, once no other run holds the cores; from a worker
// thread through the executor: runSyncJob).
//
// desc: { arenaFloats, inputOffset, inputSize, outputOffset, outputSize,
//         constants: [{ offset, data: Float32Array }],
//         steps: [{ op, inputs: number[], output: number, params: {...} }] }
// Every offset and size is checked here against the shapes in params, so a malformed plan
// throws instead of reading or writing outside the arena.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "binding/args.h"
#include "binding/params.h"
#include "core/threading.h"
#include "kernels/gemm/gemm.h"
#include "kernels/conv/conv_pixelrows.h"
#include "plan/executor.h"
#include "plan/plan.h"

namespace convnode {

namespace {

constexpr const char* kOp = "InferenceSession";

struct PlanHandle {
  std::shared_ptr<Plan> plan;
  std::shared_ptr<std::mutex> lock = std::make_shared<std::mutex>();
  // The last run's length, for the async waiter's wake-up (awaitExecutorJob).
  std::shared_ptr<std::atomic<int64_t>> lastRunNs = std::make_shared<std::atomic<int64_t>>(0);
  int64_t reportedBytes = 0;  // told to V8 at creation, taken back by the finalizer
};

const napi_type_tag kPlanTag = {0x3c5e7a91d2b44f08ULL, 0x8f1d6c2ab7e35a94ULL};

int64_t readOffset(const Napi::Value& v, const char* what) { return intArg(v, kOp, what, 0); }

void checkRegion(Napi::Env env, const Plan& plan, int64_t offset, int64_t size, const std::string& what) {
  if (size < 0 || offset < 0 || offset > plan.arenaFloats || size > plan.arenaFloats - offset) {
    throwRangeError(env, kOp, what, "a region inside the arena of " + std::to_string(plan.arenaFloats) + " floats",
                    "[" + std::to_string(offset) + ", +" + std::to_string(size) + ")");
  }
}

bool overlaps(int64_t a, int64_t an, int64_t b, int64_t bn) { return a < b + bn && b < a + an; }

// Runs read the input's region from the caller's array and read and write the output's region
// in the returned array (plan.h, ArenaView): a region that is partly inside one of them would
// reach past that array's end.
void checkNotStraddling(Napi::Env env, const Plan& plan, int64_t offset, int64_t size, const std::string& what) {
  const int64_t begins[2] = {plan.inputOffset, plan.outputOffset}, sizes[2] = {plan.inputSize, plan.outputSize};
  for (int r = 0; r < 2; ++r) {
    const bool inside = offset >= begins[r] && offset + size <= begins[r] + sizes[r];
    if (size > 0 && overlaps(offset, size, begins[r], sizes[r]) && !inside) {
      throwRangeError(env, kOp, what, std::string("a region inside or outside the plan's ") + (r ? "output" : "input"),
                      "[" + std::to_string(offset) + ", +" + std::to_string(size) + ")");
    }
  }
}

UnaryOp unaryOf(Napi::Env env, const std::string& name) {
  if (name == "relu") return UnaryOp::Relu;
  if (name == "relu6") return UnaryOp::Relu6;
  if (name == "leakyRelu") return UnaryOp::LeakyRelu;
  if (name == "sigmoid") return UnaryOp::Sigmoid;
  if (name == "tanh") return UnaryOp::Tanh;
  throwTypeError(env, kOp, "steps[].params.fn", "relu, relu6, leakyRelu, sigmoid or tanh", name);
}

BinaryOp binaryOf(Napi::Env env, const std::string& name) {
  if (name == "add") return BinaryOp::Add;
  if (name == "sub") return BinaryOp::Sub;
  if (name == "mul") return BinaryOp::Mul;
  if (name == "div") return BinaryOp::Div;
  throwTypeError(env, kOp, "steps[].params.fn", "add, sub, mul or div", name);
}

// Optional fusion params: absent means off, so plans from older compilers still load.
bool optionalBool(const Napi::Object& p, const char* key) {
  return p.Has(key) && !p.Get(key).IsUndefined() ? boolProp(p, key, kOp) : false;
}

// clampMax (ReLU6 = relu + clampMax 6): absent or null means no clamp; else a finite number.
float optionalClamp(Napi::Env env, const Napi::Object& p) {
  if (!p.Has("clampMax") || p.Get("clampMax").IsUndefined() || p.Get("clampMax").IsNull()) {
    return std::numeric_limits<float>::infinity();
  }
  const double v = numberProp(p, "clampMax", kOp);
  if (!std::isfinite(v)) throwRangeError(env, kOp, "params.clampMax", "a finite number or null", std::to_string(v));
  return static_cast<float>(v);
}

std::string stringProp(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) throwTypeError(o.Env(), kOp, key, "a string", describe(v));
  return v.As<Napi::String>().Utf8Value();
}

// Reads one step, checks its regions against the arena, and returns it ready to run.
PlanStep readStep(Napi::Env env, const Plan& plan, const Napi::Object& d, size_t index,
                  bool& constWeight) {
  const std::string where = "steps[" + std::to_string(index) + "]";
  PlanStep s;
  constWeight = false;
  const std::string op = stringProp(d, "op");
  Napi::Value inputsV = d.Get("inputs");
  if (!inputsV.IsArray()) throwTypeError(env, kOp, where + ".inputs", "an array of offsets", describe(inputsV));
  Napi::Array inputs = inputsV.As<Napi::Array>();
  for (uint32_t i = 0; i < inputs.Length(); ++i) s.inputs.push_back(readOffset(inputs.Get(i), "inputs"));
  s.output = readOffset(d.Get("output"), "output");
  Napi::Object p = objectArg(d.Get("params"), kOp, "params");
  std::vector<int64_t> inSizes;
  int64_t outSize = 0;
  auto needInputs = [&](size_t lo, size_t hi) {
    if (s.inputs.size() < lo || s.inputs.size() > hi) {
      throwRangeError(env, kOp, where + ".inputs", std::to_string(lo) + " to " + std::to_string(hi) + " offsets",
                      std::to_string(s.inputs.size()));
    }
  };
  if (op == "conv2d") {
    s.op = StepOp::Conv2d;
    s.conv = readConv2dShape(p);
    needInputs(2, 3);
    s.hasBias = s.inputs.size() == 3;
    s.relu = boolProp(p, "relu", kOp);
    s.clampMax = optionalClamp(env, p);
    s.accumulate = optionalBool(p, "accumulate");
    s.feedsNext = optionalBool(p, "feedsNext");
    const Conv2dShape& c = s.conv;
    inSizes = {checkedProduct(env, kOp, {c.n, c.cin, c.h, c.w}),
               checkedProduct(env, kOp, {c.cout, c.cin / c.groups, c.kh, c.kw})};
    if (s.hasBias) inSizes.push_back(c.cout);
    outSize = checkedProduct(env, kOp, {c.n, c.cout, c.outH, c.outW});
    s.algo = convAlgoChoose(c);
    constWeight = boolProp(p, "constWeight", kOp);
    // The Winograd filter transform happens once at creation: only for constant weights.
    if (s.algo == ConvAlgo::Winograd && !constWeight) s.algo = ConvAlgo::Im2col;
  } else if (op == "maxPool2d" || op == "avgPool2d" || op == "lpPool2d") {
    s.op = op == "maxPool2d" ? StepOp::MaxPool2d : op == "avgPool2d" ? StepOp::AvgPool2d : StepOp::LpPool2d;
    s.pool = readPool2dShape(p, op.c_str());
    needInputs(1, 1);
    if (s.op == StepOp::AvgPool2d) {
      s.countIncludePad = boolProp(p, "countIncludePad", kOp);
      s.divisorOverride = intProp(p, "divisorOverride", kOp, 0);
    }
    if (s.op == StepOp::LpPool2d) {
      s.p = numberProp(p, "p", kOp);
      if (!(s.p > 0) || !std::isfinite(s.p)) throwRangeError(env, kOp, "p", "a finite number > 0", std::to_string(s.p));
    }
    // The same checks as the eager bindings (pool.cc): avg pooling has no dilation, Lp pooling
    // no padding.
    if (s.op == StepOp::AvgPool2d && (s.pool.dilationH != 1 || s.pool.dilationW != 1)) {
      throwRangeError(env, kOp, where + ".params.dilation", "1 for avgPool2d", "other");
    }
    if (s.op == StepOp::LpPool2d && (s.pool.padH != 0 || s.pool.padW != 0)) {
      throwRangeError(env, kOp, where + ".params.padding", "0 for lpPool2d", "non-zero");
    }
    inSizes = {checkedProduct(env, kOp, {s.pool.n, s.pool.c, s.pool.h, s.pool.w})};
    outSize = checkedProduct(env, kOp, {s.pool.n, s.pool.c, s.pool.outH, s.pool.outW});
  } else if (op == "adaptiveAvgPool2d" || op == "adaptiveMaxPool2d") {
    s.op = op == "adaptiveAvgPool2d" ? StepOp::AdaptiveAvgPool2d : StepOp::AdaptiveMaxPool2d;
    needInputs(1, 1);
    s.n = intProp(p, "n", kOp, 1), s.c = intProp(p, "c", kOp, 1), s.h = intProp(p, "h", kOp, 1), s.w = intProp(p, "w", kOp, 1);
    s.outH = intProp(p, "outH", kOp, 1), s.outW = intProp(p, "outW", kOp, 1);
    inSizes = {checkedProduct(env, kOp, {s.n, s.c, s.h, s.w})};
    outSize = checkedProduct(env, kOp, {s.n, s.c, s.outH, s.outW});
  } else if (op == "linear") {
    s.op = StepOp::Linear;
    needInputs(2, 3);
    s.hasBias = s.inputs.size() == 3;
    s.rows = intProp(p, "rows", kOp, 1), s.inFeatures = intProp(p, "inFeatures", kOp, 1), s.outFeatures = intProp(p, "outFeatures", kOp, 1);
    s.relu = boolProp(p, "relu", kOp);
    s.clampMax = optionalClamp(env, p);
    inSizes = {checkedProduct(env, kOp, {s.rows, s.inFeatures}), checkedProduct(env, kOp, {s.outFeatures, s.inFeatures})};
    if (s.hasBias) inSizes.push_back(s.outFeatures);
    outSize = checkedProduct(env, kOp, {s.rows, s.outFeatures});
  } else if (op == "unary") {
    s.op = StepOp::Unary;
    needInputs(1, 1);
    s.unary = unaryOf(env, stringProp(p, "fn"));
    s.alpha = static_cast<float>(numberProp(p, "alpha", kOp));
    s.count = intProp(p, "count", kOp, 1);
    inSizes = {s.count};
    outSize = s.count;
  } else if (op == "binary") {
    s.op = StepOp::Binary;
    needInputs(2, 2);
    s.binary = binaryOf(env, stringProp(p, "fn"));
    s.relu = boolProp(p, "relu", kOp);
    Napi::Value shapeV = p.Get("outShape"), saV = p.Get("stridesA"), sbV = p.Get("stridesB");
    if (!shapeV.IsArray() || !saV.IsArray() || !sbV.IsArray()) throwTypeError(env, kOp, "binary params", "outShape and strides arrays", describe(shapeV));
    Napi::Array shape = shapeV.As<Napi::Array>(), sa = saV.As<Napi::Array>(), sb = sbV.As<Napi::Array>();
    BroadcastShape& b = s.broadcast;
    b.rank = static_cast<int>(shape.Length());
    if (b.rank < 1 || b.rank > kMaxRank || sa.Length() != shape.Length() || sb.Length() != shape.Length()) {
      throwRangeError(env, kOp, "binary params", "rank 1..8 with one stride per dim", std::to_string(b.rank));
    }
    int64_t count = 1, spanA = 1, spanB = 1;
    for (int i = 0; i < b.rank; ++i) {
      b.outShape[i] = intArg(shape.Get(i), kOp, "outShape", 1);
      b.strideA[i] = intArg(sa.Get(i), kOp, "stridesA", 0);
      b.strideB[i] = intArg(sb.Get(i), kOp, "stridesB", 0);
      count = checkedProduct(env, kOp, {count, b.outShape[i]});
      spanA = checkedProduct(env, kOp, {1, spanA + checkedProduct(env, kOp, {b.outShape[i] - 1, b.strideA[i]})});
      spanB = checkedProduct(env, kOp, {1, spanB + checkedProduct(env, kOp, {b.outShape[i] - 1, b.strideB[i]})});
    }
    s.count = count;
    inSizes = {spanA, spanB};
    outSize = count;
  } else if (op == "softmax" || op == "logSoftmax") {
    s.op = StepOp::Softmax;
    needInputs(1, 1);
    s.log = op == "logSoftmax";
    s.outer = intProp(p, "outer", kOp, 1), s.dim = intProp(p, "dim", kOp, 1), s.inner = intProp(p, "inner", kOp, 1);
    inSizes = {checkedProduct(env, kOp, {s.outer, s.dim, s.inner})};
    outSize = inSizes[0];
  } else if (op == "lrn") {
    s.op = StepOp::Lrn;
    needInputs(1, 1);
    s.n = intProp(p, "n", kOp, 1), s.c = intProp(p, "c", kOp, 1), s.inner = intProp(p, "inner", kOp, 1);
    s.size = intProp(p, "size", kOp, 1);
    s.alpha = static_cast<float>(numberProp(p, "alpha", kOp));
    s.beta = static_cast<float>(numberProp(p, "beta", kOp));
    s.k = static_cast<float>(numberProp(p, "k", kOp));
    if (!std::isfinite(s.alpha) || !std::isfinite(s.beta) || !std::isfinite(s.k)) {
      throwRangeError(env, kOp, where + ".params", "finite alpha, beta and k", "a non-finite value");
    }
    inSizes = {checkedProduct(env, kOp, {s.n, s.c, s.inner})};
    outSize = inSizes[0];
  } else if (op == "batchNorm2d") {
    s.op = StepOp::BatchNorm;
    needInputs(3, 5);
    s.hasAffine = s.inputs.size() == 5;
    s.n = intProp(p, "n", kOp, 1), s.c = intProp(p, "c", kOp, 1), s.inner = intProp(p, "inner", kOp, 1);
    s.eps = static_cast<float>(numberProp(p, "eps", kOp));
    s.relu = boolProp(p, "relu", kOp);
    s.count = checkedProduct(env, kOp, {s.n, s.c, s.inner});
    inSizes = {s.count, s.c, s.c};
    if (s.hasAffine) inSizes.insert(inSizes.end(), {s.c, s.c});
    outSize = s.count;
  } else if (op == "concat") {
    s.op = StepOp::Concat;
    needInputs(1, 4096);
    s.outer = intProp(p, "outer", kOp, 1), s.inner = intProp(p, "inner", kOp, 1);
    Napi::Value sizesV = p.Get("sizes");
    if (!sizesV.IsArray() || sizesV.As<Napi::Array>().Length() != s.inputs.size()) {
      throwTypeError(env, kOp, "concat sizes", "one size per input", describe(sizesV));
    }
    int64_t total = 0;
    for (uint32_t i = 0; i < s.inputs.size(); ++i) {
      s.sizes.push_back(intArg(sizesV.As<Napi::Array>().Get(i), kOp, "sizes", 0));
      inSizes.push_back(checkedProduct(env, kOp, {s.outer, s.sizes.back(), s.inner}));
      total += s.sizes.back();
    }
    outSize = checkedProduct(env, kOp, {s.outer, total, s.inner});
  } else if (op == "copy") {
    s.op = StepOp::Copy;
    needInputs(1, 1);
    s.count = intProp(p, "count", kOp, 0);
    inSizes = {s.count};
    outSize = s.count;
  } else {
    throwTypeError(env, kOp, where + ".op", "a plan op (conv2d, maxPool2d, linear, ...)", "\"" + op + "\"");
  }
  for (size_t i = 0; i < inSizes.size(); ++i) {
    checkRegion(env, plan, s.inputs[i], inSizes[i], where + ".inputs[" + std::to_string(i) + "]");
    checkNotStraddling(env, plan, s.inputs[i], inSizes[i], where + ".inputs[" + std::to_string(i) + "]");
    const bool elementwiseAlias = (s.op == StepOp::Unary || s.op == StepOp::Copy) && s.inputs[i] == s.output;
    if (!elementwiseAlias && overlaps(s.inputs[i], inSizes[i], s.output, outSize)) {
      throwRangeError(env, kOp, where + ".output", "a region disjoint from its inputs", "an overlapping one");
    }
  }
  checkRegion(env, plan, s.output, outSize, where + ".output");
  checkNotStraddling(env, plan, s.output, outSize, where + ".output");
  // Runs read the input in place of its region (plan.h, ArenaView): a step writing there
  // would be read back as the input.
  if (overlaps(s.output, outSize, plan.inputOffset, plan.inputSize)) {
    throwRangeError(env, kOp, where + ".output", "a region disjoint from the plan's input", "an overlapping one");
  }
  return s;
}

void finalizeHandle(Napi::Env env, PlanHandle* h) {
  Napi::MemoryManagement::AdjustExternalMemory(env, -h->reportedBytes);
  delete h;
}

// Arena plus every step's prepared weights: what the plan holds natively.
int64_t planBytes(const Plan& plan) {
  int64_t bytes = (plan.arenaFloats + plan.scratchFloats) * static_cast<int64_t>(sizeof(float));
  for (const PlanStep& s : plan.steps) bytes += s.packedBytes;
  return bytes;
}

Napi::Value PlanCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object d = objectArg(info[0], kOp, "plan");
  auto plan = std::make_shared<Plan>();
  plan->isa = activeIsa();
  plan->arenaFloats = intProp(d, "arenaFloats", kOp, 1);
  if (plan->arenaFloats > (int64_t(1) << 36)) throwRangeError(env, kOp, "arenaFloats", "at most 2^36", std::to_string(plan->arenaFloats));
  plan->inputOffset = intProp(d, "inputOffset", kOp, 0);
  plan->inputSize = intProp(d, "inputSize", kOp, 1);
  plan->outputOffset = intProp(d, "outputOffset", kOp, 0);
  plan->outputSize = intProp(d, "outputSize", kOp, 1);
  checkRegion(env, *plan, plan->inputOffset, plan->inputSize, "input");
  checkRegion(env, *plan, plan->outputOffset, plan->outputSize, "output");
  if (overlaps(plan->inputOffset, plan->inputSize, plan->outputOffset, plan->outputSize)) {
    throwRangeError(env, kOp, "output", "a region disjoint from the input's", "an overlapping one");
  }
  plan->arena = allocFloats(static_cast<size_t>(plan->arenaFloats));
  if (!plan->arena) throwRangeError(env, kOp, "arena", std::to_string(plan->arenaFloats * 4) + " bytes", "out of memory");
  std::memset(plan->arena.get(), 0, static_cast<size_t>(plan->arenaFloats) * sizeof(float));

  Napi::Value constantsV = d.Get("constants");
  if (!constantsV.IsArray()) throwTypeError(env, kOp, "constants", "an array", describe(constantsV));
  Napi::Array constants = constantsV.As<Napi::Array>();
  for (uint32_t i = 0; i < constants.Length(); ++i) {
    Napi::Object c = objectArg(constants.Get(i), kOp, "constants[]");
    const int64_t offset = readOffset(c.Get("offset"), "constants[].offset");
    FloatView data = floatArrayArg(c.Get("data"), kOp, "constants[].data", -1);
    checkRegion(env, *plan, offset, data.length, "constants[" + std::to_string(i) + "]");
    if (overlaps(offset, data.length, plan->inputOffset, plan->inputSize) ||
        overlaps(offset, data.length, plan->outputOffset, plan->outputSize)) {
      throwRangeError(env, kOp, "constants[" + std::to_string(i) + "]", "a region outside the input's and the output's", "an overlapping one");
    }
    std::memcpy(plan->arena.get() + offset, data.data, static_cast<size_t>(data.length) * sizeof(float));
  }

  Napi::Value stepsV = d.Get("steps");
  if (!stepsV.IsArray()) throwTypeError(env, kOp, "steps", "an array", describe(stepsV));
  Napi::Array steps = stepsV.As<Napi::Array>();
  for (uint32_t i = 0; i < steps.Length(); ++i) {
    bool constWeight = false;
    PlanStep s = readStep(env, *plan, objectArg(steps.Get(i), kOp, "steps[]"), i, constWeight);
    if (s.op == StepOp::Conv2d && constWeight) {
      // Constant weights: transform (Winograd) or pack (GEMM A-panels) them once, here.
      const float* w = plan->arena.get() + s.inputs[1];
      int64_t floats = 0;
      if (s.algo == ConvAlgo::Winograd) {
        floats = winograd43FilterFloats(s.conv, plan->isa);
        s.packedWeights = allocFloats(static_cast<size_t>(floats));
        if (s.packedWeights) winograd43TransformFilter(s.conv, plan->isa, w, s.packedWeights.get());
      } else if (s.algo == ConvAlgo::Im2col || s.algo == ConvAlgo::Gemm1x1) {
        floats = convGemmPackedFloats(s.conv, plan->isa);
        s.packedWeights = allocFloats(static_cast<size_t>(floats));
        if (s.packedWeights) convGemmPackWeights(s.conv, plan->isa, w, s.packedWeights.get());
      }
      if (s.packedWeights) s.packedBytes = floats * static_cast<int64_t>(sizeof(float));
      if (!s.packedWeights && s.algo == ConvAlgo::Winograd) s.algo = ConvAlgo::Im2col;
    }
    plan->scratchFloats = std::max(plan->scratchFloats, planScratchFloats(s, plan->isa));
    plan->steps.push_back(std::move(s));
  }
  fuseExpandDepthwise(*plan);
  // Small-image GEMM layers the pixels-as-rows kernel runs faster repack their weights for it;
  // after the fusion above, which keeps the expansions it computes itself (their packed
  // weights are read by plan_dwfuse.cc in the GEMM layout).
  for (PlanStep& s : plan->steps) {
    if (s.op != StepOp::Conv2d || !s.packedWeights || s.fusedAway || s.expand ||
        (s.algo != ConvAlgo::Im2col && s.algo != ConvAlgo::Gemm1x1) || !convPixelRowsSuits(s.conv, plan->isa)) {
      continue;
    }
    const int64_t floats = convPixelRowsPackedFloats(s.conv, plan->isa);
    AlignedFloats packed = allocFloats(static_cast<size_t>(floats));
    if (!packed) continue;  // keeps the GEMM layout
    convPixelRowsPackWeights(s.conv, plan->isa, plan->arena.get() + s.inputs[1], packed.get());
    s.packedWeights = std::move(packed);
    s.packedBytes = floats * static_cast<int64_t>(sizeof(float));
    s.pixelRows = true;
    plan->scratchFloats = std::max(plan->scratchFloats, planScratchFloats(s, plan->isa));
  }
  if (plan->scratchFloats > 0) {
    plan->scratch = allocFloats(static_cast<size_t>(plan->scratchFloats));
    if (!plan->scratch) throwRangeError(env, kOp, "scratch", std::to_string(plan->scratchFloats * 4) + " bytes", "out of memory");
  }
  auto* handle = new PlanHandle{plan};
  handle->reportedBytes = planBytes(*plan);
  Napi::External<PlanHandle> ext = Napi::External<PlanHandle>::New(env, handle, finalizeHandle);
  ext.TypeTag(&kPlanTag);
  // The GC sees the plan's native memory, so dropped sessions get collected.
  Napi::MemoryManagement::AdjustExternalMemory(env, handle->reportedBytes);
  return ext;
}

PlanHandle& handleArg(const Napi::Value& v) {
  if (!v.IsExternal() || !v.As<Napi::External<PlanHandle>>().CheckTypeTag(&kPlanTag)) {
    throwTypeError(v.Env(), kOp, "session", "a compiled plan", describe(v));
  }
  return *v.As<Napi::External<PlanHandle>>().Data();
}

// One queued run. The output is a Float32Array allocated on the JS thread before the run is
// queued (uninitialized; the run writes every element) and held by a reference until the
// run settles: the steps write the result straight into it, and JS cannot see the array
// before then. The steps read the input in place (plan.h, ArenaView): a sync run the caller's
// array, as the caller is blocked meanwhile; an async run a copy taken at submission (the
// caller may reuse its array at once). Before: input and output each went through a native
// staging buffer and the arena, 4 copies and 2 allocations per run instead of 1 (async) or
// 0 (sync) copies of the input and 1 of the output.
struct RunJob {
  std::shared_ptr<Plan> plan;
  std::shared_ptr<std::mutex> lock;
  std::shared_ptr<std::atomic<int64_t>> lastRunNs;
  std::atomic<bool> started{false};
  AlignedFloats inputCopy;  // async runs only
  const float* input = nullptr;
  float* output = nullptr;
  Napi::Reference<Napi::Float32Array> outputRef;
  std::string error;
};

// Held by every run for its whole length, wherever it executes: runs never overlap on the
// cores, whichever thread they run on.
std::mutex& runMutex() {
  static std::mutex m;
  return m;
}

void execute(RunJob& job) {
  try {
    std::lock_guard<std::mutex> serial(runMutex());
    std::lock_guard<std::mutex> guard(*job.lock);
    job.started.store(true, std::memory_order_release);
    const auto t0 = std::chrono::steady_clock::now();
    runPlan(*job.plan, job.input, job.output);
    job.lastRunNs->store(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count(),
                         std::memory_order_relaxed);
  } catch (const std::exception& e) {
    job.error = e.what();
  }
}

// Where a sync run executes. On the main JS thread: there, as eager ops and onnxruntime-node's
// run do; the run mutex in execute() keeps it off the cores while an async run holds them.
// Until 2026-11-25 it went to the executor thread with more than one kernel thread, as async
// runs do. That hand-off puts three threads (JS, executor, OpenMP worker) on two cores at
// every run boundary, and runs fell into a mode where the executor and its worker slept and
// woke each other at every parallel region (per run: 2 voluntary switches of the executor, 3
// of the worker, against ~0 when fast; a longer GOMP_SPINCOUNT made it slower, as when both
// share a vCPU). 3x3 128->128 @28, 2 threads, blocks of 30 runSync calls on fresh sessions
// after 1-thread blocks (as the benchmark suite runs them): medians 0.52-0.56 ms in 4 of 12
// blocks, 0.19-0.28 in the rest (1 thread: 0.36; eager: 0.20-0.23); on this thread 16 of 16
// blocks 0.19-0.27. Steady back-to-back runs, 12 alternating 200 ms blocks in one process,
// median ms, executor / this thread: one conv 0.197 / 0.190, ResNet-18 4.69 / 4.65,
// MobileNetV2 faster in 9 of 12 blocks (both drifted 1.8 <-> 3.3 with the VM's second vCPU).
// From worker_threads with more than one kernel thread it still goes to the executor: each
// worker running its own parallel regions would be one more OpenMP master with its own pool,
// and with more pooled threads than cores libgomp throttles every wait in every pool. Two
// workers, each calling runSync on its own session (two 3x3 64->64 @28 convs, 2 threads, 2 s):
// 8187-8283 runs in all through the executor, 4260-4550 with each worker its own master.
bool syncRunsHere(bool onMainThread) { return onMainThread || numThreads() == 1; }

void runSyncJob(RunJob& job, bool here) {
  if (here) execute(job);
  else runOnExecutor([&job] { execute(job); });
}

// copyInput: an async run (the caller may reuse its input at once). runsHere: the run
// executes on this thread (runSyncJob), not on the executor.
std::unique_ptr<RunJob> prepare(const Napi::CallbackInfo& info, bool copyInput, bool runsHere) {
  Napi::Env env = info.Env();
  PlanHandle& h = handleArg(info[0]);
  // Two idle OpenMP pools (this thread's, from eager ops and sync runs, and the executor's)
  // make libgomp stop spinning in both (core/threading.cc): free the one this run will not use.
  if (runsHere) releaseExecutorThreadPool();
  else releaseCallerThreadPool();
  FloatView x = floatArrayArg(info[1], kOp, "input", h.plan->inputSize);
  auto job = std::make_unique<RunJob>();
  job->plan = h.plan;
  job->lock = h.lock;
  job->lastRunNs = h.lastRunNs;
  job->outputRef = Napi::Persistent(newOutputUninitialized(env, h.plan->outputSize, &job->output, kOp));
  if (!copyInput) {
    job->input = x.data;
    return job;
  }
  const int64_t inputSize = h.plan->inputSize;
  job->inputCopy = allocFloats(static_cast<size_t>(inputSize));
  if (!job->inputCopy) throwRangeError(env, kOp, "run", "memory for a copy of the input", "out of memory");
  std::memcpy(job->inputCopy.get(), x.data, static_cast<size_t>(inputSize) * sizeof(float));
  job->input = job->inputCopy.get();
  return job;
}

// An async run is a Napi::AsyncWorker: the JS thread hands the job to the executor itself,
// and the worker's Execute (a libuv pool thread) only waits for it, so the run starts without
// first waking a pool thread (MobileNetV2, 1 thread, median of 200 runs, 2026-11-25: run()
// minus runSync() 0.10-0.11 -> 0.08-0.11 ms; the rest is the input copy and two wake-ups on
// the way back: executor -> pool thread -> JS thread; the pool thread is woken shortly before
// the run's expected end, awaitExecutorJob). Executing async runs on their libuv thread
// instead of the executor measured slower (one-layer plan, 1 thread: 30 -> 52 us): the
// polling executor picks a job up at once, a parked libuv thread must be woken. Why not a
// threadsafe function from the executor to settle the promise: when a worker_thread is
// terminated with runs queued, Node 20 frees the environment's threadsafe functions while the
// executor may still call them (an abort, found by test/workers.test.ts); Node keeps an
// environment alive until its queued AsyncWorkers complete, and this one completes only after
// its job has run.
class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::unique_ptr<RunJob> job)
      : Napi::AsyncWorker(env, "convnode.InferenceSession.run"),
        job_(std::move(job)),
        finished_(done_.get_future()),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  // On the JS thread, before the worker is queued (queueing wakes a libuv thread, ~10 us the
  // run need not wait for): the job may finish before Execute starts.
  void Start() {
    RunJob* job = job_.get();
    const int64_t lastNs = job->lastRunNs->load(std::memory_order_relaxed);
    expectedEnd_ = lastNs > 0 ? std::chrono::steady_clock::now() + std::chrono::nanoseconds(lastNs)
                              : std::chrono::steady_clock::time_point::min();
    std::promise<void>* done = &done_;
    submitToExecutor([job, done] {
      execute(*job);
      done->set_value();
    });
  }

  void Execute() override {
    if (expectedEnd_ == std::chrono::steady_clock::time_point::min()) finished_.wait();
    else awaitExecutorJob(finished_, job_->started, expectedEnd_);
    if (!job_->error.empty()) SetError(std::string(kOp) + ": run failed: " + job_->error);
  }

  void OnOK() override { deferred_.Resolve(job_->outputRef.Value()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::unique_ptr<RunJob> job_;
  std::promise<void> done_;
  std::future<void> finished_;
  Napi::Promise::Deferred deferred_;
  std::chrono::steady_clock::time_point expectedEnd_;  // min(): no earlier run to go by
};

Napi::Value PlanRun(const Napi::CallbackInfo& info) {
  auto* worker = new RunWorker(info.Env(), prepare(info, true, false));
  Napi::Promise promise = worker->Promise();
  worker->Start();
  worker->Queue();  // deleted by node-addon-api after OnOK / OnError, so after the job ran
  return promise;
}

Napi::Value PlanRunSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // info[2]: whether the caller is the process's main JS thread (absent: true).
  const bool here = syncRunsHere(info.Length() < 3 || info[2].ToBoolean());
  std::unique_ptr<RunJob> job = prepare(info, false, here);
  runSyncJob(*job, here);
  if (!job->error.empty()) throw Napi::Error::New(env, std::string(kOp) + ": run failed: " + job->error);
  return job->outputRef.Value();
}

Napi::Value PlanInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PlanHandle& h = handleArg(info[0]);
  Napi::Object result = Napi::Object::New(env);
  result.Set("arenaBytes", Napi::Number::New(env, static_cast<double>(h.plan->arenaFloats * 4)));
  result.Set("nativeBytes", Napi::Number::New(env, static_cast<double>(planBytes(*h.plan))));
  Napi::Array algos = Napi::Array::New(env);
  uint32_t i = 0;
  for (const PlanStep& s : h.plan->steps)
    if (s.op == StepOp::Conv2d) algos.Set(i++, convAlgoName(s.algo));
  result.Set("convAlgorithms", algos);
  result.Set("steps", Napi::Number::New(env, static_cast<double>(h.plan->steps.size())));
  return result;
}

// PlanBenchStep(handle, index, reps, onExecutor) -> Float64Array of ms per rep: one step run
// alone, back to back, on the plan's arena (whatever values it holds), for profiling a step
// against the same step inside a whole run (CONVNODE_PLAN_PROFILE). Not public API: bench/
// and /tmp A/B scripts use it.
Napi::Value PlanBenchStep(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PlanHandle& h = handleArg(info[0]);
  const int64_t index = intArg(info[1], kOp, "index", 0);
  if (index >= static_cast<int64_t>(h.plan->steps.size())) {
    throwRangeError(env, kOp, "index", "a step index below " + std::to_string(h.plan->steps.size()), std::to_string(index));
  }
  const int64_t reps = intArg(info[2], kOp, "reps", 1);
  if (reps > 100000) throwRangeError(env, kOp, "reps", "at most 100000", std::to_string(reps));
  const bool onExecutor = info[3].ToBoolean();
  std::vector<double> ms(static_cast<size_t>(reps));
  auto body = [&] {
    std::lock_guard<std::mutex> guard(*h.lock);
    for (int64_t r = 0; r < reps; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      runPlanStep(*h.plan, static_cast<size_t>(index));
      ms[static_cast<size_t>(r)] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    }
  };
  if (onExecutor) runOnExecutor(body);
  else body();
  Napi::Float64Array out = Napi::Float64Array::New(env, ms.size());
  for (size_t i = 0; i < ms.size(); ++i) out[i] = ms[i];
  return out;
}

// PlanDescribe(handle) -> string[]: one line per step (op, shape, algorithm, fusions).
Napi::Value PlanDescribe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PlanHandle& h = handleArg(info[0]);
  Napi::Array lines = Napi::Array::New(env, h.plan->steps.size());
  for (size_t i = 0; i < h.plan->steps.size(); ++i) lines.Set(static_cast<uint32_t>(i), describeStep(h.plan->steps[i]));
  return lines;
}

}  // namespace

void registerSession(Napi::Env env, Napi::Object exports) {
  exports.Set("PlanCreate", Napi::Function::New(env, PlanCreate, "PlanCreate"));
  exports.Set("PlanRun", Napi::Function::New(env, PlanRun, "PlanRun"));
  exports.Set("PlanRunSync", Napi::Function::New(env, PlanRunSync, "PlanRunSync"));
  exports.Set("PlanInfo", Napi::Function::New(env, PlanInfo, "PlanInfo"));
  exports.Set("PlanBenchStep", Napi::Function::New(env, PlanBenchStep, "PlanBenchStep"));
  exports.Set("PlanDescribe", Napi::Function::New(env, PlanDescribe, "PlanDescribe"));
}

}  // namespace convnode
