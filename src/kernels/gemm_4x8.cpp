#include "kernels/gemm_4x8.h"

namespace digitrain {

namespace {

// {s,s,s,s} becomes v128.load32_splat; v4f{} + s would add an f32x4.add of zero that
// clang may not drop (signed zeros), which halved throughput in V8 (toolchain.md).
inline v4f splat(const float* p) {
  const float s = *p;
  return v4f{s, s, s, s};
}

// 8 accumulators + 2 B vectors + 1 broadcast fit the 16 vector registers of SSE and of
// V8's x64 backend; larger tiles spilled and ran at half speed in V8 (toolchain.md).
// kAdjacentRows turns the 4 row offsets into load immediates; with a runtime a_row clang
// keeps 4 pointers, 3 more adds per step (about 8% in V8).
template <bool kAdjacentRows>
inline void tile(int kc, const float* a, int a_row, int a_step, const float* b, int b_step,
                 float* c, int ldc, bool accumulate) {
  const int row = kAdjacentRows ? 1 : a_row;
  v4f c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {};
  for (int k = 0; k < kc; ++k) {
    const v4f b0 = load4(b), b1 = load4(b + 4);
    v4f a_r = splat(a);
    c00 += a_r * b0;
    c01 += a_r * b1;
    a_r = splat(a + row);
    c10 += a_r * b0;
    c11 += a_r * b1;
    a_r = splat(a + 2 * row);
    c20 += a_r * b0;
    c21 += a_r * b1;
    a_r = splat(a + 3 * row);
    c30 += a_r * b0;
    c31 += a_r * b1;
    a += a_step;
    b += b_step;
  }
  float* c0 = c;
  float* c1 = c + ldc;
  float* c2 = c + 2 * ldc;
  float* c3 = c + 3 * ldc;
  if (accumulate) {
    c00 += load4(c0), c01 += load4(c0 + 4);
    c10 += load4(c1), c11 += load4(c1 + 4);
    c20 += load4(c2), c21 += load4(c2 + 4);
    c30 += load4(c3), c31 += load4(c3 + 4);
  }
  store4(c0, c00), store4(c0 + 4, c01);
  store4(c1, c10), store4(c1 + 4, c11);
  store4(c2, c20), store4(c2 + 4, c21);
  store4(c3, c30), store4(c3 + 4, c31);
}

}  // namespace

void gemm_4x8(int kc, const float* a, int a_row, int a_step, const float* b, int b_step, float* c,
              int ldc, bool accumulate) {
  if (a_row == 1)
    tile<true>(kc, a, a_row, a_step, b, b_step, c, ldc, accumulate);
  else
    tile<false>(kc, a, a_row, a_step, b, b_step, c, ldc, accumulate);
}

}  // namespace digitrain
