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

namespace convnode {

// Training-mode batch norm: statistics over (n, inner) per channel. Writes y, the batch mean
// and the biased variance (the caller updates running stats with the unbiased one), and
// invStd = 1/sqrt(var + eps) for the backward.
void batchNormTrainGeneric(int64_t n, int64_t c, int64_t inner, const float* x,
                           const float* gamma, const float* beta, float eps, float* y,
                           float* mean, float* var, float* invStd);

// Gradients of batch norm given the statistics it normalized with (batch statistics in
// training, running statistics at eval: set `training` accordingly).
//   training:  dx = gamma*invStd/M * (M*dy - sum(dy) - xhat*sum(dy*xhat)),  M = n*inner
//   eval:      dx = gamma*invStd*dy
// dgamma = sum(dy*xhat), dbeta = sum(dy); dgamma/dbeta may be null.
void batchNormBackwardGeneric(bool training, int64_t n, int64_t c, int64_t inner,
                              const float* x, const float* dy, const float* mean,
                              const float* invStd, const float* gamma, float* dx,
                              float* dgamma, float* dbeta);

// LRN gradient. With s_i = k + alpha/size * sum_{j in W(i)} x_j^2 and y_i = x_i s_i^-beta:
//   dx_j = dy_j s_j^-beta - 2 alpha beta / size * x_j * sum_{i : j in W(i)} dy_i x_i s_i^(-beta-1)
void lrnBackwardGeneric(int64_t n, int64_t c, int64_t inner, int64_t size, float alpha,
                        float beta, float k, const float* x, const float* dy, float* dx);

}  // namespace convnode
