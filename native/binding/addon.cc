// Module entry: creates the per-environment instance data and registers each op family.
#include <napi.h>

#include "binding/instance.h"
#include "binding/register.h"
#include "core/malloc_tuning.h"

#if defined(__linux__) || defined(__APPLE__)
#include <dlfcn.h>
#endif
#include <mutex>

namespace convnode {

InstanceData& instance(Napi::Env env) { return *env.GetInstanceData<InstanceData>(); }

namespace {
// The executor thread (plan/executor.cc) runs this library's code for as long as the process
// lives. Node dlcloses an addon when the last worker_thread that loaded it exits; with runs
// still queued that unmapped the code under the executor (a segfault, found by a test that
// terminates a worker mid-run). One extra reference with RTLD_NODELETE keeps it mapped.
void pinLibrary() {
#if defined(__linux__) || defined(__APPLE__)
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&pinLibrary), &info) != 0 && info.dli_fname) {
      dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE);
    }
  });
#endif
}
}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  pinLibrary();
  env.SetInstanceData<InstanceData>(new InstanceData());
  tuneMallocForTensors();
  registerMemory(env, exports);
  registerSystem(env, exports);
  registerConv(env, exports);
  registerPool(env, exports);
  registerGemm(env, exports);
  registerEltwise(env, exports);
  registerNorm(env, exports);
  registerConvBackward(env, exports);
  registerPoolBackward(env, exports);
  registerEltwiseBackward(env, exports);
  registerNormBackward(env, exports);
  registerGemmBackward(env, exports);
  registerSession(env, exports);
  registerBench(env, exports);
  return exports;
}

}  // namespace convnode

static Napi::Object InitConvnode(Napi::Env env, Napi::Object exports) {
  return convnode::Init(env, exports);
}

NODE_API_MODULE(convnode, InitConvnode)
