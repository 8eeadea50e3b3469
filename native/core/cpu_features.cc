#include "core/cpu_features.h"

#include <cstdlib>
#include <cstring>
#include <thread>
#if defined(__linux__)
#include <sched.h>
#endif

namespace convnode {

const CpuFeatures& cpuFeatures() {
  static const CpuFeatures features = [] {
    CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
    // libgcc's cpu model also checks XGETBV, so these are false when the OS does not save
    // the ymm/zmm state.
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512dq = __builtin_cpu_supports("avx512dq");
#endif
    return f;
  }();
  return features;
}

bool isaSupported(Isa isa) {
  const CpuFeatures& f = cpuFeatures();
  switch (isa) {
    case Isa::Generic:
      return true;
    case Isa::Avx2:
      return f.avx2 && f.fma;
    case Isa::Avx512:
      return f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.fma;
  }
  return false;
}

Isa bestSupportedIsa() {
  if (isaSupported(Isa::Avx512)) return Isa::Avx512;
  if (isaSupported(Isa::Avx2)) return Isa::Avx2;
  return Isa::Generic;
}

const std::string& requestedIsa() {
  static const std::string requested = [] {
    const char* env = std::getenv("CONVNODE_ISA");
    return std::string(env ? env : "");
  }();
  return requested;
}

Isa activeIsa() {
  static const Isa active = [] {
    const std::string& req = requestedIsa();
    Isa wanted = bestSupportedIsa();
    if (req == "generic") wanted = Isa::Generic;
    else if (req == "avx2") wanted = Isa::Avx2;
    else if (req == "avx512") wanted = Isa::Avx512;
    // An ISA the machine lacks would crash with SIGILL: fall back to the best supported one.
    return isaSupported(wanted) ? wanted : bestSupportedIsa();
  }();
  return active;
}

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Generic:
      return "generic";
    case Isa::Avx2:
      return "avx2";
    case Isa::Avx512:
      return "avx512";
  }
  return "generic";
}

int availableCores() {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace convnode
