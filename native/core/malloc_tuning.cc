// Why: every op output is a fresh ArrayBuffer (calloc). Above glibc's mmap threshold each one is
// a new mapping, so every output page faults on first touch and is unmapped when freed; the GC
// frees buffers in batches, so glibc's dynamic threshold rarely adapts. Measured on the dev
// machine (2026-11-24, node 20, LeNet-5 training step, batch 64, 1 thread): allocating a 884 KB
// Float32Array took 116 us (page faults) vs 16 us with blocks served from the heap, and the
// training step went from 4,632 to 5,436 images/s. PyTorch hits the same wall (the anchors'
// MALLOC_MMAP_THRESHOLD_ note). Blocks below 256 MiB now come from the heap and are reused, and
// the heap is trimmed back to the OS only when 256 MiB sit free at its top, so RSS still
// shrinks after a large model is released. 256 MiB, not the 64 MiB first chosen: batch-8
// activations of VGG's first layers are 103 MB, and a fresh 103 MB block took 37 ms to fault
// in against 2.5 ms to rewrite a reused one (C test, 2026-11-25). The bench's batch-8 3x3
// 3->64 @224 plan went 44.7 -> 11.2 ms, 64->64 @224 107 -> 79 ms (onnxruntime-node, whose
// outputs land in JS buffers too, 49 -> 21 and 155 -> 129 ms). Environment variables set by the user
// (MALLOC_MMAP_THRESHOLD_ etc.) win: glibc reads them first and mallopt is then skipped.
#include "core/malloc_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace convnode {

bool tuneMallocForTensors() {
  static bool applied = false;
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(__GLIBC__)
    const char* optOut = std::getenv("CONVNODE_MALLOC_TUNING");
    if (optOut && std::strcmp(optOut, "0") == 0) return;
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) return;
    applied = mallopt(M_MMAP_THRESHOLD, 256 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
#endif
  });
  return applied;
}

}  // namespace convnode
