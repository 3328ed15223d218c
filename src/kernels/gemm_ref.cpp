#include "kernels/gemm.h"

namespace digitrain {

// Deliberately the plainest loop: every element summed in double, in k order. Tests trust
// it, so it must stay obviously right rather than fast.
void gemm_ref(const GemmArgs& g) {
  for (int i = 0; i < g.M; ++i)
    for (int j = 0; j < g.N; ++j) {
      double sum = 0.0;
      for (int k = 0; k < g.K; ++k) {
        const float a = g.trans_a ? g.A[static_cast<long>(k) * g.lda + i]
                                  : g.A[static_cast<long>(i) * g.lda + k];
        const float b = g.trans_b ? g.B[static_cast<long>(j) * g.ldb + k]
                                  : g.B[static_cast<long>(k) * g.ldb + j];
        sum += static_cast<double>(a) * b;
      }
      float& c = g.C[static_cast<long>(i) * g.ldc + j];
      sum *= g.alpha;
      c = static_cast<float>(g.accumulate ? c + sum : sum);
    }
}

}  // namespace digitrain
