#pragma once
// Which instances of the micro-kernel (gemm_tile.h) this build uses, by the width of C's
// panels. A tile wider than the product wastes its padded lanes: N = 8 (a conv with 8
// filters) would fill a quarter of an 8×32 AVX-512 tile, so narrow products take tall
// narrow tiles instead. A single row of C (one image's forward, as in predict) would fill
// one row of a tile and waste the rest; it takes a one-row tile as wide as the registers
// allow (RowTile), or 8 wide when N is narrower than that (the CNN's 10 outputs).
#include "kernels/gemm_tile.h"

namespace digitrain {

#if defined(__AVX512F__)
using WideTile = GemmTile<16, 8, 2>;     // 8×32: 16 accumulators; M = 32 or 200 in whole tiles
using MidTile = GemmTile<16, 12, 1>;     // 12×16
using SquareTile = GemmTile<16, 16, 1>;  // 16×16: N in steps of 16, for widths 32 would pad
using NarrowTile = GemmTile<8, 12, 1>;   // 12×8 in ymm registers
using RowTile = GemmTile<16, 1, 4>;      // 1×64: one image's forward (predict)
using NarrowRowTile = GemmTile<8, 1, 1>;  // 1×8
// A convolution's rows of 9-16 channels (T3: 26 pixels × 16) in 6×16 ymm tiles: 12×16 in
// zmm computed 36 rows for 26, and cnn-16-8's step ran 4% slower with it (Zen 4 splits
// zmm operations in two, so the wider registers bring no more arithmetic). Its kernel
// gradient (rows = KW*C, 3 for T3's first layer) takes the same lanes.
using ConvMidTile = GemmTile<8, 6, 2>;
using ConvGradMidTile = ConvMidTile;
#elif defined(__AVX2__) && defined(__FMA__)
using WideTile = GemmTile<8, 6, 2>;      // 6×16: 12 accumulators + 2 B + 1 broadcast = 15 of 16
using MidTile = WideTile;
using NarrowTile = GemmTile<8, 12, 1>;   // 12×8: 12 + 1 + 1
using RowTile = GemmTile<8, 1, 4>;       // 1×32
using NarrowRowTile = GemmTile<8, 1, 1>;  // 1×8
using ConvMidTile = MidTile;
using ConvGradMidTile = MidTile;
#else
using WideTile = GemmTile<4, 4, 2>;      // 4×8: the only tile V8 runs at full speed
using MidTile = WideTile;
using NarrowTile = WideTile;
// 1×16: 1×32 (8 sums) loaded its 8 B vectors before the first multiply, and 8 + 8 + 1
// registers spilled in V8 (--print-wasm-code): one image through 784×300 took 26 us, 21
// in 1×16, and 300×100 3.9 -> 2.5 us.
using RowTile = GemmTile<4, 1, 4>;
using NarrowRowTile = GemmTile<4, 1, 2>;  // 1×8
// A convolution's rows of 9-16 channels as 2×16: the A rows sit C or F floats apart (a
// pointer each), and one 2×16 pass replaced two 4×8 passes over them (T3's input gradient
// 1.29 -> 1.16 ms per batch, its first layer's forward 246 -> 219 us in Node). The kernel
// gradient keeps 4×8 lanes: its 3-row tile of 2×16 lanes would need 12 accumulators.
using ConvMidTile = GemmTile<4, 2, 4>;
using ConvGradMidTile = MidTile;
#endif

// Calls f(Tile{}) with the tile for products whose C is n columns wide (Mid: MidTile, or
// a convolution's ConvMidTile / ConvGradMidTile).
template <class Mid = MidTile, class F>
inline void with_tile_for_width(int n, F&& f) {
  if (n <= NarrowTile::kNR)
    f(NarrowTile{});
  else if (n <= Mid::kNR)
    f(Mid{});
  else
    f(WideTile{});
}

// Calls f(Tile{}) with the tile for a plain product (gemm.h) of m×n, op(A) read transposed or
// not. AVX-512, each model's products timed per tile on a Zen 4 (load 3.5):
//   - a transposed A (the weight gradients Xᵀ·dY, K = the batch) runs fastest in 12×16:
//     mlp-300-100's 784×32·32×300 174 -> 157 us, mlp-128-128's 67-72 -> 61-65 us;
//   - otherwise 16×16 where it pads less than 8×32 (N = 300: 304 columns, not 320):
//     32×784·784×300 152-158 -> 141-145 us; N = 10 (the CNN's dense layer, 12×16 before)
//     79 -> 70 us forward and 67 -> 55 us for its dW.
// Other targets pick by width alone.
template <class F>
inline void with_tile_for_product(int m, int n, bool trans_a, F&& f) {
#if defined(__AVX512F__)
  auto padded = [](int size, int step) { return static_cast<long>((size + step - 1) / step) * step; };
  if (n <= NarrowTile::kNR)
    f(NarrowTile{});
  else if (n <= SquareTile::kNR)
    f(SquareTile{});
  else if (trans_a)
    f(MidTile{});
  else if (padded(m, SquareTile::kMR) * padded(n, SquareTile::kNR) < padded(m, WideTile::kMR) * padded(n, WideTile::kNR))
    f(SquareTile{});
  else
    f(WideTile{});
#else
  (void)m, (void)trans_a;
  with_tile_for_width(n, f);
#endif
}

}  // namespace digitrain
