#include "optim/adagrad.h"

#include <cmath>

namespace digitrain {

namespace {
void adagrad_update(float* __restrict w, const float* __restrict g, float* __restrict a, long n, float lr,
                    float epsilon) {
  for (long i = 0; i < n; ++i) {
    a[i] += g[i] * g[i];
    w[i] -= g[i] / std::sqrt(a[i] + epsilon) * lr;  // TF.js' order of operations
  }
}
}  // namespace

void Adagrad::step(const std::vector<Param>& params) {
  if (a_.size() != params.size()) {
    a_.clear();
    for (const Param& p : params) a_.emplace_back(p.size, initial_);
  }
  ++iterations_;
  for (size_t k = 0; k < params.size(); ++k)
    adagrad_update(params[k].value, params[k].grad, a_[k].data(), params[k].size, learning_rate_, epsilon_);
}

}  // namespace digitrain
