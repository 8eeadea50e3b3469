// A compiled inference plan: the whole forward pass as a list of steps over one arena.
//
// The arena holds the constants (weights, folded batch norm, ...) first, then the activation
// slots; the TS compiler (lib/session/) decides every offset, reusing slots whose values are
// dead, so a run allocates nothing. Each step is validated once at creation: every read and
// write lies inside the arena for the shapes its params describe, so execution needs no check.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/cpu_features.h"
#include "kernels/conv/conv2d.h"
#include "kernels/eltwise/eltwise.h"
#include "kernels/pool/pool2d.h"

namespace convnode {

enum class StepOp {
  Conv2d,
  MaxPool2d,
  AvgPool2d,
  LpPool2d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  Linear,
  Unary,
  Binary,
  Softmax,
  Lrn,
  BatchNorm,
  Concat,
  Copy,
};

struct PlanStep {
  StepOp op = StepOp::Copy;
  std::vector<int64_t> inputs;  // arena offsets
  int64_t output = 0;           // arena offset
  // Conv2d
  Conv2dShape conv;
  ConvAlgo algo = ConvAlgo::Auto;
  bool relu = false;
  // Fused by the compiler (lib/session/compile.ts): min(., clampMax) after the ReLU (ReLU6),
  // and, for conv2d, accumulate = the output slot already holds a residual to add before the
  // activation (y = act(conv(x) + bias + y)).
  float clampMax = std::numeric_limits<float>::infinity();
  bool accumulate = false;
  bool log = false;  // Softmax: logSoftmax
  // Inverted-residual fusion (plan_dwfuse.cc): feedsNext = the compiler says this step's
  // output is read only by the next step; fusedAway = a 1x1 expansion the next depthwise step
  // computes band by band itself (expand points at it), so it does not run on its own.
  bool feedsNext = false;
  bool fusedAway = false;
  const PlanStep* expand = nullptr;
  int fuseSlots = 0;  // bands of scratch the fused step may run at once (one per thread)
  // Constant weights prepared once at creation: the Winograd filter transform, or the GEMM
  // A-panels for im2col / gemm1x1 (empty when the weights are not constants).
  AlignedFloats packedWeights;
  int64_t packedBytes = 0;
  // The weights are packed for the pixels-as-rows GEMM (kernels/conv/conv_pixelrows.h), which
  // runs this im2col / gemm1x1 layer instead (AVX-512 / AVX2, small images).
  bool pixelRows = false;
  bool hasBias = false;
  // Pooling
  Pool2dShape pool;
  bool countIncludePad = true;
  int64_t divisorOverride = 0;
  double p = 2.0;
  // Adaptive pooling / batch norm / LRN / softmax dims
  int64_t n = 0, c = 0, h = 0, w = 0, outH = 0, outW = 0, inner = 0, outer = 0, dim = 0;
  // Linear
  int64_t rows = 0, inFeatures = 0, outFeatures = 0;
  // Unary / Binary
  UnaryOp unary = UnaryOp::Relu;
  float alpha = 0.0f;
  BinaryOp binary = BinaryOp::Add;
  BroadcastShape broadcast;
  // LRN / batch norm
  int64_t size = 0;
  float beta = 0.0f, k = 0.0f, eps = 0.0f;
  bool hasAffine = false;
  // Concat
  std::vector<int64_t> sizes;
  // Copy
  int64_t count = 0;
};

// Per-step wall time, collected only when CONVNODE_PLAN_PROFILE is set (see plan.cc).
struct PlanProfile {
  std::vector<double> minMs, sumMs;
  int64_t runs = 0;
};

struct Plan {
  int64_t arenaFloats = 0;
  AlignedFloats arena;
  int64_t inputOffset = 0, inputSize = 0;
  int64_t outputOffset = 0, outputSize = 0;
  std::vector<PlanStep> steps;
  Isa isa = Isa::Generic;
  // Scratch for fused steps (a strided 1x1 conv's subsampled input, a non-GEMM conv's result
  // before its residual add), sized at creation by planScratchFloats and reused by every run.
  AlignedFloats scratch;
  int64_t scratchFloats = 0;
  PlanProfile profile;
};

// The arena as a run's steps see it. Reads inside the plan's input region go to the caller's
// input array, which is never copied into the arena; reads and writes inside its output
// region go to the array the run returns, which is never copied out of it. The compiler
// gives both regions to those values alone for the whole run (lib/session/compile.ts), and
// no step writes the input's (checked in PlanCreate), so a value never straddles a boundary.
// Without external arrays (a step profiled alone) the arena's own regions are used.
struct ArenaView {
  float* base = nullptr;
  const float* input = nullptr;
  float* output = nullptr;
  int64_t inputBegin = 0, inputEnd = 0, outputBegin = 0, outputEnd = 0;
  const float* read(int64_t offset) const {
    if (input && offset >= inputBegin && offset < inputEnd) return input + (offset - inputBegin);
    return write(offset);
  }
  float* write(int64_t offset) const {
    if (output && offset >= outputBegin && offset < outputEnd) return output + (offset - outputBegin);
    return base + offset;
  }
};

// Floats of plan scratch that step `s` needs when run on `isa` (0 for most).
int64_t planScratchFloats(const PlanStep& s, Isa isa);

// One line naming a step for profiles, e.g. "conv2d 64->64 3x3/1 @56x56 winograd relu".
std::string describeStep(const PlanStep& s);

// Runs one step on the plan's arena (no input/output copy): for profiling a step alone.
void runPlanStep(Plan& plan, size_t index);

// Marks the 1x1-expansion + 3x3-depthwise pairs that run fused (plan_dwfuse.cc) and grows
// scratchFloats for their bands; called once after every step is read, before scratch is
// allocated.
void fuseExpandDepthwise(Plan& plan);
void runExpandDepthwise(const PlanStep& d, const ArenaView& a, Isa isa, float* scratch);

// Runs every step; input holds inputSize floats, read in place, and output receives the
// outputSize floats of the result, written in place by the steps (ArenaView).
void runPlan(Plan& plan, const float* input, float* output);

}  // namespace convnode
