#include "kernels/sparse_rows.h"

#include <algorithm>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/simd.h"

namespace digitrain {

namespace {

// Above this share of non-zero entries the dense GEMM's regular loads win (a Dense after
// a ReLU sees about half).
constexpr double kMaxDensity = 0.3;

// One register block of y's row: NV vectors of W lanes summed over the listed rows of W.
// 4 vectors, not 8: 8 sums + 8 loaded W vectors + the splat spilled in V8 (as gemm's
// one-row tile did).
template <int W, int NV>
inline void row_block(const int* cols, const float* vals, int listed, const float* w, int n, float* y, bool accumulate,
                      float alpha) {
  Vec<W> acc[NV] = {};
  for (int q = 0; q < listed; ++q) {
    const float* row = w + static_cast<long>(cols[q]) * n;
    const Vec<W> s = splat<W>(vals + q);
    for (int v = 0; v < NV; ++v) acc[v] += s * load<W>(row + W * v);
  }
  if (alpha != 1.0f)
    for (int v = 0; v < NV; ++v) acc[v] *= alpha;
  if (accumulate)
    for (int v = 0; v < NV; ++v) acc[v] += load<W>(y + W * v);
  for (int v = 0; v < NV; ++v) store<W>(y + W * v, acc[v]);
}

// Below this many (dense-counted) multiply-adds the product runs on one thread: about 5
// us of sparse work, a split's cost (docs/toolchain.md "Threads").
constexpr long kMinSplitWork = 1L << 19;

void rows_product(const float* x, int rows, int k, const float* w, int n, float* y, bool accumulate, float alpha) {
  // Grow-only per thread: after the first call of a size nothing is allocated.
  thread_local std::vector<int> cols;
  thread_local std::vector<float> vals;
  if (static_cast<int>(cols.size()) < k) cols.resize(k), vals.resize(k);
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + static_cast<long>(r) * k;
    float* yr = y + static_cast<long>(r) * n;
    int listed = 0;
    // Branch-free: which pixels are lit is unpredictable, and a mispredicted branch per lit
    // pixel cost more than the listing. Every entry is written; only non-zeros (NaN too)
    // advance the count.
    for (int c = 0; c < k; ++c) {
      cols[listed] = c;
      vals[listed] = xr[c];
      listed += xr[c] != 0.0f;
    }
    if (listed == 0 && accumulate) continue;  // adds zero
    constexpr int kLanes = kMaxLanes;
    const int* c = cols.data();
    const float* v = vals.data();
    int j = 0;
    for (; j + 4 * kLanes <= n; j += 4 * kLanes) row_block<kLanes, 4>(c, v, listed, w + j, n, yr + j, accumulate, alpha);
    for (; j + kLanes <= n; j += kLanes) row_block<kLanes, 1>(c, v, listed, w + j, n, yr + j, accumulate, alpha);
    for (; j + 4 <= n; j += 4) row_block<4, 1>(c, v, listed, w + j, n, yr + j, accumulate, alpha);
    for (; j < n; ++j) {
      float s = 0.0f;
      for (int q = 0; q < listed; ++q) s += v[q] * w[static_cast<long>(c[q]) * n + j];
      yr[j] = alpha * s + (accumulate ? yr[j] : 0.0f);
    }
  }
}

}  // namespace

// Split by rows of y across the kernel pool: each row is its own listing and its own sums,
// so the result is bit-identical for any thread count (columns would also repeat the
// listing in every thread).
void sparse_rows_gemm(const float* x, int rows, int k, const float* w, int n, float* y, bool accumulate, float alpha) {
  // Without threads in the build no split code is compiled (the page's module size).
  if constexpr (!DIGITRAIN_THREADS) return rows_product(x, rows, k, w, n, y, accumulate, alpha);
  const int parts = std::min(thread_count(), rows);
  if (parts < 2 || static_cast<long>(rows) * k * n < kMinSplitWork)
    return rows_product(x, rows, k, w, n, y, accumulate, alpha);
  parallel_for(parts, [&](int part) {
    int r0, r1;
    split_range(rows, parts, part, r0, r1);
    rows_product(x + static_cast<long>(r0) * k, r1 - r0, k, w, n, y + static_cast<long>(r0) * n, accumulate, alpha);
  });
}

void transpose(const float* x, int rows, int cols, float* xt) {
  // Blocks of 16×16 keep both sides' cache lines in use.
  constexpr int kBlock = 16;
  for (int r0 = 0; r0 < rows; r0 += kBlock)
    for (int c0 = 0; c0 < cols; c0 += kBlock)
      for (int r = r0; r < std::min(rows, r0 + kBlock); ++r)
        for (int c = c0; c < std::min(cols, c0 + kBlock); ++c)
          xt[static_cast<long>(c) * rows + r] = x[static_cast<long>(r) * cols + c];
}

bool sparse_rows_pay(const float* x, long count, int n) {
  if (count == 0 || n < 16) return false;
  long nonzero = 0;
  for (long i = 0; i < count; ++i) nonzero += x[i] != 0.0f;
  return static_cast<double>(nonzero) <= kMaxDensity * static_cast<double>(count);
}

}  // namespace digitrain
