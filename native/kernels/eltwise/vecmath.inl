// Call-free float math the vectorizer can widen (libm's expf is a scalar call, so a loop using
// it never vectorizes). Included by the per-ISA eltwise files after their target pragma.
#include <cstdint>
#include <cstring>

namespace convnode {
namespace {

// e^x for x <= 0 (the only range sigmoid, tanh and softmax need once the sign is split off);
// NaN in, NaN out; x < -87 gives 0 (e^-87 = 1.6e-38, below it the result would be denormal).
// n = round(x / ln 2) by the 1.5*2^23 trick (the sum's low mantissa bits hold n), r = x - n ln2
// in two parts (|r| <= ln2/2), e^r by its Taylor polynomial to degree 6 (error < 2e-7
// relative), then scaled by 2^n built directly in the exponent bits.
inline float expNonPositive(float x) {
  const float xc = x < -87.0f ? -87.0f : x;
  const float t = xc * 1.44269504088896341f + 12582912.0f;
  const float n = t - 12582912.0f;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  uint32_t bits;  // unsigned: NaN inputs give arbitrary bits, and signed shifts of those are UB
  std::memcpy(&bits, &t, sizeof bits);
  const uint32_t scaleBits = (bits - 0x4B400000u + 127u) << 23;
  float scale;
  std::memcpy(&scale, &scaleBits, sizeof scale);
  return x < -87.0f ? 0.0f : p * scale;
}

}  // namespace
}  // namespace convnode
