// Per-environment state (one per main thread / worker_thread): no JS state is global, so the
// addon loads in any number of worker_threads.
#pragma once
#include <napi.h>

#include <cstdint>

namespace convnode {

struct InstanceData {
  int64_t outputsAllocated = 0;
  int64_t outputBytesAllocated = 0;
};

InstanceData& instance(Napi::Env env);

}  // namespace convnode
