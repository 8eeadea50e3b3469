// Which instruction sets this CPU (and OS) supports, and which kernel family runs.
#pragma once
#include <string>

namespace convnode {

enum class Isa { Generic = 0, Avx2 = 1, Avx512 = 2 };

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512dq = false;
};

const CpuFeatures& cpuFeatures();
Isa bestSupportedIsa();
// The ISA kernels dispatch on: the best supported one, or CONVNODE_ISA when it names one the
// machine supports. Read once, at first use.
Isa activeIsa();
// What CONVNODE_ISA asked for ("" when unset), so cpuInfo() can say when a request was refused.
const std::string& requestedIsa();
const char* isaName(Isa isa);
bool isaSupported(Isa isa);
int availableCores();

}  // namespace convnode
