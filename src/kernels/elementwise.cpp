#include "kernels/elementwise.h"

#include <algorithm>

#include "kernels/simd.h"

namespace digitrain {

void add_bias_relu(float* __restrict y, long rows, int cols, const float* __restrict bias, bool relu) {
  for (long i = 0; i < rows; ++i, y += cols) {
    if (bias)
      for (int j = 0; j < cols; ++j) y[j] += bias[j];
    if (relu)
      for (int j = 0; j < cols; ++j) y[j] = y[j] < 0.0f ? 0.0f : y[j];  // NaN stays NaN: divergence shows
  }
}

void relu_backward(const float* __restrict y, const float* __restrict dy, float* __restrict dz, long n) {
  // Both loads unconditional: with dy read only where y > 0, clang kept the loop scalar.
  for (long i = 0; i < n; ++i) {
    const float d = dy[i];
    dz[i] = y[i] > 0.0f ? d : 0.0f;
  }
}

void column_sums(const float* __restrict x, long rows, int cols, float* __restrict sums) {
  // 4 columns at a time in a vector kept in registers down the rows; blocks of rows summed
  // apart, so a conv's 18,432 rows add up with the rounding of a few hundred.
  constexpr long kBlock = 128;
  int j = 0;
  for (; j + 4 <= cols; j += 4) {
    v4f total = {};
    for (long i0 = 0; i0 < rows; i0 += kBlock) {
      v4f s = {};
      for (long i = i0; i < std::min(rows, i0 + kBlock); ++i) s += load4(x + i * cols + j);
      total += s;
    }
    store4(sums + j, total);
  }
  for (; j < cols; ++j) {
    float total = 0.0f;
    for (long i0 = 0; i0 < rows; i0 += kBlock) {
      float s = 0.0f;
      for (long i = i0; i < std::min(rows, i0 + kBlock); ++i) s += x[i * cols + j];
      total += s;
    }
    sums[j] = total;
  }
}

}  // namespace digitrain
