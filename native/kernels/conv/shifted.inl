// The shifted-view product of conv_shifted.h, shared by shifted_{generic,avx2,avx512}.cc. Each
// file defines, before including this one:
//   struct Lanes { using V; kW (floats per V); kMi (output channels per block); kNv(mi)
//                  (vectors of pixels per block for mi channels); zero(), load(p, rem) (the
//                  first min(rem, kW) floats, zeros after; rem >= 1), bcast(p),
//                  fma(a, b, c), add(a, b), store(p, v) }
//   SHIFTED_PRODUCT_NAME, SHIFTED_ADJOINT_NAME
namespace convnode {
namespace {

// One block: MI output channels x NV vectors of pixels from q0, all taps.
template <int MI, int NV>
void shiftedBlock(int64_t m, int64_t taps, const float* wt, const float* x, const int64_t* off,
                  int64_t q0, int64_t len, float* yw, int64_t ldy) {
  using V = typename Lanes::V;
  V acc[MI][NV];
#pragma GCC unroll 8
  for (int i = 0; i < MI; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[i][v] = Lanes::zero();
  int64_t rem[NV];
  for (int v = 0; v < NV; ++v) rem[v] = len - q0 - v * Lanes::kW;
  const bool full = rem[NV - 1] >= Lanes::kW;
  for (int64_t t = 0; t < taps; ++t) {
    const float* xp = x + off[t] + q0;
    const float* wp = wt + t * m;
    V xv[NV];
    if (full) {
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) xv[v] = Lanes::load(xp + v * Lanes::kW, Lanes::kW);
    } else {
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) xv[v] = Lanes::load(xp + v * Lanes::kW, rem[v]);
    }
#pragma GCC unroll 8
    for (int i = 0; i < MI; ++i) {
      const V wv = Lanes::bcast(wp + i);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[i][v] = Lanes::fma(wv, xv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MI; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) Lanes::store(yw + i * ldy + q0 + v * Lanes::kW, acc[i][v]);
}

using ShiftedBlockFn = void (*)(int64_t, int64_t, const float*, const float*, const int64_t*,
                                int64_t, int64_t, float*, int64_t);

template <int MI, int NV>
ShiftedBlockFn shiftedBlockFor(int64_t mi, int64_t nv) {
  if constexpr (MI > 1) {
    if (mi < MI) return shiftedBlockFor<MI - 1, Lanes::kNv(MI - 1)>(mi, nv);
  }
  if constexpr (NV > 1) {
    if (nv < NV) return shiftedBlockFor<MI, NV - 1>(mi, nv);
  }
  return shiftedBlock<MI, NV>;
}

// Adjoint block: MI taps x NV vectors of pixels from q0, all output channels, added into dx.
template <int MI, int NV>
void adjointBlock(int64_t taps, int64_t k, const float* w, const float* dyw, int64_t ldy,
                  const int64_t* off, int64_t q0, float* dx) {
  using V = typename Lanes::V;
  V acc[MI][NV];
#pragma GCC unroll 8
  for (int i = 0; i < MI; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[i][v] = Lanes::zero();
  for (int64_t oc = 0; oc < k; ++oc) {
    const float* dp = dyw + oc * ldy + q0;
    const float* wp = w + oc * taps;
    V dv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) dv[v] = Lanes::load(dp + v * Lanes::kW, Lanes::kW);
#pragma GCC unroll 8
    for (int i = 0; i < MI; ++i) {
      const V wv = Lanes::bcast(wp + i);
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[i][v] = Lanes::fma(wv, dv[v], acc[i][v]);
    }
  }
  // In tap order: taps of one block hit overlapping pixels, so each add reads the previous.
#pragma GCC unroll 8
  for (int i = 0; i < MI; ++i) {
    float* p = dx + off[i] + q0;
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v)
      Lanes::store(p + v * Lanes::kW, Lanes::add(Lanes::load(p + v * Lanes::kW, Lanes::kW), acc[i][v]));
  }
}

using AdjointBlockFn = void (*)(int64_t, int64_t, const float*, const float*, int64_t,
                                const int64_t*, int64_t, float*);

template <int MI, int NV>
AdjointBlockFn adjointBlockFor(int64_t mi, int64_t nv) {
  if constexpr (MI > 1) {
    if (mi < MI) return adjointBlockFor<MI - 1, Lanes::kNv(MI - 1)>(mi, nv);
  }
  if constexpr (NV > 1) {
    if (nv < NV) return adjointBlockFor<MI, NV - 1>(mi, nv);
  }
  return adjointBlock<MI, NV>;
}

}  // namespace

void SHIFTED_ADJOINT_NAME(int64_t taps, int64_t k, const float* w, const float* dyw,
                          int64_t ldy, const int64_t* off, float* dx) {
  const int64_t vectors = ldy / Lanes::kW;
  for (int64_t i = 0; i < taps; i += Lanes::kMi) {
    const int64_t mi = std::min<int64_t>(Lanes::kMi, taps - i);
    const int64_t nvMax = Lanes::kNv(static_cast<int>(mi));
    for (int64_t v = 0; v < vectors; v += nvMax) {
      const int64_t nv = std::min(nvMax, vectors - v);
      adjointBlockFor<Lanes::kMi, Lanes::kNv(Lanes::kMi)>(mi, nv)(
          taps, k, w + i, dyw, ldy, off + i, v * Lanes::kW, dx);
    }
  }
}

void SHIFTED_PRODUCT_NAME(int64_t m, int64_t taps, const float* wt, const float* x,
                          const int64_t* off, int64_t len, float* yw, int64_t ldy) {
  const int64_t vectors = (len + Lanes::kW - 1) / Lanes::kW;
  for (int64_t i = 0; i < m; i += Lanes::kMi) {
    const int64_t mi = std::min<int64_t>(Lanes::kMi, m - i);
    const int64_t nvMax = Lanes::kNv(static_cast<int>(mi));
    for (int64_t v = 0; v < vectors; v += nvMax) {
      const int64_t nv = std::min(nvMax, vectors - v);
      shiftedBlockFor<Lanes::kMi, Lanes::kNv(Lanes::kMi)>(mi, nv)(
          m, taps, wt + i, x, off, v * Lanes::kW, len, yw + i * ldy, ldy);
    }
  }
}

}  // namespace convnode
