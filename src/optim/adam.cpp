#include "optim/adam.h"

#include <cmath>

namespace digitrain {

namespace {
// __restrict: the four arrays never overlap; without it clang (WASM) keeps this loop
// scalar, one sqrt and one division at a time, and it took a third of an MLP step.
void adam_update(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v, long n,
                 float b1, float b2, float lr_t, float epsilon) {
  const float one_minus_b1 = 1.0f - b1, one_minus_b2 = 1.0f - b2;
  for (long i = 0; i < n; ++i) {
    m[i] = b1 * m[i] + one_minus_b1 * g[i];
    v[i] = b2 * v[i] + one_minus_b2 * g[i] * g[i];
    w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon);
  }
}
}  // namespace

void Adam::step(const std::vector<Param>& params) {
  if (m_.size() != params.size()) {
    m_.clear();
    v_.clear();
    for (const Param& p : params) {
      m_.emplace_back(p.size, 0.0f);
      v_.emplace_back(p.size, 0.0f);
    }
  }
  ++iterations_;
  const double t = static_cast<double>(iterations_);
  const float lr_t = static_cast<float>(learning_rate_ * std::sqrt(1.0 - std::pow(beta_2_, t)) /
                                        (1.0 - std::pow(beta_1_, t)));
  for (size_t k = 0; k < params.size(); ++k)
    adam_update(params[k].value, params[k].grad, m_[k].data(), v_[k].data(), params[k].size, beta_1_, beta_2_, lr_t,
                epsilon_);
}

}  // namespace digitrain
