#include "kernels/conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/elementwise.h"
#include "kernels/gemm_tiles.h"

namespace digitrain {

namespace {

void grow(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

// The runs of a tile as one packed, zero-padded panel: rows (of A) or columns (of B) past
// `n` read zeros. Only edge tiles take this copy.
void pack_a_panel(const TileRuns& t, int n, int width, float* dst) {
  for (int s = 0; s < t.segs; ++s)
    for (int k = 0; k < t.kc; ++k, dst += width) {
      const float* a = t.a + s * t.a_seg + static_cast<long>(k) * t.a_step;
      for (int r = 0; r < width; ++r) dst[r] = r < n ? a[static_cast<long>(r) * t.a_row] : 0.0f;
    }
}
void pack_b_panel(const TileRuns& t, int n, int width, float* dst) {
  for (int s = 0; s < t.segs; ++s)
    for (int k = 0; k < t.kc; ++k, dst += width) {
      const float* b = t.b + s * t.b_seg + static_cast<long>(k) * t.b_step;
      for (int j = 0; j < width; ++j) dst[j] = j < n ? b[j] : 0.0f;
    }
}

// C (M×N, row stride ldc) = Σ over t's runs of A·B (+ C when accumulate), where A's row i
// starts at t.a + i*t.a_row and B's column j at t.b + j. Whole tiles read both in place;
// edge tiles pack what they need.
template <class T>
void product(int M, int N, const TileRuns& t, float* c, int ldc, bool accumulate) {
  constexpr int MR = T::kMR, NR = T::kNR;
  thread_local std::vector<float> a_edge, b_edge;
  const int steps = t.segs * t.kc;
  for (int j0 = 0; j0 < N; j0 += NR) {
    const int nr = std::min(NR, N - j0);
    TileRuns tj = t;
    tj.b = t.b + j0;
    if (nr < NR) {
      grow(b_edge, static_cast<size_t>(steps) * NR);
      pack_b_panel(tj, nr, NR, b_edge.data());
      tj.b = b_edge.data(), tj.b_seg = static_cast<long>(t.kc) * NR, tj.b_step = NR;
    }
    for (int i0 = 0; i0 < M; i0 += MR) {
      int i = i0, mr = std::min(MR, M - i0);
      // Without accumulate, a last partial row tile may overlap the one before: its
      // shared rows are computed twice and written with the same values.
      if (mr < MR && !accumulate && M >= MR) i = M - MR, mr = MR;
      TileRuns ti = tj;
      ti.a = t.a + static_cast<long>(i) * t.a_row;
      if (mr < MR) {
        grow(a_edge, static_cast<size_t>(steps) * MR);
        pack_a_panel(ti, mr, MR, a_edge.data());
        ti.a = a_edge.data(), ti.a_seg = static_cast<long>(t.kc) * MR, ti.a_row = 1, ti.a_step = MR;
      }
      float* ct = c + static_cast<long>(i) * ldc + j0;
      if (mr == MR && nr == NR) {
        T::run(ti, ct, ldc, accumulate);
        continue;
      }
      float tile[MR * NR];
      if (accumulate)
        for (int r = 0; r < mr; ++r) std::memcpy(tile + r * NR, ct + r * ldc, sizeof(float) * nr);
      T::run(ti, tile, NR, accumulate);
      for (int r = 0; r < mr; ++r) std::memcpy(ct + r * ldc, tile + r * NR, sizeof(float) * nr);
    }
  }
}

// Below this many multiply-adds a convolution runs on one thread (one image's predict):
// a split costs a few microseconds (docs/toolchain.md "Threads").
constexpr long kMinSplitWork = 1L << 17;

// Calls rows(begin, end) over [0, units) split across the kernel pool when the work
// (multiply-adds) pays for it. Every unit is a set of outputs of its own, computed the same
// way whoever runs it: results do not depend on the thread count.
template <class Fn>
void split_units(int units, long work, Fn&& rows) {
  // Without threads in the build no split code is compiled (the page's module size).
  if constexpr (!DIGITRAIN_THREADS) return rows(0, units);
  const int parts = std::min(thread_count(), units);
  if (parts < 2 || work < kMinSplitWork) return rows(0, units);
  parallel_for(parts, [&](int part) {
    int begin, end;
    split_range(units, parts, part, begin, end);
    rows(begin, end);
  });
}

}  // namespace

void conv_forward(const ConvGeometry& g, int F, int batch, const float* x, const float* kernel, float* y,
                  const float* bias, bool relu) {
  const int OH = g.out_h(), OW = g.out_w();
  const long row = static_cast<long>(g.W) * g.C;
  const long work = static_cast<long>(batch) * OH * OW * F * g.patch();
  with_tile_for_width<ConvMidTile>(F, [&](auto tile) {
    // Split by output rows across the pool.
    split_units(batch * OH, work, [&](int begin, int end) {
      for (int r = begin; r < end; ++r) {
        const int n = r / OH, oy = r % OH;
        // Output row (n, oy): OW pixels × F = Σ_ky patches of input row oy·SH+ky · kernel row ky.
        const TileRuns t{g.KH,
                         g.KW * g.C,
                         x + (static_cast<long>(n) * g.H + static_cast<long>(oy) * g.SH) * row,
                         row,
                         g.SW * g.C,
                         1,
                         kernel,
                         static_cast<long>(g.KW) * g.C * F,
                         F};
        float* y_row = y + (static_cast<long>(n) * OH + oy) * OW * F;
        product<decltype(tile)>(OW, F, t, y_row, F, false);
        add_bias_relu(y_row, OW, F, bias, relu);
      }
    });
  });
}

// Calls f(Tile{}) with a tile of exactly `rows` rows when that is fewer than T's: a
// product of 1-4 rows (a first layer's kernel rows, KW*C = 3 for T3) would otherwise pack
// every step into a mostly empty panel.
template <class T, class Fn>
void with_tile_for_rows(int rows, Fn&& f) {
  constexpr int W = T::kLanes, NV = T::kNV;
  if (rows >= T::kMR || rows > 4) return f(T{});
  switch (rows) {
    case 1: return f(GemmTile<W, 1, NV>{});
    case 2: return f(GemmTile<W, 2, NV>{});
    case 3: return f(GemmTile<W, 3, NV>{});
    default: return f(GemmTile<W, 4, NV>{});
  }
}

void conv_kernel_grad(const ConvGeometry& g, int F, int batch, const float* x, const float* dz, float* dkernel) {
  const int OH = g.out_h(), OW = g.out_w(), span = g.KW * g.C;
  const long row = static_cast<long>(g.W) * g.C;
  const long work = static_cast<long>(batch) * OH * OW * F * g.patch();
  with_tile_for_width<ConvGradMidTile>(F, [&](auto wide) {
    with_tile_for_rows<decltype(wide)>(span, [&](auto tile) {
      // Split by (kernel row, column panel of F) across the pool: each sums its own outputs
      // over the batch in the same order whoever runs it.
      constexpr int NR = decltype(tile)::kNR;
      const int panels = (F + NR - 1) / NR;
      split_units(g.KH * panels, work, [&](int begin, int end) {
        for (int u = begin; u < end; ++u) {
          const int ky = u / panels, j0 = u % panels * NR, nf = std::min(NR, F - j0);
          for (int n = 0; n < batch; ++n) {
            // Kernel row ky (KW*C × F) += Σ over the image's rows of patchesᵀ · dz row: A row
            // (kx, c) at step ox is x[n, oy·SH+ky, ox·SW+kx, c], one float further per A row.
            const TileRuns t{OH, OW,         x + (static_cast<long>(n) * g.H + ky) * row,    g.SH * row,
                             1,  g.SW * g.C, dz + static_cast<long>(n) * OH * OW * F + j0, static_cast<long>(OW) * F,
                             F};
            product<decltype(tile)>(span, nf, t, dkernel + static_cast<long>(ky) * span * F + j0, F, n > 0);
          }
        }
      });
    });
  });
  if (batch <= 0) std::fill_n(dkernel, static_cast<long>(g.KH) * span * F, 0.0f);
}

// dz's rows padded (and, with a stride, spread) to PW = W + KW - 1 pixels: KW-1 zeros, then
// pixel ox at KW-1 + ox·SW, zeros to the end, so every window of dx's W pixels reads in bounds.
size_t conv_input_grad_scratch(const ConvGeometry& g, int F, int batch) {
  const size_t padded_w = static_cast<size_t>(g.W) + g.KW - 1;
  return static_cast<size_t>(batch) * g.out_h() * padded_w * F + static_cast<size_t>(g.KH) * g.KW * g.C * F;
}

void conv_input_grad(const ConvGeometry& g, int F, int batch, const float* dz, const float* kernel, float* dx,
                     float* scratch, const float* relu_mask) {
  const int OH = g.out_h(), OW = g.out_w(), PW = g.W + g.KW - 1;
  const long padded_row = static_cast<long>(PW) * F, span = static_cast<long>(g.KW) * F;
  float* dzp = scratch;
  for (long r = 0; r < static_cast<long>(batch) * OH; ++r) {
    float* d = dzp + r * padded_row;
    const float* src = dz + r * OW * F;
    if (g.SW == 1) {
      std::fill_n(d, (g.KW - 1) * F, 0.0f);
      std::memcpy(d + (g.KW - 1) * F, src, sizeof(float) * OW * F);
      std::fill_n(d + (g.KW - 1 + OW) * F, padded_row - (g.KW - 1 + OW) * F, 0.0f);
    } else {
      std::fill_n(d, padded_row, 0.0f);
      for (int ox = 0; ox < OW; ++ox)
        std::memcpy(d + (g.KW - 1 + static_cast<long>(ox) * g.SW) * F, src + static_cast<long>(ox) * F,
                    sizeof(float) * F);
    }
  }
  // flipped[ky][(kx', f)][c] = kernel[ky][KW-1-kx'][c][f]: the kernel mirrored along x, with
  // filters and channels swapped.
  float* flipped = dzp + static_cast<long>(batch) * OH * padded_row;
  for (int ky = 0; ky < g.KH; ++ky)
    for (int kx = 0; kx < g.KW; ++kx)
      for (int c = 0; c < g.C; ++c)
        for (int f = 0; f < F; ++f)
          flipped[((static_cast<long>(ky) * g.KW + (g.KW - 1 - kx)) * F + f) * g.C + c] =
              kernel[((static_cast<long>(ky) * g.KW + kx) * g.C + c) * F + f];
  const long work = static_cast<long>(batch) * OH * OW * F * g.patch();
  with_tile_for_width<ConvMidTile>(g.C, [&](auto tile) {
    // Split by rows of dx across the pool (the padding and flip above stay on one thread:
    // copies, a few percent of the time).
    split_units(batch * g.H, work, [&](int begin, int end) {
      for (int r = begin; r < end; ++r) {
        const int n = r / g.H, iy = r % g.H;
        // dx row (n, iy): W pixels × C = Σ_ky padded dz row oy = (iy-ky)/SH, windows of KW
        // pixels one pixel apart, · flipped kernel row ky; only the ky with iy-ky a multiple
        // of SH and 0 ≤ oy < OH meet an output row (none: the row is 0).
        const int ky_lo = std::max(0, iy - (OH - 1) * g.SH), ky1 = std::min(g.KH - 1, iy);
        const int ky0 = ky_lo + (iy - ky_lo) % g.SH;
        const int runs = ky0 > ky1 ? 0 : (ky1 - ky0) / g.SH + 1;
        const long oy0 = runs == 0 ? 0 : (iy - ky0) / g.SH;
        const TileRuns t{runs,
                         static_cast<int>(span),
                         dzp + (static_cast<long>(n) * OH + oy0) * padded_row,
                         -padded_row,
                         F,
                         1,
                         flipped + (runs == 0 ? 0 : ky0 * span * g.C),
                         g.SH * span * g.C,
                         g.C};
        const long row = (static_cast<long>(n) * g.H + iy) * g.W * g.C;
        product<decltype(tile)>(g.W, g.C, t, dx + row, g.C, false);
        if (relu_mask) mask_where_not_positive(relu_mask + row, dx + row, static_cast<long>(g.W) * g.C);
      }
    });
  });
}

}  // namespace digitrain
