// Elementwise, broadcasting binary, softmax, concat and dropout kernels.
#pragma once
#include <cstdint>

#include "core/cpu_features.h"

namespace convnode {

enum class UnaryOp { Relu = 0, LeakyRelu = 1, Sigmoid = 2, Tanh = 3, Relu6 = 4 };
// alpha: the negative slope of LeakyRelu; unused otherwise.
void unaryGeneric(UnaryOp op, float alpha, const float* x, float* y, int64_t count);
// Vectorized per ISA (unary_<isa>.cc; sigmoid/tanh through a call-free exp, error < 1e-6) and
// threaded over chunks.
void unary(Isa isa, UnaryOp op, float alpha, const float* x, float* y, int64_t count);
void unaryChunkGeneric(UnaryOp op, float alpha, const float* x, float* y, int64_t count);
void unaryChunkAvx2(UnaryOp op, float alpha, const float* x, float* y, int64_t count);
void unaryChunkAvx512(UnaryOp op, float alpha, const float* x, float* y, int64_t count);

enum class BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3 };
constexpr int kMaxRank = 8;
// out[i] = a[offsetA(i)] op b[offsetB(i)]; strides are 0 along broadcast dimensions.
struct BroadcastShape {
  int rank = 0;
  int64_t outShape[kMaxRank] = {};
  int64_t strideA[kMaxRank] = {};
  int64_t strideB[kMaxRank] = {};
};
void binaryBroadcastGeneric(BinaryOp op, const BroadcastShape& s, const float* a,
                            const float* b, float* y);

// Softmax along the middle axis of an [outer, dim, inner] view; numerically stable.
void softmaxGeneric(bool logSoftmax, int64_t outer, int64_t dim, int64_t inner, const float* x,
                    float* y);

// Same; rows with inner == 1 (contiguous, the usual [N, classes] case) run the ISA's
// vectorized row kernel (unary_<isa>.cc), other layouts the generic loop.
void softmax(Isa isa, bool logSoftmax, int64_t outer, int64_t dim, int64_t inner, const float* x,
             float* y);
void softmaxRowGeneric(bool logSoftmax, const float* x, float* y, int64_t n);
void softmaxRowAvx2(bool logSoftmax, const float* x, float* y, int64_t n);
void softmaxRowAvx512(bool logSoftmax, const float* x, float* y, int64_t n);

// Concatenate along the middle axis of [outer, sizes[i], inner] views.
void concatGeneric(int64_t count, const float* const* parts, const int64_t* sizes,
                   int64_t outer, int64_t inner, float* y);

// Inverted dropout: mask is 0 or 1/(1-p) (a counter-based hash of seed and index, so any
// thread split gives the same mask); y = x * mask.
void dropoutGeneric(float p, uint64_t seed, const float* x, float* y, float* mask,
                    int64_t count);

}  // namespace convnode

namespace convnode {

// dx = dy * f'(.) where `saved` is what the derivative needs: the output y for Relu, Sigmoid
// and Tanh, the input x for LeakyRelu and Relu6.
void unaryBackwardGeneric(UnaryOp op, float alpha, const float* saved, const float* dy,
                          float* dx, int64_t count);

// Softmax gradient from its output y: dx = y * (dy - sum(dy * y)); for logSoftmax (y = log p):
// dx = dy - exp(y) * sum(dy).
void softmaxBackwardGeneric(bool logSoftmax, int64_t outer, int64_t dim, int64_t inner,
                            const float* y, const float* dy, float* dx);

// Fused, numerically stable softmax + cross-entropy over rows of [n, c] logits:
// loss[i] = -sum_j q_ij log softmax(z_i)_j with q = (1 - smoothing) onehot(label) + smoothing/c.
// probs receives softmax(z) (the backward needs it: dz = (probs - q) * dloss).
// Rows whose label equals ignoreIndex get loss 0 and q = probs (zero gradient).
void crossEntropyGeneric(int64_t n, int64_t c, const float* logits, const int32_t* labels,
                         float smoothing, int32_t ignoreIndex, float* loss, float* probs);

}  // namespace convnode
