// Argument checks for the binding layer. The TS layer validates first and gives the rich
// message; these re-checks exist because native code never trusts JS: a malformed direct call
// must throw a JS Error, never read out of bounds. Messages follow "<op>: <arg>: expected X, got Y".
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace convnode {

[[noreturn]] void throwTypeError(Napi::Env env, const char* op, const std::string& arg,
                                 const std::string& expected, const std::string& got);
[[noreturn]] void throwRangeError(Napi::Env env, const char* op, const std::string& arg,
                                  const std::string& expected, const std::string& got);

std::string describe(const Napi::Value& v);

struct FloatView {
  float* data = nullptr;
  int64_t length = 0;
};

// A Float32Array of exactly `expectedLength` elements (any alignment, read in place).
// expectedLength < 0 accepts any length.
FloatView floatArrayArg(const Napi::Value& v, const char* op, const char* name,
                        int64_t expectedLength);
// Same, but null / undefined give an empty view with data == nullptr.
FloatView optionalFloatArrayArg(const Napi::Value& v, const char* op, const char* name,
                                int64_t expectedLength);

// An integer property of a params object, >= minValue.
int64_t intProp(const Napi::Object& params, const char* key, const char* op, int64_t minValue);
double numberProp(const Napi::Object& params, const char* key, const char* op);
bool boolProp(const Napi::Object& params, const char* key, const char* op);
Napi::Object objectArg(const Napi::Value& v, const char* op, const char* name);
int64_t intArg(const Napi::Value& v, const char* op, const char* name, int64_t minValue);
double numberArg(const Napi::Value& v, const char* op, const char* name);

// Product of dims with overflow check (dims are validated >= 0 by the caller).
int64_t checkedProduct(Napi::Env env, const char* op, std::initializer_list<int64_t> dims);

// A new 64-byte-aligned native buffer of `count` floats, handed to JS as an external
// ArrayBuffer whose size is reported to V8. `out` receives the data pointer.
Napi::Float32Array newOutput(Napi::Env env, int64_t count, float** out, const char* op);
// The same without zero-filling it, for kernels that write every element of their output:
// V8's ArrayBuffer::New zero-fills, which cost 6% of a LeNet-5 training step (perf,
// 2026-11-25: memset under AllocateExternalBackingStore, 884 KB per conv1-sized output).
Napi::Float32Array newOutputUninitialized(Napi::Env env, int64_t count, float** out, const char* op);

}  // namespace convnode

#include "core/cpu_features.h"

namespace convnode {
// Optional "isa" property ('generic' | 'avx2' | 'avx512'): absent means activeIsa(). Lets tests
// and the quick bench run every kernel family the machine supports in one process; an ISA the
// CPU lacks throws instead of crashing with SIGILL.
Isa isaProp(const Napi::Object& params, const char* op);
// Optional string property: `fallback` when absent; otherwise must be one of `allowed`.
std::string enumProp(const Napi::Object& params, const char* key, const char* op,
                     std::initializer_list<const char*> allowed, const char* fallback);
}  // namespace convnode
