// Normalization kernels over NCHW activations.
#pragma once
#include <cstdint>

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

}  // namespace convnode
