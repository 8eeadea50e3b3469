// 64-byte aligned float storage. Kernels never allocate in their inner loops: callers own
// scratch buffers sized up front, and outputs handed to JS come from alignedAlloc.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <memory>

namespace convnode {

constexpr size_t kAlignment = 64;

// Returns nullptr on failure (never throws), so the binding layer can turn it into a JS Error.
inline void* alignedAlloc(size_t bytes) {
  size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0) rounded = kAlignment;
  return std::aligned_alloc(kAlignment, rounded);
}

inline void alignedFree(void* p) { std::free(p); }

struct AlignedDeleter {
  void operator()(float* p) const { alignedFree(p); }
};

// Scratch memory for one kernel call (im2col columns, packed panels, ...).
using AlignedFloats = std::unique_ptr<float[], AlignedDeleter>;

inline AlignedFloats allocFloats(size_t count) {
  return AlignedFloats(static_cast<float*>(alignedAlloc(count * sizeof(float))));
}

}  // namespace convnode
