#include "kernels/elementwise.h"

#include <algorithm>

#include "kernels/simd.h"

namespace digitrain {

namespace {

// Rows of a convolution's 8 or 16 filters are too short for a loop each: the loop's
// overhead outweighed its few vector operations (add_bias_relu took a tenth of a cnn-16-8
// step natively). When the row width divides kRun, rows are handled kRun floats at a time
// against the bias repeated kRun / cols times. 16, not a wider run: a conv's output row
// (26 × 16 or 24 × 8 floats, given to add_bias_relu while in L1) is then whole runs, and a
// 64-float run left a scalar tail on every row (cnn-16-8's forward 249 -> 176 us and
// 595 -> 511 us per layer natively with 16).
constexpr int kRun = 16;

bool flat_runs(int cols) { return cols <= kRun && kRun % cols == 0; }

template <bool kBias, bool kRelu>
void bias_relu_rows(float* __restrict y, long rows, int cols, const float* __restrict bias) {
  auto apply = [](float v, float b) {
    if (kBias) v += b;
    return kRelu && v < 0.0f ? 0.0f : v;  // NaN stays NaN: divergence shows
  };
  if (flat_runs(cols)) {
    // Without a % per lane: a conv calls this once per output row, and 16 integer divisions
    // each time cost more than the row's arithmetic.
    float b[kRun];
    for (int j0 = 0; j0 < kRun; j0 += cols)
      for (int j = 0; j < cols; ++j) b[j0 + j] = kBias ? bias[j] : 0.0f;
    const long n = rows * cols;
    long i = 0;
    for (; i + kRun <= n; i += kRun)
      for (int j = 0; j < kRun; ++j) y[i + j] = apply(y[i + j], b[j]);
    for (int j = 0; i + j < n; ++j) y[i + j] = apply(y[i + j], b[j]);
    return;
  }
  for (long i = 0; i < rows; ++i, y += cols)
    for (int j = 0; j < cols; ++j) y[j] = apply(y[j], kBias ? bias[j] : 0.0f);
}

}  // namespace

void add_bias_relu(float* __restrict y, long rows, int cols, const float* __restrict bias, bool relu) {
  if (bias && relu) bias_relu_rows<true, true>(y, rows, cols, bias);
  else if (bias) bias_relu_rows<true, false>(y, rows, cols, bias);
  else if (relu) bias_relu_rows<false, true>(y, rows, cols, bias);
}

void relu_backward(const float* __restrict y, const float* __restrict dy, float* __restrict dz, long n) {
  // Both loads unconditional: with dy read only where y > 0, clang kept the loop scalar.
  for (long i = 0; i < n; ++i) {
    const float d = dy[i];
    dz[i] = y[i] > 0.0f ? d : 0.0f;
  }
}

void mask_where_not_positive(const float* __restrict y, float* __restrict d, long n) {
  for (long i = 0; i < n; ++i) {
    const float v = d[i];
    d[i] = y[i] > 0.0f ? v : 0.0f;
  }
}

void column_sums(const float* __restrict x, long rows, int cols, float* __restrict sums) {
  // One pass over x (a conv's dz is larger than L2), blocks of kBlock rows summed apart, so
  // a conv's 18,432 rows add up with the rounding of a few hundred.
  constexpr long kBlock = 128;
  if (flat_runs(cols)) {
    // Lane j of a run sums column j % cols; the lanes of one column are added at the end.
    float total[kRun] = {};
    const long block = kBlock * cols, n = rows * cols;
    for (long i0 = 0; i0 < n; i0 += block) {
      const long end = std::min(n, i0 + block);
      float part[kRun] = {};
      long i = i0;
      for (; i + kRun <= end; i += kRun)
        for (int j = 0; j < kRun; ++j) part[j] += x[i + j];
      for (int j = 0; i + j < end; ++j) part[j] += x[i + j];
      for (int j = 0; j < kRun; ++j) total[j] += part[j];
    }
    for (int j = 0; j < cols; ++j) {
      float s = 0.0f;
      for (int q = j; q < kRun; q += cols) s += total[q];
      sums[j] = s;
    }
    return;
  }
  // Wide rows: chunks of up to kChunk columns summed down the rows, each row's chunk one
  // vectorised loop (16-column chunks made a dense layer's 32×300 cost 6 us per call).
  constexpr int kChunk = 256;
  for (int j0 = 0; j0 < cols; j0 += kChunk) {
    const int width = std::min(kChunk, cols - j0);
    float total[kChunk] = {};
    for (long i0 = 0; i0 < rows; i0 += kBlock) {
      float part[kChunk] = {};
      for (long i = i0; i < std::min(rows, i0 + kBlock); ++i) {
        const float* row = x + i * cols + j0;
        for (int j = 0; j < width; ++j) part[j] += row[j];
      }
      for (int j = 0; j < width; ++j) total[j] += part[j];
    }
    std::copy(total, total + width, sums + j0);
  }
}

}  // namespace digitrain
