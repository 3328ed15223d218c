// The per-element passes (kernels/elementwise.h) against plain loops, on widths that take
// each path: rows short enough to go in flat runs with the bias repeated (1-16 columns,
// with and without a partial last run), and wide rows in chunks with an edge chunk.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/random.h"
#include "kernels/elementwise.h"

namespace digitrain {
namespace {

const int kWidths[] = {1, 2, 3, 4, 8, 10, 16, 32, 64, 65, 100, 300};
const long kRows[] = {1, 3, 7, 33, 300};

std::vector<float> random_vector(Rng& rng, size_t n) {
  std::vector<float> v(n);
  for (float& x : v) x = rng.uniform(-1, 1);
  return v;
}

TEST(Elementwise, AddBiasReluMatchesLoops) {
  Rng rng(3);
  for (int cols : kWidths)
    for (long rows : kRows)
      for (int variant = 0; variant < 3; ++variant) {
        const bool with_bias = variant != 1, relu = variant != 2;
        const std::vector<float> y0 = random_vector(rng, rows * cols), bias = random_vector(rng, cols);
        std::vector<float> y = y0;
        add_bias_relu(y.data(), rows, cols, with_bias ? bias.data() : nullptr, relu);
        for (long i = 0; i < rows; ++i)
          for (int j = 0; j < cols; ++j) {
            float want = y0[i * cols + j] + (with_bias ? bias[j] : 0.0f);
            if (relu) want = std::max(want, 0.0f);
            ASSERT_EQ(y[i * cols + j], want) << rows << "x" << cols << " bias " << with_bias << " relu " << relu
                                             << " at " << i << "," << j;
          }
      }
}

TEST(Elementwise, ReluKeepsNaN) {
  std::vector<float> y(40, std::numeric_limits<float>::quiet_NaN());
  const std::vector<float> bias(8, 1.0f);
  add_bias_relu(y.data(), 5, 8, bias.data(), /*relu=*/true);
  for (float v : y) EXPECT_TRUE(std::isnan(v));
}

TEST(Elementwise, ColumnSumsMatchLoops) {
  Rng rng(4);
  for (int cols : kWidths)
    for (long rows : {1L, 7L, 129L, 1000L}) {
      const std::vector<float> x = random_vector(rng, rows * cols);
      std::vector<float> sums(cols, std::numeric_limits<float>::quiet_NaN());
      column_sums(x.data(), rows, cols, sums.data());
      for (int j = 0; j < cols; ++j) {
        double want = 0.0;
        for (long i = 0; i < rows; ++i) want += x[i * cols + j];
        EXPECT_NEAR(sums[j], want, 1e-5 * rows) << rows << "x" << cols << " column " << j;
      }
    }
}

TEST(Elementwise, ReluBackwardMasksWhereTheOutputIsNotPositive) {
  const std::vector<float> y = {0.0f, 1.0f, -0.0f, 2.0f, 0.5f}, dy = {1.0f, 2.0f, 3.0f, 4.0f, -5.0f};
  std::vector<float> dz(5);
  relu_backward(y.data(), dy.data(), dz.data(), 5);
  EXPECT_EQ(dz, (std::vector<float>{0.0f, 2.0f, 0.0f, 4.0f, -5.0f}));
}

TEST(Elementwise, MaskWhereNotPositiveIsReluBackwardInPlace) {
  const std::vector<float> y = {0.0f, 1.0f, -0.0f, 2.0f, -0.5f};
  std::vector<float> d = {1.0f, 2.0f, 3.0f, 4.0f, -5.0f};
  mask_where_not_positive(y.data(), d.data(), 5);
  EXPECT_EQ(d, (std::vector<float>{0.0f, 2.0f, 0.0f, 4.0f, 0.0f}));
}

}  // namespace
}  // namespace digitrain
