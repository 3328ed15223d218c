// sparse_rows_gemm against the reference product, over the widths its register blocks
// split (four vectors, one vector, 4 lanes, single columns), densities from none to all,
// accumulate and alpha; and the Dense layer's forward, weight gradient and fused SGD step
// on real MNIST images (where the sparse path runs) against the reference. Built and run
// natively and in WASM.
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

void expect_matches_reference(const std::vector<float>& x, int rows, int k, const std::vector<float>& w, int n,
                              bool accumulate = false, float alpha = 1.0f) {
  // Without accumulate y's old values must not be read: NaN would show.
  std::vector<float> got(static_cast<size_t>(rows) * n, accumulate ? 0.5f : std::numeric_limits<float>::quiet_NaN());
  std::vector<float> want = got;
  sparse_rows_gemm(x.data(), rows, k, w.data(), n, got.data(), accumulate, alpha);
  gemm_ref({rows, n, k, x.data(), k, false, w.data(), n, false, want.data(), n, accumulate, alpha});
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

// Dense's weight gradient (alpha 1) and its fused SGD step (accumulate, alpha -rate).
TEST(SparseRows, AccumulatesAndScalesAsGemmDoes) {
  Rng rng(12);
  for (int n : {3, 16, 20, 300})
    for (const float alpha : {1.0f, -0.01f, 2.5f}) {
      SCOPED_TRACE(::testing::Message() << "n " << n << " alpha " << alpha);
      const int rows = 9, k = 32;
      expect_matches_reference(sparse_matrix(rng, rows, k, 0.2), rows, k, sparse_matrix(rng, k, n, 1.0), n,
                               /*accumulate=*/true, alpha);
      expect_matches_reference(sparse_matrix(rng, rows, k, 0.2), rows, k, sparse_matrix(rng, k, n, 1.0), n,
                               /*accumulate=*/false, alpha);
    }
}

TEST(SparseRows, TransposesAcrossBlocks) {
  for (const auto [rows, cols] : {std::pair{1, 1}, {3, 5}, {16, 16}, {17, 33}, {32, 784}}) {
    std::vector<float> x(static_cast<size_t>(rows) * cols), xt(x.size());
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
    transpose(x.data(), rows, cols, xt.data());
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) ASSERT_EQ(xt[static_cast<size_t>(c) * rows + r], x[static_cast<size_t>(r) * cols + c]);
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

// The first Dense of an MLP on real test images, where the sparse path runs.
struct MnistDense {
  static constexpr int rows = 64, k = 784, n = 300;
  std::vector<float> x = std::vector<float>(static_cast<size_t>(rows) * k);
  Dense dense{"dense", options()};

  static DenseOptions options() {
    DenseOptions o;
    o.units = n;
    o.activation = Activation::linear;
    return o;
  }
  MnistDense() {
    std::vector<uint8_t> labels(rows);
    gather_range(all_of(testing::real_mnist().test), 0, rows, PixelScaler(255), x.data(), labels.data());
    dense.build({k});
    Rng rng(3);
    dense.initialize(rng);
    for (int j = 0; j < n; ++j) dense.bias()[j] = rng.uniform(-0.1f, 0.1f);
    dense.reserve(rows);
    // These tests are about the sparse path: they must not pass through the GEMM instead.
    EXPECT_TRUE(sparse_rows_pay(x.data(), static_cast<long>(rows) * k, n));
  }
  // x·W through the reference.
  std::vector<float> reference_product() {
    std::vector<float> want(static_cast<size_t>(rows) * n);
    gemm_ref({rows, n, k, x.data(), k, false, dense.kernel().data(), n, false, want.data(), n, false});
    return want;
  }
};

void expect_near(const float* got, const float* want, long count, float tol, const char* what) {
  int bad = 0;
  for (long i = 0; i < count && bad < 5; ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      ++bad;
      ADD_FAILURE() << what << "[" << i << "] = " << got[i] << ", expected " << want[i];
    }
}

TEST(SparseRows, DenseForwardOnMnistMatchesTheReference) {
  MnistDense m;
  const std::vector<float> want = m.reference_product();
  const ConstMatrixView y = m.dense.forward(ConstMatrixView(m.x.data(), m.rows, m.k), /*training=*/false);
  std::vector<float> expected(want.size());
  for (int i = 0; i < m.rows; ++i)
    for (int j = 0; j < m.n; ++j) expected[static_cast<size_t>(i) * m.n + j] = want[static_cast<size_t>(i) * m.n + j] + m.dense.bias()[j];
  expect_near(y.data(), expected.data(), static_cast<long>(expected.size()), 1e-5f, "y");
}

// Backward from a random dz: the kernel gradient xᵀ·dz, then the fused SGD step W - rate·xᵀ·dz.
TEST(SparseRows, DenseWeightGradientAndSgdStepOnMnistMatchTheReference) {
  MnistDense m;
  Rng rng(4);
  std::vector<float> dz(static_cast<size_t>(m.rows) * m.n);
  for (float& v : dz) v = rng.uniform(-0.1f, 0.1f);
  std::vector<float> xt_dz(static_cast<size_t>(m.k) * m.n);
  gemm_ref({m.k, m.n, m.rows, m.x.data(), m.k, true, dz.data(), m.n, false, xt_dz.data(), m.n, false});

  m.dense.forward(ConstMatrixView(m.x.data(), m.rows, m.k), /*training=*/true);
  m.dense.backward(ConstMatrixView(dz.data(), m.rows, m.n));
  expect_near(m.dense.params()[0].grad, xt_dz.data(), static_cast<long>(xt_dz.size()), 1e-5f, "dW");

  const float rate = 0.5f;
  std::vector<float> stepped(m.dense.kernel().data(), m.dense.kernel().data() + xt_dz.size());
  for (size_t i = 0; i < stepped.size(); ++i) stepped[i] -= rate * xt_dz[i];
  m.dense.descend_in_backward(rate);
  m.dense.forward(ConstMatrixView(m.x.data(), m.rows, m.k), /*training=*/true);
  m.dense.backward(ConstMatrixView(dz.data(), m.rows, m.n));
  expect_near(m.dense.kernel().data(), stepped.data(), static_cast<long>(stepped.size()), 1e-5f, "W");
}

}  // namespace
}  // namespace digitrain
