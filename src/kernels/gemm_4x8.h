#pragma once
// The 4×8 micro-kernel: one tile of C from kc steps of packed panels.
//   a_panel  kc×4, k-major: a_panel[k*4 + r] = op(A)(row r, k)
//   b_panel  kc×8, k-major: b_panel[k*8 + j] = op(B)(k, column j)
//   c        a full 4×8 tile, row stride ldc; C = panel product, or C += it when accumulate.
// No alignment is assumed anywhere. The kernel always writes all 32 elements: the caller
// handles edge tiles (it zero-pads the panels and passes a local 4×8 tile, ldc = 8).
// kc == 0 is allowed (writes zeros, or leaves C unchanged when accumulate).
namespace digitrain {

void gemm_4x8(int kc, const float* a_panel, const float* b_panel, float* c, int ldc,
              bool accumulate);

}  // namespace digitrain
