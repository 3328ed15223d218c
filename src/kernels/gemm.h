#pragma once
// C = alpha·op(A)·op(B) (+ C when accumulate). Row-major everything. alpha = -rate with
// accumulate is a gradient-descent step on C (Dense folds plain SGD into its weight gradient).
//   op(A) is M×K: A stored M×K (lda ≥ K), or, with trans_a, stored K×M (lda ≥ M).
//   op(B) is K×N: B stored K×N (ldb ≥ N), or, with trans_b, stored N×K (ldb ≥ K).
//   C is M×N with row stride ldc ≥ N.
// Runs a SIMD micro-kernel (gemm_tile.h; the instance by N's width and the target's
// vectors, gemm_tiles.h) over panels of A and B. Operands are read in place where their
// layout allows it and packed otherwise (transposed B, A when 5 or more panels of B reuse
// it), so X·W, Xᵀ·dY and dY·Wᵀ all take a fast path. Packing buffers grow once and are
// reused: after the first call of a given size, gemm allocates nothing.
namespace digitrain {

struct GemmArgs {
  int M, N, K;
  const float* A; int lda; bool trans_a;
  const float* B; int ldb; bool trans_b;
  float* C; int ldc;
  bool accumulate;  // C += alpha·op(A)·op(B) instead of C = alpha·op(A)·op(B)
  float alpha = 1.0f;
};

void gemm(const GemmArgs& args);

// The judge: a naive triple loop in double, never optimised. Same contract as gemm.
void gemm_ref(const GemmArgs& args);

}  // namespace digitrain
