// sparse_rows_gemm against the reference product, over the widths its register blocks
// split (16, 4, single columns) and densities from none to all; and the Dense layer's
// forward on real MNIST images against the reference. Built and run natively and in WASM.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/random.h"
#include "data/batch.h"
#include "kernels/gemm.h"
#include "kernels/sparse_rows.h"
#include "layers/dense.h"
#include "test_support.h"

namespace digitrain {
namespace {

std::vector<float> sparse_matrix(Rng& rng, int rows, int cols, double density) {
  std::vector<float> m(static_cast<size_t>(rows) * cols, 0.0f);
  for (float& v : m)
    if (rng.uniform(0, 1) < density) v = rng.uniform(-1, 1);
  return m;
}

void expect_matches_reference(const std::vector<float>& x, int rows, int k, const std::vector<float>& w, int n) {
  std::vector<float> got(static_cast<size_t>(rows) * n, std::numeric_limits<float>::quiet_NaN()), want(got.size());
  sparse_rows_gemm(x.data(), rows, k, w.data(), n, got.data());
  gemm_ref({rows, n, k, x.data(), k, false, w.data(), n, false, want.data(), n, false});
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-5f * (1.0f + std::sqrt(static_cast<float>(k))))) {
      ++bad;
      ADD_FAILURE() << "y[" << i / n << "," << i % n << "] = " << got[i] << ", expected " << want[i];
    }
}

TEST(SparseRows, MatchesTheReferenceAtEveryWidthAndDensity) {
  Rng rng(11);
  for (int n : {1, 3, 4, 5, 15, 16, 17, 20, 33, 64, 65, 100, 300})
    for (double density : {0.0, 0.05, 0.2, 0.6, 1.0}) {
      SCOPED_TRACE(::testing::Message() << "n " << n << " density " << density);
      const int rows = 7, k = 50;
      expect_matches_reference(sparse_matrix(rng, rows, k, density), rows, k, sparse_matrix(rng, k, n, 1.0), n);
    }
}

TEST(SparseRows, NaNInTheInputReachesTheOutput) {
  std::vector<float> x(2 * 8, 0.0f), w(8 * 5, 1.0f), y(2 * 5);
  x[3] = std::numeric_limits<float>::quiet_NaN();
  x[8 + 1] = 2.0f;
  sparse_rows_gemm(x.data(), 2, 8, w.data(), 5, y.data());
  for (int j = 0; j < 5; ++j) {
    EXPECT_TRUE(std::isnan(y[j])) << j;
    EXPECT_EQ(y[5 + j], 2.0f) << j;
  }
}

TEST(SparseRows, PaysOnlyForSparseInputsAndWideOutputs) {
  std::vector<float> mostly_zero(1000, 0.0f), dense(1000, 0.5f);
  for (int i = 0; i < 1000; i += 10) mostly_zero[i] = 1.0f;
  EXPECT_FALSE(sparse_rows_pay(dense.data(), 1000, 300));
  EXPECT_FALSE(sparse_rows_pay(mostly_zero.data(), 0, 300));
  EXPECT_FALSE(sparse_rows_pay(mostly_zero.data(), 1000, 10));
  EXPECT_TRUE(sparse_rows_pay(mostly_zero.data(), 1000, 300));
}

// The first Dense of an MLP on 64 real test images (the sparse path) against x·W + b
// through the reference, then ReLU.
TEST(SparseRows, DenseForwardOnMnistMatchesTheReference) {
  const Mnist& mnist = testing::real_mnist();
  const int rows = 64, k = 784, n = 300;
  std::vector<float> x(static_cast<size_t>(rows) * k);
  std::vector<uint8_t> labels(rows);
  gather_range(all_of(mnist.test), 0, rows, PixelScaler(255), x.data(), labels.data());
  DenseOptions options;
  options.units = n;
  options.activation = Activation::relu;
  Dense dense("dense", options);
  dense.build({k});
  Rng rng(3);
  dense.initialize(rng);
  for (int j = 0; j < n; ++j) dense.bias()[j] = rng.uniform(-0.1f, 0.1f);
  dense.reserve(rows);
  const ConstMatrixView y = dense.forward(ConstMatrixView(x.data(), rows, k), /*training=*/false);

  std::vector<float> want(static_cast<size_t>(rows) * n);
  gemm_ref({rows, n, k, x.data(), k, false, dense.kernel().data(), n, false, want.data(), n, false});
  int bad = 0;
  for (int i = 0; i < rows && bad < 5; ++i)
    for (int j = 0; j < n && bad < 5; ++j) {
      const float expected = std::max(0.0f, want[static_cast<size_t>(i) * n + j] + dense.bias()[j]);
      if (!(std::fabs(y(i, j) - expected) <= 1e-5f)) {
        ++bad;
        ADD_FAILURE() << "y(" << i << "," << j << ") = " << y(i, j) << ", expected " << expected;
      }
    }
}

}  // namespace
}  // namespace digitrain
