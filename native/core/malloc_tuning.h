// Process-wide glibc malloc settings for tensor-sized blocks.
#pragma once

namespace convnode {

// Raises glibc's mmap and trim thresholds once per process (a no-op elsewhere, or when
// CONVNODE_MALLOC_TUNING=0). Returns whether the settings were applied.
bool tuneMallocForTensors();

}  // namespace convnode
