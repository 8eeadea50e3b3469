// Machine-limit measurements for the benchmark suite (bench/): not ops, and not part of the
// public API. They run synchronously on the calling thread, and both honour setNumThreads().
//
// PeakFma(isa: 'avx512' | 'avx2', iterations, passes)
//   -> { seconds: Float64Array(passes), threads, flopsPerPass }
// StreamTriad(elements, passes)
//   -> { seconds: Float64Array(passes), threads, bytesPerPass, check }
#include <napi.h>

#include <string>

#include "binding/args.h"
#include "core/cpu_features.h"
#include "kernels/bench/machine_limits.h"

namespace convnode {

namespace {

Napi::Float64Array toFloat64Array(Napi::Env env, const std::vector<double>& values) {
  Napi::Float64Array out = Napi::Float64Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return out;
}

int passesArg(const Napi::CallbackInfo& info, size_t index, const char* op) {
  const int64_t passes = intArg(info[index], op, "passes", 1);
  if (passes > 10000) throwRangeError(info.Env(), op, "passes", "an integer in [1, 10000]", std::to_string(passes));
  return static_cast<int>(passes);
}

Napi::Value PeakFma(const Napi::CallbackInfo& info) {
  const char* op = "PeakFma";
  Napi::Env env = info.Env();
  if (!info[0].IsString()) throwTypeError(env, op, "isa", "'avx512' or 'avx2'", describe(info[0]));
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  Isa isa;
  if (name == "avx512") {
    isa = Isa::Avx512;
  } else if (name == "avx2") {
    isa = Isa::Avx2;
  } else {
    throwRangeError(env, op, "isa", "'avx512' or 'avx2'", "'" + name + "'");
  }
  // The loops execute the instructions unconditionally: running one the CPU lacks would SIGILL.
  if (!isaSupported(isa)) {
    throwRangeError(env, op, "isa", "an ISA this CPU supports (see cpuInfo().availableIsas)", "'" + name + "'");
  }
  const int64_t iterations = intArg(info[1], op, "iterations", 1);
  if (iterations > (int64_t{1} << 40)) {
    throwRangeError(env, op, "iterations", "an integer in [1, 2^40]", std::to_string(iterations));
  }
  const int passes = passesArg(info, 2, op);
  const PeakRun run = runFmaPeak(isa, iterations, passes);
  Napi::Object result = Napi::Object::New(env);
  result.Set("seconds", toFloat64Array(env, run.seconds));
  result.Set("threads", run.threads);
  result.Set("flopsPerPass", run.flopsPerPass);
  return result;
}

Napi::Value StreamTriad(const Napi::CallbackInfo& info) {
  const char* op = "StreamTriad";
  Napi::Env env = info.Env();
  const int64_t elements = intArg(info[0], op, "elements", 1);
  if (elements > (int64_t{1} << 31)) {
    throwRangeError(env, op, "elements", "an integer in [1, 2^31] (8 GiB per array)", std::to_string(elements));
  }
  const int passes = passesArg(info, 1, op);
  TriadRun run;
  if (!runStreamTriad(elements, passes, &run)) {
    throwRangeError(env, op, "elements",
                    "three arrays of " + std::to_string(elements) + " floats that fit in memory",
                    "out of memory");
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("seconds", toFloat64Array(env, run.seconds));
  result.Set("threads", run.threads);
  result.Set("bytesPerPass", run.bytesPerPass);
  result.Set("check", run.check);
  return result;
}

}  // namespace

void registerBench(Napi::Env env, Napi::Object exports) {
  exports.Set("PeakFma", Napi::Function::New(env, PeakFma, "PeakFma"));
  exports.Set("StreamTriad", Napi::Function::New(env, StreamTriad, "StreamTriad"));
}

}  // namespace convnode
