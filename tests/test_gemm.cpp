// gemm (packing + the micro-kernel instances of gemm_tiles.h) against gemm_ref, the double-precision judge: exact
// tiles, tile±1, primes, K across the kc=256 blocks, every transpose, strided operands,
// accumulate, and the model's own shapes. Built and run natively and in WASM under Node.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/random.h"
#include "kernels/gemm.h"
#include "kernels/gemm_tiles.h"

namespace digitrain {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kSentinel = 1234.5f;

struct Case {
  int M, N, K;
  bool trans_a, trans_b, accumulate;
  int pad;  // extra floats per stored row of A, B and C
  float alpha = 1.0f;
};

std::string describe(const Case& c) {
  std::ostringstream s;
  s << c.M << "x" << c.K << "·" << c.K << "x" << c.N << (c.trans_a ? " trans_a" : "")
    << (c.trans_b ? " trans_b" : "") << (c.accumulate ? " accumulate" : "") << " pad " << c.pad
    << " alpha " << c.alpha;
  return s.str();
}

// rows×cols with row stride cols+pad. Padding holds NaN: if gemm ever read it, NaN would
// reach C and fail the comparison.
std::vector<float> random_matrix(Rng& rng, int rows, int cols, int pad) {
  std::vector<float> m(static_cast<size_t>(rows) * (cols + pad), kNaN);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      m[static_cast<size_t>(r) * (cols + pad) + c] = rng.uniform(-1, 1);
  return m;
}

std::vector<float> absolute(std::vector<float> v) {
  for (float& x : v) x = std::fabs(x);
  return v;
}

void check(const Case& c, uint64_t seed = 1) {
  SCOPED_TRACE(describe(c));
  Rng rng(seed);
  const int a_rows = c.trans_a ? c.K : c.M, a_cols = c.trans_a ? c.M : c.K;
  const int b_rows = c.trans_b ? c.N : c.K, b_cols = c.trans_b ? c.K : c.N;
  const int lda = a_cols + c.pad, ldb = b_cols + c.pad, ldc = c.N + c.pad;
  const std::vector<float> A = random_matrix(rng, a_rows, a_cols, c.pad);
  const std::vector<float> B = random_matrix(rng, b_rows, b_cols, c.pad);
  // Without accumulate C's old values must not be read, so they are NaN; its padding
  // columns hold a sentinel that must survive.
  std::vector<float> C0(static_cast<size_t>(c.M) * ldc, kSentinel);
  for (int i = 0; i < c.M; ++i)
    for (int j = 0; j < c.N; ++j)
      C0[static_cast<size_t>(i) * ldc + j] = c.accumulate ? rng.uniform(-1, 1) : kNaN;

  std::vector<float> got = C0, want = C0;
  GemmArgs args{c.M, c.N, c.K, A.data(), lda, c.trans_a, B.data(), ldb, c.trans_b,
                got.data(), ldc, c.accumulate, c.alpha};
  gemm(args);
  args.C = want.data();
  gemm_ref(args);

  // Rounding error scales with sum_k |a_ik·b_kj| (+|c_ij|), grows like sqrt(K) for
  // random signs, and depends on FMA use and on the summation order of the K blocks.
  const std::vector<float> absA = absolute(A), absB = absolute(B);
  std::vector<float> bound = absolute(C0);
  gemm_ref({c.M, c.N, c.K, absA.data(), lda, c.trans_a, absB.data(), ldb, c.trans_b,
            bound.data(), ldc, c.accumulate, std::fabs(c.alpha)});
  const double scale = 1e-6 * std::sqrt(static_cast<double>(c.K) + 1.0);

  int bad = 0;  // report the first few, not a whole wrong matrix
  for (int i = 0; i < c.M && bad < 5; ++i)
    for (int j = 0; j < c.N + c.pad && bad < 5; ++j) {
      const size_t at = static_cast<size_t>(i) * ldc + j;
      if (j >= c.N) {
        if (got[at] != kSentinel) {
          ++bad;
          ADD_FAILURE() << "padding C(" << i << "," << j << ") written";
        }
        continue;
      }
      const double tol = scale * bound[at];
      if (!(std::fabs(static_cast<double>(got[at]) - want[at]) <= tol)) {
        ++bad;
        ADD_FAILURE() << "C(" << i << "," << j << ") = " << got[at] << ", expected " << want[at]
                      << " ± " << tol;
      }
    }
}

// Every transpose, with and without accumulate, contiguous and strided.
void check_all_variants(int M, int N, int K) {
  for (int t = 0; t < 4; ++t)
    for (bool accumulate : {false, true})
      for (int pad : {0, 3}) check({M, N, K, (t & 1) != 0, (t & 2) != 0, accumulate, pad});
}

TEST(GemmRef, HandComputed) {
  // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50]; A passed transposed, C with one padding column.
  const float At[] = {1, 3, 2, 4};
  const float B[] = {5, 6, 7, 8};
  float C[] = {1, 1, -7, 1, 1, -7};
  gemm_ref({2, 2, 2, At, 2, true, B, 2, false, C, 3, /*accumulate=*/true});
  const float expected[] = {20, 23, -7, 44, 51, -7};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(C[i], expected[i]) << i;
  // alpha = -0.5 scales the product, not C: C + (-0.5)·[19 22; 43 50].
  gemm_ref({2, 2, 2, At, 2, true, B, 2, false, C, 3, /*accumulate=*/true, /*alpha=*/-0.5f});
  const float stepped[] = {10.5f, 12, -7, 22.5f, 26, -7};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(C[i], stepped[i]) << i;
}

// Every micro-kernel instance in the build, with both of its loops: packed rows (a_row 1,
// a_step MR) and rows read in place from A stored M×K (a_row = lda, a_step 1), over two
// runs (segs = 2) whose rows overlap as a convolution's do. Operands and C sit one float
// off alignment; C's padding must survive.
template <class T>
void check_tile() {
  constexpr int MR = T::kMR, NR = T::kNR;
  const int kc = 5, segs = 2, ldc = NR + 3, lda = 7, b_step = NR + 3;
  const long a_seg = 3, b_seg = static_cast<long>(kc) * b_step + 2;
  Rng rng(7);
  std::vector<float> a(1 + segs * a_seg + MR * lda + kc * MR), b(1 + segs * b_seg + kc * b_step);
  for (float& x : a) x = rng.uniform(-1, 1);
  for (float& x : b) x = rng.uniform(-1, 1);
  struct Layout { int a_row, a_step; } layouts[] = {{1, MR}, {lda, 1}};
  for (Layout l : layouts)
    for (bool accumulate : {false, true}) {
      SCOPED_TRACE(::testing::Message() << MR << "x" << NR << " a_row " << l.a_row << " accumulate " << accumulate);
      std::vector<float> c(1 + (MR - 1) * ldc + NR + 1, kSentinel);
      for (int r = 0; r < MR; ++r)
        for (int j = 0; j < NR; ++j) c[1 + r * ldc + j] = accumulate ? rng.uniform(-1, 1) : kNaN;
      const std::vector<float> c0 = c;
      T::run({segs, kc, a.data() + 1, a_seg, l.a_row, l.a_step, b.data() + 1, b_seg, b_step}, c.data() + 1, ldc,
             accumulate);
      for (int r = 0; r < MR; ++r)
        for (int j = 0; j < ldc && (r < MR - 1 || j < NR); ++j) {
          const float got = c[1 + r * ldc + j];
          if (j >= NR) {
            EXPECT_EQ(got, kSentinel) << r << "," << j;
            continue;
          }
          double want = accumulate ? c0[1 + r * ldc + j] : 0.0;
          for (int s = 0; s < segs; ++s)
            for (int k = 0; k < kc; ++k)
              want += double(a[1 + s * a_seg + r * l.a_row + k * l.a_step]) * b[1 + s * b_seg + k * b_step + j];
          EXPECT_NEAR(got, want, 1e-5) << r << "," << j;
        }
      EXPECT_EQ(c.back(), kSentinel);
    }
}

TEST(GemmTile, EveryInstanceStridesRunsAndUnaligned) {
  check_tile<GemmTile<4, 4, 2>>();  // the WASM tile, on every target
  check_tile<WideTile>();
  check_tile<MidTile>();
#if defined(__AVX512F__)
  check_tile<SquareTile>();
#endif
  check_tile<NarrowTile>();
  check_tile<ConvMidTile>();
  check_tile<RowTile>();
  check_tile<NarrowRowTile>();  // partial sums over alternating steps
  check_tile<GemmTile<4, 1, 2>>();
}

TEST(Gemm, OneByOneByOne) { check_all_variants(1, 1, 1); }

TEST(Gemm, ExactTiles) {
  for (int K : {1, 2, 7, 64}) check_all_variants(4, 8, K);
  check_all_variants(8, 16, 33);
}

// Few panels of B read A in place, more pack it (both layouts); M = 1 takes the one-row
// tiles, N ≤ 8 and N ≤ 16 the narrow tiles; the last panel of B read in place is shifted
// left over the one before: every path.
TEST(Gemm, TilePlusMinusOne) {
  for (int M : {1, 3, 4, 5, 7, 9})
    for (int N : {1, 7, 8, 9, 15, 16, 17, 32, 33, 41, 65, 161, 193})
      for (int K : {1, 3, 33}) check_all_variants(M, N, K);
}

TEST(Gemm, Primes) {
  check_all_variants(7, 13, 29);
  check_all_variants(31, 37, 41);
}

TEST(Gemm, KAcrossBlocks) {
  for (int K : {255, 256, 257, 300, 513, 600, 784}) {
    check_all_variants(5, 9, K);
    check_all_variants(4, 8, K);
    check_all_variants(7, 41, K);
  }
}

TEST(Gemm, CrossesMAndNBlocks) {
  check_all_variants(129, 9, 5);     // mc = 128
  check_all_variants(257, 17, 3);
  check_all_variants(131, 161, 7);   // A packed, in both layouts, across M blocks
  check_all_variants(200, 7, 300);   // 8-column tiles with many row tiles: B packed too
  check_all_variants(6, 1025, 4);    // nc = 1024
  check_all_variants(5, 2049, 2);
}

TEST(Gemm, EmptyDimensions) {
  // K == 0 is an empty sum: C = 0, or C unchanged with accumulate.
  check_all_variants(5, 7, 0);
  check_all_variants(0, 7, 3);
  check_all_variants(5, 0, 3);
  check_all_variants(0, 0, 0);
}

// alpha scales the product and not C: Dense's fused SGD step W += -rate·Xᵀ·dY, across K
// blocks, edge tiles and the one-row tile.
TEST(Gemm, AlphaScalesTheProductOnly) {
  const Case cases[] = {
      {784, 300, 32, true, false, true, 0, -0.01f},  // mlp-300-100's first layer
      {300, 100, 32, true, false, true, 3, -0.01f},
      {7, 41, 600, false, false, true, 3, -0.5f},    // 3 K blocks
      {13, 7, 29, true, true, false, 0, 2.5f},
      {1, 300, 784, false, false, true, 0, -0.1f},
  };
  for (const Case& c : cases) check(c);
}

// The model's products (batch 32). Their own transposes get every stride and accumulate
// variant; the other transposes run once, since the reference costs seconds here in WASM.
TEST(Gemm, ModelShapes) {
  const Case shapes[] = {
      {32, 300, 784, false, false, false, 0},    // fc1 forward: X·W
      {784, 300, 32, true, false, false, 0},     // fc1 dW: Xᵀ·dY
      {32, 784, 300, false, true, false, 0},     // fc1 dX: dY·Wᵀ
      {1, 300, 784, false, false, false, 0},     // predict one image: the one-row tile
      {1, 10, 4608, false, false, false, 0},     // the CNN's dense layer for one image: 1×8, shifted edge
      {200, 256, 784, false, false, false, 0},   // mlp-256 forward, batch 200
      {784, 256, 200, true, false, false, 0},    // mlp-256 dW: Xᵀ packed
      {32, 10, 4608, false, false, false, 0},    // cnn dense forward: K = 4608, 18 K blocks
      {4608, 10, 32, true, false, false, 0},     // cnn dense dW
      {32, 4608, 10, false, true, false, 0},     // cnn dense dX
  };
  for (Case c : shapes) {
    for (bool accumulate : {false, true})
      for (int pad : {0, 3}) {
        c.accumulate = accumulate, c.pad = pad;
        check(c);
      }
    for (int flip = 1; flip < 4; ++flip)
      check({c.M, c.N, c.K, c.trans_a != ((flip & 1) != 0), c.trans_b != ((flip & 2) != 0),
             /*accumulate=*/false, /*pad=*/0});
  }
}

}  // namespace
}  // namespace digitrain
