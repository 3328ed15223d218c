#include "kernels/gemm.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/gemm_tiles.h"

namespace digitrain {

namespace {

// A kc×NR panel of B (≤ 32 KB) stays in L1/L2 while the mc×kc block of A (≤ 128 KB) is
// reused from L2.
constexpr int kKC = 256, kMC = 128, kNC = 1024;
// A is packed only when at least this many B panels reuse the copy. For fewer, the copy
// costs more than the kernel's slower strided loop: conv forward (N = 8) spent half its
// time packing A, and reading in place took it from 17 to ~30 GFLOP/s in V8. Xᵀ read in
// place touches one cache line per step and row tile: packing it took mlp-256's dW
// (784×200·200×256) from 30 to 37 GFLOP/s in V8.
constexpr int kPackAMinPanels = 5;

// Lanes past an edge of A or B read zeros from here. They feed only tile rows and columns
// that edge_tile discards, but must not read past the operand, and garbage could be a
// denormal or NaN, which are slow on x86.
const float kZeros[kKC] = {};

// rows r0..r3 in, columns out.
inline void transpose4(v4f& r0, v4f& r1, v4f& r2, v4f& r3) {
  const v4f t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5);
  const v4f t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
  const v4f t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);
  const v4f t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
  r0 = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  r1 = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  r2 = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  r3 = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

// dst[k*width + r] = run[r][k] for r < 4: four runs of kc floats become 4 adjacent panel
// lanes, 4×4 blocks transposed in registers (a scalar gather was 2-3× slower in V8).
void interleave4(const float* const run[4], int kc, float* dst, int width) {
  int k = 0;
  for (; k + 4 <= kc; k += 4) {
    v4f r0 = load4(run[0] + k), r1 = load4(run[1] + k), r2 = load4(run[2] + k),
        r3 = load4(run[3] + k);
    transpose4(r0, r1, r2, r3);
    float* d = dst + k * width;
    store4(d, r0), store4(d + width, r1), store4(d + 2 * width, r2), store4(d + 3 * width, r3);
  }
  for (; k < kc; ++k)
    for (int r = 0; r < 4; ++r) dst[k * width + r] = run[r][k];
}

// dst[k*width + j] = run[j][k] for j < n (n ≤ width, width a multiple of 4), zeros up to
// width: `n` runs of kc floats become the lanes of a panel, in groups of 4.
void interleave(const float* const* run, int n, int kc, float* dst, int width) {
  for (int j0 = 0; j0 < width; j0 += 4) {
    const float* group[4];
    for (int q = 0; q < 4; ++q) group[q] = j0 + q < n ? run[j0 + q] : kZeros;
    interleave4(group, kc, dst + j0, width);
  }
}

// dst[k*width + j] = src[k*ld + j] for j < n, 0 up to width: the edge panel of an operand
// whose full panels are read in place.
void copy_edge_panel(const float* src, int ld, int n, int kc, float* dst, int width) {
  for (int k = 0; k < kc; ++k, src += ld, dst += width)
    for (int j = 0; j < width; ++j) dst[j] = j < n ? src[j] : 0.0f;
}

void grow(std::vector<float>& v, long n) {
  if (static_cast<long>(v.size()) < n) v.resize(n);
}

// Blocking and packing around one micro-kernel instance T (gemm_tile.h).
template <class T>
struct Blocked {
  static constexpr int MR = T::kMR, NR = T::kNR;
  // Whole tiles per block.
  static constexpr int kMCt = (kMC + MR - 1) / MR * MR, kNCt = kNC / NR * NR;

  // B stored K×N is read in place, but for the 8-column tile (WASM) when at least 16 row
  // tiles reuse each panel: rows 1 KB apart (N = 256) map onto a few L1 sets, and the
  // 196 rows of a panel evicted each other. Packing took mlp-256's forward and dW from 37-39
  // to 43-44 GFLOP/s in V8; natively (wider tiles, whole cache lines per row) it did not help.
  static bool b_packed(const GemmArgs& g) { return NR <= 8 && g.M >= 16 * MR; }

  static bool a_in_place(const GemmArgs& g, int mr) {
    const int b_panels = (g.N + NR - 1) / NR;
    return mr == MR && b_panels < kPackAMinPanels;
  }

  // Packs the panels of op(A)[i0, i0+mc) × [p0, p0+kc) that are not read in place.
  static void pack_a(const GemmArgs& g, int i0, int mc, int p0, int kc, float* dst) {
    for (int ir = 0; ir < mc; ir += MR) {
      const int mr = std::min(MR, mc - ir);
      if (a_in_place(g, mr)) continue;
      float* d = dst + static_cast<long>(ir) * kc;
      if (g.trans_a) {
        const float* src = g.A + static_cast<long>(p0) * g.lda + i0 + ir;
        if (mr == MR && MR % 4 == 0) {
          for (int k = 0; k < kc; ++k, src += g.lda)
            for (int r = 0; r < MR; r += 4) store4(d + k * MR + r, load4(src + r));
        } else {
          copy_edge_panel(src, g.lda, mr, kc, d, MR);
        }
      } else {
        const float* run[MR];
        for (int r = 0; r < mr; ++r) run[r] = g.A + static_cast<long>(i0 + ir + r) * g.lda + p0;
        if (MR % 4 == 0) {
          interleave(run, mr, kc, d, MR);
        } else {  // rare: a tile height that is not a multiple of 4
          for (int k = 0; k < kc; ++k)
            for (int r = 0; r < MR; ++r) d[k * MR + r] = r < mr ? run[r][k] : 0.0f;
        }
      }
    }
  }

  static TileRuns a_operand(const GemmArgs& g, int i, int p0, int kc, int mr, const float* packed) {
    TileRuns t{1, kc, packed, 0, 1, MR, nullptr, 0, 0};
    if (!a_in_place(g, mr)) return t;
    if (g.trans_a) {
      t.a = g.A + static_cast<long>(p0) * g.lda + i;
      t.a_step = g.lda;
    } else {
      t.a = g.A + static_cast<long>(i) * g.lda + p0;
      t.a_row = g.lda;
      t.a_step = 1;
    }
    return t;
  }

  // B stored K×N is read in place but for its edge panel (and b_packed); B stored N×K is
  // always packed.
  static void pack_b(const GemmArgs& g, int p0, int kc, int j0, int nc, float* dst) {
    for (int jr = 0; jr < nc; jr += NR) {
      const int nr = std::min(NR, nc - jr);
      float* d = dst + static_cast<long>(jr) * kc;
      if (!g.trans_b) {
        if ((nr < NR && !b_shifted(g)) || b_packed(g))
          copy_edge_panel(g.B + static_cast<long>(p0) * g.ldb + j0 + jr, g.ldb, nr, kc, d, NR);
      } else {
        const float* run[NR];
        for (int c = 0; c < nr; ++c) run[c] = g.B + static_cast<long>(j0 + jr + c) * g.ldb + p0;
        interleave(run, nr, kc, d, NR);
      }
    }
  }

  // The edge panel of B read in place is the last NR columns, overlapping the panel before:
  // copying the edge panel instead cost more than the product when K is large and N small
  // (one image through the CNN's dense layer, 1×4608·4608×10: 41 -> 7 us natively).
  static bool b_shifted(const GemmArgs& g) { return !g.trans_b && !b_packed(g) && g.N >= NR; }

  // Returns how many columns the panel was shifted left (edge_tile skips them).
  static int set_b(const GemmArgs& g, int p0, int j, int nr, const float* packed, TileRuns& t) {
    const int shift = nr < NR && b_shifted(g) ? NR - nr : 0;
    if (!g.trans_b && (nr == NR || shift > 0) && !b_packed(g)) {
      t.b = g.B + static_cast<long>(p0) * g.ldb + j - shift;
      t.b_step = g.ldb;
      return shift;
    } else {
      t.b = packed;
      t.b_step = NR;
      return 0;
    }
  }

  // Partial tiles go through a local tile so the kernel never touches C outside M×N. A
  // shifted panel's first `shift` columns belong to the panel before and are dropped.
  static void edge_tile(const TileRuns& t, float* c, int ldc, int mr, int nr, int shift, bool accumulate, float alpha) {
    float tile[MR * NR];
    if (shift == 0) {
      if (accumulate)
        for (int r = 0; r < mr; ++r) std::memcpy(tile + r * NR, c + r * ldc, sizeof(float) * nr);
      T::run(t, tile, NR, accumulate, alpha);
      for (int r = 0; r < mr; ++r) std::memcpy(c + r * ldc, tile + r * NR, sizeof(float) * nr);
      return;
    }
    T::run(t, tile, NR, /*accumulate=*/false, alpha);
    for (int r = 0; r < mr; ++r)
      for (int q = 0; q < nr; ++q) {
        const float v = tile[r * NR + shift + q];
        c[r * ldc + q] = accumulate ? c[r * ldc + q] + v : v;
      }
  }

  static void gemm(const GemmArgs& g) {
    // Equal K blocks: K = 784 as 4×196 rather than 3×256 + 16, whose thin last block would
    // cost a whole pass over C for little work.
    const int k_blocks = (g.K + kKC - 1) / kKC;
    const int kc_max = (g.K + k_blocks - 1) / k_blocks;

    // Grow-only and per thread: after the first call of a size, gemm allocates nothing.
    thread_local std::vector<float> a_pack, b_pack;
    grow(a_pack, static_cast<long>((std::min(kMCt, g.M) + MR - 1) / MR * MR) * kc_max);
    grow(b_pack, static_cast<long>((std::min(kNCt, g.N) + NR - 1) / NR * NR) * kc_max);

    for (int jc = 0; jc < g.N; jc += kNCt) {
      const int nc = std::min(kNCt, g.N - jc);
      for (int pc = 0; pc < g.K; pc += kc_max) {
        const int kc = std::min(kc_max, g.K - pc);
        const bool acc = g.accumulate || pc > 0;  // later K blocks add to the first
        pack_b(g, pc, kc, jc, nc, b_pack.data());
        for (int ic = 0; ic < g.M; ic += kMCt) {
          const int mc = std::min(kMCt, g.M - ic);
          pack_a(g, ic, mc, pc, kc, a_pack.data());
          for (int jr = 0; jr < nc; jr += NR) {
            const int nr = std::min(NR, nc - jr);
            const float* b_packed = b_pack.data() + static_cast<long>(jr) * kc;
            for (int ir = 0; ir < mc; ir += MR) {
              const int mr = std::min(MR, mc - ir);
              TileRuns t = a_operand(g, ic + ir, pc, kc, mr, a_pack.data() + static_cast<long>(ir) * kc);
              const int shift = set_b(g, pc, jc + jr, nr, b_packed, t);
              float* c = g.C + static_cast<long>(ic + ir) * g.ldc + jc + jr;
              if (mr == MR && nr == NR)
                T::run(t, c, g.ldc, acc, g.alpha);
              else
                edge_tile(t, c, g.ldc, mr, nr, shift, acc, g.alpha);
            }
          }
        }
      }
    }
  }
};

// Below this many multiply-adds a product runs on one thread: a split costs a few
// microseconds (docs/toolchain.md "Threads"), about what 2^17 multiply-adds take.
constexpr long kMinSplitWork = 1L << 17;

// Splits C by column panels across the kernel pool (core/thread_pool.h): each thread runs
// the same blocking on panels [p0, p1) of B and C, with the tile chosen for the whole
// product. Every element of C is still summed by the same tile over the same K blocks in
// the same order, so the result is bit-identical to one thread's. Each thread packs its
// own copy of A (thread_local buffers) when A is packed.
template <class T>
void gemm_split(const GemmArgs& g) {
  // Without threads in the build no split code is compiled (the page's module size).
  if constexpr (!DIGITRAIN_THREADS) return Blocked<T>::gemm(g);
  constexpr int NR = T::kNR;
  const int panels = (g.N + NR - 1) / NR;
  const int parts = std::min(thread_count(), panels);
  if (parts < 2 || static_cast<long>(g.M) * g.N * g.K < kMinSplitWork) return Blocked<T>::gemm(g);
  parallel_for(parts, [&](int part) {
    int p0, p1;
    split_range(panels, parts, part, p0, p1);
    GemmArgs s = g;
    const int j0 = p0 * NR;
    s.N = std::min(g.N, p1 * NR) - j0;
    s.B = g.trans_b ? g.B + static_cast<long>(j0) * g.ldb : g.B + j0;
    s.C = g.C + j0;
    Blocked<T>::gemm(s);
  });
}

}  // namespace

void gemm(const GemmArgs& g) {
  if (g.M <= 0 || g.N <= 0) return;
  assert(g.lda >= (g.trans_a ? g.M : g.K) && g.ldb >= (g.trans_b ? g.K : g.N) && g.ldc >= g.N);
  if (g.K <= 0) {
    if (!g.accumulate)
      for (int i = 0; i < g.M; ++i) std::fill_n(g.C + static_cast<long>(i) * g.ldc, g.N, 0.0f);
    return;
  }
  if (g.M == 1 && g.N >= RowTile::kNR)
    gemm_split<RowTile>(g);
  else if (g.M == 1 && g.N >= NarrowRowTile::kNR)
    gemm_split<NarrowRowTile>(g);
  else
    with_tile_for_product(g.M, g.N, g.trans_a, [&](auto tile) { gemm_split<decltype(tile)>(g); });
}

}  // namespace digitrain
