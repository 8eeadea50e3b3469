#include "binding/args.h"

#include <cmath>
#include <limits>

namespace convnode {

namespace {
std::string message(const char* op, const std::string& arg, const std::string& expected,
                    const std::string& got) {
  return std::string(op) + ": " + arg + ": expected " + expected + ", got " + got;
}
}  // namespace

void throwTypeError(Napi::Env env, const char* op, const std::string& arg,
                    const std::string& expected, const std::string& got) {
  throw Napi::TypeError::New(env, message(op, arg, expected, got));
}

void throwRangeError(Napi::Env env, const char* op, const std::string& arg,
                     const std::string& expected, const std::string& got) {
  throw Napi::RangeError::New(env, message(op, arg, expected, got));
}

std::string describe(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (std::isnan(d)) return "NaN";
    char buf[64];
    snprintf(buf, sizeof(buf), "%.17g", d);
    return buf;
  }
  if (v.IsString()) return "string \"" + v.As<Napi::String>().Utf8Value() + "\"";
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_float32_array:
        return "Float32Array";
      case napi_float64_array:
        return "Float64Array";
      case napi_int32_array:
        return "Int32Array";
      case napi_uint8_array:
        return "Uint8Array";
      default:
        return "a TypedArray other than Float32Array";
    }
  }
  if (v.IsArray()) return "Array";
  if (v.IsArrayBuffer()) return "ArrayBuffer";
  if (v.IsFunction()) return "function";
  if (v.IsObject()) return "object";
  return "unknown value";
}

FloatView floatArrayArg(const Napi::Value& v, const char* op, const char* name,
                        int64_t expectedLength) {
  Napi::Env env = v.Env();
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throwTypeError(env, op, name, "a Float32Array", describe(v));
  }
  Napi::Float32Array arr = v.As<Napi::Float32Array>();
  Napi::ArrayBuffer buffer = arr.ArrayBuffer();
  if (buffer.IsDetached()) {
    throwTypeError(env, op, name, "a Float32Array over a live ArrayBuffer",
                   "a detached ArrayBuffer (the tensor was disposed or transferred)");
  }
  FloatView view;
  view.data = arr.Data();
  view.length = static_cast<int64_t>(arr.ElementLength());
  if (expectedLength >= 0 && view.length != expectedLength) {
    throwRangeError(env, op, std::string(name) + ".length", std::to_string(expectedLength),
                    std::to_string(view.length));
  }
  return view;
}

FloatView optionalFloatArrayArg(const Napi::Value& v, const char* op, const char* name,
                                int64_t expectedLength) {
  if (v.IsUndefined() || v.IsNull()) return FloatView{};
  return floatArrayArg(v, op, name, expectedLength);
}

Napi::Object objectArg(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsObject() || v.IsArray() || v.IsTypedArray()) {
    throwTypeError(v.Env(), op, name, "an object", describe(v));
  }
  return v.As<Napi::Object>();
}

int64_t intArg(const Napi::Value& v, const char* op, const char* name, int64_t minValue) {
  Napi::Env env = v.Env();
  if (!v.IsNumber()) throwTypeError(env, op, name, "an integer", describe(v));
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0) {
    throwRangeError(env, op, name, "an integer", describe(v));
  }
  if (d < static_cast<double>(minValue)) {
    throwRangeError(env, op, name, "an integer >= " + std::to_string(minValue), describe(v));
  }
  return static_cast<int64_t>(d);
}

double numberArg(const Napi::Value& v, const char* op, const char* name) {
  if (!v.IsNumber()) throwTypeError(v.Env(), op, name, "a number", describe(v));
  return v.As<Napi::Number>().DoubleValue();
}

int64_t intProp(const Napi::Object& params, const char* key, const char* op, int64_t minValue) {
  return intArg(params.Get(key), op, key, minValue);
}

double numberProp(const Napi::Object& params, const char* key, const char* op) {
  return numberArg(params.Get(key), op, key);
}

bool boolProp(const Napi::Object& params, const char* key, const char* op) {
  Napi::Value v = params.Get(key);
  if (!v.IsBoolean()) throwTypeError(params.Env(), op, key, "a boolean", describe(v));
  return v.As<Napi::Boolean>().Value();
}

int64_t checkedProduct(Napi::Env env, const char* op, std::initializer_list<int64_t> dims) {
  // Float counts above 2^40 (4 TiB) are never legitimate here; refusing them also keeps every
  // index computation far from int64 overflow.
  const int64_t limit = int64_t(1) << 40;
  int64_t p = 1;
  for (int64_t d : dims) {
    if (d < 0) throwRangeError(env, op, "shape", "non-negative dimensions", std::to_string(d));
    if (d != 0 && p > limit / d) {
      throwRangeError(env, op, "shape", "at most 2^40 elements", "a larger size");
    }
    p *= d;
  }
  return p;
}

}  // namespace convnode

namespace convnode {

std::string enumProp(const Napi::Object& params, const char* key, const char* op,
                     std::initializer_list<const char*> allowed, const char* fallback) {
  Napi::Value v = params.Get(key);
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  if (v.IsUndefined()) return fallback;
  if (!v.IsString()) throwTypeError(params.Env(), op, key, "one of " + list, describe(v));
  std::string s = v.As<Napi::String>().Utf8Value();
  for (const char* a : allowed)
    if (s == a) return s;
  throwRangeError(params.Env(), op, key, "one of " + list, describe(v));
}

Isa isaProp(const Napi::Object& params, const char* op) {
  std::string s = enumProp(params, "isa", op, {"generic", "avx2", "avx512"}, "");
  if (s.empty()) return activeIsa();
  Isa isa = s == "avx512" ? Isa::Avx512 : s == "avx2" ? Isa::Avx2 : Isa::Generic;
  if (!isaSupported(isa)) throwRangeError(params.Env(), op, "isa", "an ISA this CPU supports", s);
  return isa;
}

}  // namespace convnode
