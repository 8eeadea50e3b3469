// One registration function per binding file (op family).
#pragma once
#include <napi.h>

namespace convnode {
void registerMemory(Napi::Env env, Napi::Object exports);
void registerSystem(Napi::Env env, Napi::Object exports);
void registerConv(Napi::Env env, Napi::Object exports);
void registerPool(Napi::Env env, Napi::Object exports);
void registerGemm(Napi::Env env, Napi::Object exports);
void registerEltwise(Napi::Env env, Napi::Object exports);
void registerNorm(Napi::Env env, Napi::Object exports);
void registerConvBackward(Napi::Env env, Napi::Object exports);
void registerPoolBackward(Napi::Env env, Napi::Object exports);
void registerEltwiseBackward(Napi::Env env, Napi::Object exports);
void registerNormBackward(Napi::Env env, Napi::Object exports);
void registerGemmBackward(Napi::Env env, Napi::Object exports);
void registerSession(Napi::Env env, Napi::Object exports);
void registerBench(Napi::Env env, Napi::Object exports);
}  // namespace convnode
