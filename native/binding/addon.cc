// Module entry: creates the per-environment instance data and registers each op family.
#include <napi.h>

#include "binding/instance.h"
#include "binding/register.h"
#include "core/malloc_tuning.h"

namespace convnode {

InstanceData& instance(Napi::Env env) { return *env.GetInstanceData<InstanceData>(); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
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
