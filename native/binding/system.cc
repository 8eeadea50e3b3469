// CpuInfo, thread count, the CPUs of a thread team.
#include <napi.h>

#include "binding/args.h"
#include "core/cpu_features.h"
#include "core/malloc_tuning.h"
#include "core/threading.h"

namespace convnode {

namespace {

Napi::Value CpuInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const CpuFeatures& f = cpuFeatures();
  Napi::Object result = Napi::Object::New(env);
  result.Set("isa", isaName(activeIsa()));
  result.Set("bestIsa", isaName(bestSupportedIsa()));
  result.Set("requestedIsa", requestedIsa());
  Napi::Array available = Napi::Array::New(env);
  uint32_t i = 0;
  for (Isa isa : {Isa::Generic, Isa::Avx2, Isa::Avx512}) {
    if (isaSupported(isa)) available.Set(i++, isaName(isa));
  }
  result.Set("availableIsas", available);
  Napi::Object flags = Napi::Object::New(env);
  flags.Set("avx2", f.avx2);
  flags.Set("fma", f.fma);
  flags.Set("avx512f", f.avx512f);
  flags.Set("avx512bw", f.avx512bw);
  flags.Set("avx512vl", f.avx512vl);
  flags.Set("avx512dq", f.avx512dq);
  result.Set("features", flags);
  result.Set("cores", availableCores());
  result.Set("openmp", openmpEnabled());
  result.Set("threads", numThreads());
  result.Set("mallocTuned", tuneMallocForTensors());
  return result;
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int64_t n = intArg(info[0], "setNumThreads", "n", 1);
  if (n > 1024) throwRangeError(info.Env(), "setNumThreads", "n", "an integer in [1, 1024]", std::to_string(n));
  setNumThreads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), numThreads());
}

// The team size argument of TeamCpus / SpreadTeam: an integer in [1, kMaxTeamCpus].
int teamSizeArg(const Napi::CallbackInfo& info, const char* op) {
  const int64_t n = intArg(info[0], op, "threads", 1);
  if (n > kMaxTeamCpus) throwRangeError(info.Env(), op, "threads", "an integer in [1, " + std::to_string(kMaxTeamCpus) + "]", std::to_string(n));
  return static_cast<int>(n);
}

// TeamCpus(n) -> number[]: the CPU of each member of an OpenMP team of n threads on this
// thread's pool (diagnostics and the team-spreading test; -1 where unknown).
Napi::Value TeamCpus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int n = teamSizeArg(info, "teamCpus");
  int cpu[kMaxTeamCpus];
  teamCpus(n, cpu);
  Napi::Array out = Napi::Array::New(env, static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.Set(static_cast<uint32_t>(i), cpu[i]);
  return out;
}

// SpreadTeam(n) -> number: spreadTeamAcrossCpus on this thread's pool, the threads it moved
// (the team-spreading test).
Napi::Value SpreadTeam(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), spreadTeamAcrossCpus(teamSizeArg(info, "spreadTeam")));
}

}  // namespace

void registerSystem(Napi::Env env, Napi::Object exports) {
  exports.Set("CpuInfo", Napi::Function::New(env, CpuInfo, "CpuInfo"));
  exports.Set("SetNumThreads", Napi::Function::New(env, SetNumThreads, "SetNumThreads"));
  exports.Set("GetNumThreads", Napi::Function::New(env, GetNumThreads, "GetNumThreads"));
  exports.Set("TeamCpus", Napi::Function::New(env, TeamCpus, "TeamCpus"));
  exports.Set("SpreadTeam", Napi::Function::New(env, SpreadTeam, "SpreadTeam"));
}

}  // namespace convnode
