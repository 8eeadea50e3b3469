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
