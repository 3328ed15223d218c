#pragma once
// The micro-kernel: one MR×NR tile of C (NR = NV vectors of W lanes) from `segs` runs of
// kc steps of an A and a B operand, summed in registers.
//   a  tile element (row r, step k) of run s at a[s*a_seg + r*a_row + k*a_step]
//   b  tile element (step k, column j) of run s at b[s*b_seg + k*b_step + j]: NR
//      adjacent floats
//   c  a full MR×NR tile, row stride ldc: C = alpha·a·b, or C += alpha·a·b when accumulate
// A plain product is one run (segs = 1). Several runs let a convolution read its operands
// in place: each kernel row is one run over an image row, whose patches overlap (rows of
// A or B may share memory), so no im2col copy is made (kernels/conv.h).
// Packed panels are a_row = 1, a_step = MR and b_step = NR. a_row == 1 takes the faster
// loop. Nothing need be aligned. The kernel always reads and writes the whole tile: the
// caller handles edge tiles (zero-padded panels, and a local tile with ldc = NR).
// segs*kc == 0 is allowed (writes zeros, or leaves C unchanged when accumulate).
//
// The tiles in use (kernels/gemm_tiles.h) are all instances of this one source, picked at
// compile time by the target's vectors (-march=native: AVX-512 where present, else AVX2):
//   4×8 (W 4): WASM SIMD and SSE. 8 accumulators + 2 B vectors + 1 broadcast fit 16
//              registers (V8's x64 backend); larger tiles spilled and ran at half speed in
//              V8 (docs/toolchain.md).
//   6×16, 12×8 (W 8): AVX2 + FMA, 16 ymm registers.
//   8×32, 12×16, 16×16 (W 16), 12×8 and 6×16 (W 8): AVX-512, 32 registers.
//   1×16, 1×32, 1×64, 1×8: one row (one image's forward).
#include "kernels/simd.h"

namespace digitrain {

struct TileRuns {
  int segs, kc;
  const float* a;
  long a_seg;
  int a_row, a_step;
  const float* b;
  long b_seg;
  int b_step;
};

template <int W, int MR, int NV>
struct GemmTile {
  static constexpr int kLanes = W, kMR = MR, kNV = NV, kNR = W * NV;
  using V = Vec<W>;

  // A one-row tile of one or two vectors has too few independent sums to hide the add's
  // latency; it keeps 4 vectors of partial sums over alternating steps (summed at the end).
  static constexpr int kSplit = MR == 1 && NV < 4 ? 4 / NV : 1;

  // kAdjacentRows turns the row offsets into load immediates; with a runtime a_row the
  // compiler keeps a pointer per row, more adds per step (about 8% in V8).
  template <bool kAdjacentRows>
  static inline void run_tile(const TileRuns& t, float* c, int ldc, bool accumulate, float alpha) {
    const int row = kAdjacentRows ? 1 : t.a_row;
    V acc[MR][NV];
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = V{};
    V split[kSplit][NV];  // one-row tiles: partial sums of every kSplit-th step
    for (int q = 0; q < kSplit; ++q)
      for (int v = 0; v < NV; ++v) split[q][v] = V{};
    const float* a_run = t.a;
    const float* b_run = t.b;
    for (int s = 0; s < t.segs; ++s, a_run += t.a_seg, b_run += t.b_seg) {
      const float* a = a_run;
      const float* b = b_run;
      int k = 0;
      if constexpr (kSplit > 1) {
        for (; k + kSplit <= t.kc; k += kSplit, a += kSplit * t.a_step, b += kSplit * t.b_step)
          for (int q = 0; q < kSplit; ++q) {
            const V aq = splat<W>(a + q * t.a_step);
            for (int v = 0; v < NV; ++v) split[q][v] += aq * load<W>(b + q * t.b_step + v * W);
          }
      }
      for (; k < t.kc; ++k, a += t.a_step, b += t.b_step) {
        V bv[NV];
        for (int v = 0; v < NV; ++v) bv[v] = load<W>(b + v * W);
        for (int r = 0; r < MR; ++r) {
          const V ar = splat<W>(a + r * row);
          for (int v = 0; v < NV; ++v) acc[r][v] += ar * bv[v];
        }
      }
    }
    if constexpr (kSplit > 1)
      for (int q = 0; q < kSplit; ++q)
        for (int v = 0; v < NV; ++v) acc[0][v] += split[q][v];
    if (alpha != 1.0f)
      for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) acc[r][v] *= alpha;
    if (accumulate) {
      for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) store<W>(c + r * ldc + v * W, acc[r][v] + load<W>(c + r * ldc + v * W));
    } else {
      for (int r = 0; r < MR; ++r)
        for (int v = 0; v < NV; ++v) store<W>(c + r * ldc + v * W, acc[r][v]);
    }
  }

  static void run(const TileRuns& t, float* c, int ldc, bool accumulate, float alpha = 1.0f) {
    if (t.a_row == 1)
      run_tile<true>(t, c, ldc, accumulate, alpha);
    else
      run_tile<false>(t, c, ldc, accumulate, alpha);
  }
};

}  // namespace digitrain
