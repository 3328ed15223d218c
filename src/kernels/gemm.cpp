#include "kernels/gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/gemm_4x8.h"

namespace digitrain {

namespace {

constexpr int kMR = 4, kNR = 8;  // the micro-kernel's tile
// kc×8 floats of B (8 KB) stay in L1 while the mc×kc block of A (128 KB) is reused from L2.
constexpr int kKC = 256, kMC = 128, kNC = 1024;

// Rows or columns past an edge read from here, so edge panels come out zero-padded.
const float kZeros[kKC] = {};

// op(A)[i0, i0+mc) × [p0, p0+kc) as 4-row panels, panel after panel (layout: gemm_4x8.h).
void pack_a(const GemmArgs& g, int i0, int mc, int p0, int kc, float* dst) {
  for (int ir = 0; ir < mc; ir += kMR, dst += kMR * kc) {
    const int mr = std::min(kMR, mc - ir);
    if (g.trans_a) {
      // Stored K×M: a panel's 4 rows are 4 adjacent floats of each stored row.
      const float* src = g.A + static_cast<long>(p0) * g.lda + i0 + ir;
      for (int k = 0; k < kc; ++k, src += g.lda) {
        float* d = dst + k * kMR;
        for (int r = 0; r < kMR; ++r) d[r] = r < mr ? src[r] : 0.0f;
      }
    } else {
      const float* s[kMR];
      for (int r = 0; r < kMR; ++r)
        s[r] = r < mr ? g.A + static_cast<long>(i0 + ir + r) * g.lda + p0 : kZeros;
      float* d = dst;
      for (int k = 0; k < kc; ++k, d += kMR) {
        d[0] = s[0][k], d[1] = s[1][k], d[2] = s[2][k], d[3] = s[3][k];
      }
    }
  }
}

// op(B)[p0, p0+kc) × [j0, j0+nc) as 8-column panels.
void pack_b(const GemmArgs& g, int p0, int kc, int j0, int nc, float* dst) {
  for (int jr = 0; jr < nc; jr += kNR, dst += kNR * kc) {
    const int nr = std::min(kNR, nc - jr);
    if (!g.trans_b) {
      const float* src = g.B + static_cast<long>(p0) * g.ldb + j0 + jr;
      for (int k = 0; k < kc; ++k, src += g.ldb) {
        float* d = dst + k * kNR;
        std::memcpy(d, src, sizeof(float) * nr);
        std::fill(d + nr, d + kNR, 0.0f);
      }
    } else {
      // Stored N×K: each of the panel's 8 columns is a run of one stored row.
      const float* s[kNR];
      for (int c = 0; c < kNR; ++c)
        s[c] = c < nr ? g.B + static_cast<long>(j0 + jr + c) * g.ldb + p0 : kZeros;
      float* d = dst;
      for (int k = 0; k < kc; ++k, d += kNR)
        for (int c = 0; c < kNR; ++c) d[c] = s[c][k];
    }
  }
}

// Partial tiles go through a local 4×8 tile so the kernel never touches C outside M×N.
void edge_tile(int kc, const float* a, const float* b, float* c, int ldc, int mr, int nr,
               bool accumulate) {
  float tile[kMR * kNR];
  if (accumulate)
    for (int r = 0; r < mr; ++r) std::memcpy(tile + r * kNR, c + r * ldc, sizeof(float) * nr);
  gemm_4x8(kc, a, b, tile, kNR, accumulate);
  for (int r = 0; r < mr; ++r) std::memcpy(c + r * ldc, tile + r * kNR, sizeof(float) * nr);
}

void grow(std::vector<float>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}

}  // namespace

void gemm(const GemmArgs& g) {
  if (g.M <= 0 || g.N <= 0) return;
  if (g.K <= 0) {
    if (!g.accumulate)
      for (int i = 0; i < g.M; ++i)
        std::fill(g.C + static_cast<long>(i) * g.ldc, g.C + static_cast<long>(i) * g.ldc + g.N,
                  0.0f);
    return;
  }
  // Grow-only and per thread: after the first call of a size, gemm allocates nothing.
  thread_local std::vector<float> a_pack, b_pack;
  const int kc_max = std::min(kKC, g.K);
  grow(a_pack, static_cast<std::size_t>((std::min(kMC, g.M) + kMR - 1) / kMR * kMR) * kc_max);
  grow(b_pack, static_cast<std::size_t>((std::min(kNC, g.N) + kNR - 1) / kNR * kNR) * kc_max);

  for (int jc = 0; jc < g.N; jc += kNC) {
    const int nc = std::min(kNC, g.N - jc);
    for (int pc = 0; pc < g.K; pc += kKC) {
      const int kc = std::min(kKC, g.K - pc);
      const bool acc = g.accumulate || pc > 0;  // later K blocks add to the first
      pack_b(g, pc, kc, jc, nc, b_pack.data());
      for (int ic = 0; ic < g.M; ic += kMC) {
        const int mc = std::min(kMC, g.M - ic);
        pack_a(g, ic, mc, pc, kc, a_pack.data());
        for (int jr = 0; jr < nc; jr += kNR) {
          const int nr = std::min(kNR, nc - jr);
          const float* b = b_pack.data() + static_cast<long>(jr) * kc;
          for (int ir = 0; ir < mc; ir += kMR) {
            const int mr = std::min(kMR, mc - ir);
            const float* a = a_pack.data() + static_cast<long>(ir) * kc;
            float* c = g.C + static_cast<long>(ic + ir) * g.ldc + jc + jr;
            if (mr == kMR && nr == kNR)
              gemm_4x8(kc, a, b, c, g.ldc, acc);
            else
              edge_tile(kc, a, b, c, g.ldc, mr, nr, acc);
          }
        }
      }
    }
  }
}

}  // namespace digitrain
