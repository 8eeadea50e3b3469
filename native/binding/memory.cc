// Output buffers handed to JS.
//
// Why V8-owned memory rather than external ArrayBuffers with finalizers (DESIGN.md's first
// plan): on Node 20 the finalizer of an external buffer runs only from a later event-loop turn,
// so a synchronous loop that drops outputs never frees them (measured: 2000 dropped 4 MiB relu
// outputs held 8.4 GB of RSS and took 13.3 s). V8-owned ArrayBuffers are freed by the GC itself
// and counted by V8 as external memory: the same loop peaks at 80 MB RSS and takes 1.1 s.
// Each buffer is over-allocated by 64 bytes so the Float32Array view starts 64-byte aligned.
// Release() (tensor.dispose()) detaches the buffer, which frees it at once.
#include <napi.h>

#include "binding/args.h"
#include "binding/instance.h"
#include "core/aligned_buffer.h"

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace convnode {

namespace {

// The Float32Array view of `count` floats starting at the first 64-byte boundary of `buffer`
// (which holds count * 4 + kAlignment bytes from `data`, `byteOffset` into the ArrayBuffer),
// counted in the instance's allocation statistics.
Napi::Float32Array alignedView(Napi::Env env, Napi::ArrayBuffer buffer, size_t byteOffset,
                               int64_t count, float** out) {
  const uintptr_t start = reinterpret_cast<uintptr_t>(buffer.Data()) + byteOffset;
  const size_t offset = byteOffset + (kAlignment - start % kAlignment) % kAlignment;
  *out = reinterpret_cast<float*>(reinterpret_cast<uintptr_t>(buffer.Data()) + offset);
  InstanceData& inst = instance(env);
  inst.outputsAllocated += 1;
  inst.outputBytesAllocated += count * static_cast<int64_t>(sizeof(float));
  return Napi::Float32Array::New(env, static_cast<size_t>(count), buffer, offset);
}

int64_t outputBytes(Napi::Env env, int64_t count, const char* op) {
  if (count < 0) {
    throwRangeError(env, op, "output size", "a non-negative element count", std::to_string(count));
  }
  return count * static_cast<int64_t>(sizeof(float));
}

[[noreturn]] void throwOutOfMemory(Napi::Env env, const char* op, int64_t bytes) {
  throwRangeError(env, op, "output", "an allocation of " + std::to_string(bytes) + " bytes",
                  "out of memory");
}

}  // namespace

Napi::Float32Array newOutput(Napi::Env env, int64_t count, float** out, const char* op) {
  const int64_t bytes = outputBytes(env, count, op);
  Napi::ArrayBuffer buffer;
  try {
    buffer = Napi::ArrayBuffer::New(env, static_cast<size_t>(bytes) + kAlignment);
  } catch (const Napi::Error&) {
    throwOutOfMemory(env, op, bytes);
  }
  return alignedView(env, buffer, 0, count, out);
}

// node::Buffer::New (napi_create_buffer) allocates its V8-owned ArrayBuffer without zero-fill
// (as Buffer.allocUnsafeSlow does); it is freed by the GC and detachable like any other.
Napi::Float32Array newOutputUninitialized(Napi::Env env, int64_t count, float** out, const char* op) {
  const int64_t bytes = outputBytes(env, count, op);
  Napi::Buffer<uint8_t> raw;
  try {
    raw = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(bytes) + kAlignment);
  } catch (const Napi::Error&) {
    throwOutOfMemory(env, op, bytes);
  }
  return alignedView(env, raw.ArrayBuffer(), raw.ByteOffset(), count, out);
}

namespace {

// Release(arrayBuffer) -> boolean: detaches (and so frees) a buffer now. The TS layer calls it
// only for storage it owns; detaching is always memory-safe, whatever buffer is passed.
Napi::Value Release(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    throwTypeError(env, "release", "buffer", "an ArrayBuffer", describe(info[0]));
  }
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  if (buffer.IsDetached()) return Napi::Boolean::New(env, false);
  buffer.Detach();
  return Napi::Boolean::New(env, true);
}

Napi::Value Memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const InstanceData& inst = instance(env);
  Napi::Object result = Napi::Object::New(env);
  result.Set("outputsAllocated", Napi::Number::New(env, static_cast<double>(inst.outputsAllocated)));
  result.Set("outputBytesAllocated",
             Napi::Number::New(env, static_cast<double>(inst.outputBytesAllocated)));
  return result;
}

// DataAddressMod64(typedArray) -> address of its first element modulo 64 (tests check the
// alignment of op outputs with it).
Napi::Value DataAddressMod64(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    throwTypeError(env, "dataAddressMod64", "array", "a TypedArray", describe(info[0]));
  }
  Napi::TypedArray arr = info[0].As<Napi::TypedArray>();
  const uintptr_t base = reinterpret_cast<uintptr_t>(arr.ArrayBuffer().Data());
  return Napi::Number::New(env, static_cast<double>((base + arr.ByteOffset()) % 64));
}

#if defined(__linux__)
// One guarded mapping: the floats end exactly where an inaccessible page begins.
struct GuardedMapping {
  void* base;
  size_t bytes;
};

// GuardedFloat32Array(n, before = false) -> Float32Array of n floats whose last element is the
// last accessible word before a PROT_NONE page (before: whose first element is the first word
// after one), so that a kernel reading past the end (before the start) of an input faults at
// once instead of reading a neighbour's bytes (test/kernels/guard-pages.test.ts). Linux only;
// guarded at the end, the view starts 4-byte aligned (64-byte aligned when n is a multiple of
// 16); at the start, page-aligned.
Napi::Value GuardedFloat32Array(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t n = intArg(info[0], "guardedFloat32Array", "n", 1);
  const bool before = info.Length() > 1 && info[1].ToBoolean();
  if (n > (int64_t(1) << 28)) throwRangeError(env, "guardedFloat32Array", "n", "at most 2^28 floats", std::to_string(n));
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t dataBytes = static_cast<size_t>(n) * sizeof(float);
  const size_t dataPages = (dataBytes + page - 1) / page;
  const size_t bytes = (dataPages + 1) * page;
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throwRangeError(env, "guardedFloat32Array", "n", "a mappable size", "mmap failed");
  char* guard = static_cast<char*>(base) + (before ? 0 : dataPages * page);
  if (mprotect(guard, page, PROT_NONE) != 0) {
    munmap(base, bytes);
    throwRangeError(env, "guardedFloat32Array", "n", "a protectable mapping", "mprotect failed");
  }
  auto* mapping = new GuardedMapping{base, bytes};
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, before ? guard + page : guard - dataBytes, dataBytes,
      [](Napi::Env, void*, GuardedMapping* m) {
        munmap(m->base, m->bytes);
        delete m;
      },
      mapping);
  return Napi::Float32Array::New(env, static_cast<size_t>(n), buffer, 0);
}
#endif

}  // namespace

void registerMemory(Napi::Env env, Napi::Object exports) {
#if defined(__linux__)
  exports.Set("GuardedFloat32Array", Napi::Function::New(env, GuardedFloat32Array, "GuardedFloat32Array"));
#endif
  exports.Set("Release", Napi::Function::New(env, Release, "Release"));
  exports.Set("Memory", Napi::Function::New(env, Memory, "Memory"));
  exports.Set("DataAddressMod64", Napi::Function::New(env, DataAddressMod64, "DataAddressMod64"));
}

}  // namespace convnode
