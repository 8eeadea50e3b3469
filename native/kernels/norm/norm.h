// Normalization kernels over NCHW activations.
#pragma once
#include <cstdint>

#include "core/cpu_features.h"

namespace convnode {

// Inference batch norm: y = (x - mean) / sqrt(var + eps) * gamma + beta, per channel.
// gamma / beta may be null (affine = false). `inner` is H*W (1 for [N, C] inputs).
void batchNormInferenceGeneric(int64_t n, int64_t c, int64_t inner, const float* x,
                               const float* mean, const float* var, const float* gamma,
                               const float* beta, float eps, float* y);

// PyTorch's LocalResponseNorm across channels:
//   y_c = x_c / (k + alpha/size * sum_{c' in [c - size/2, c + (size-1)/2]} x_c'^2)^beta
// with zero padding at the channel ends (the divisor is always `size`).
void lrnGeneric(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
                float k, const float* x, float* y);

// Same, with the plane loops of the given ISA (norm_plane_<isa>.cc); the *Generic entries
// above are these with Isa::Generic.
void batchNormInference(Isa isa, int64_t n, int64_t c, int64_t inner, const float* x,
                        const float* mean, const float* var, const float* gamma,
                        const float* beta, float eps, float* y);
void lrn(Isa isa, int64_t n, int64_t c, int64_t inner, int64_t size, float alpha, float beta,
         float k, const float* x, float* y);

struct NormPlaneFns {
  void (*affine)(const float* x, float* y, int64_t n, float scale, float shift);
  void (*squareAccumulate)(const float* x, float* acc, int64_t n);
  void (*lrnScale)(const float* x, const float* acc, float* y, int64_t n, float k,
                   float alphaOverSize, float beta);
};
const NormPlaneFns& normFnsGeneric();
const NormPlaneFns& normFnsAvx2();
const NormPlaneFns& normFnsAvx512();

}  // namespace convnode
