#include "optim/sgd.h"

namespace digitrain {

void Sgd::step(const std::vector<Param>& params) {
  ++iterations_;
  const float lr = learning_rate_;
  if (momentum_ == 0.0f) {
    for (const Param& p : params)
      for (long i = 0; i < p.size; ++i) p.value[i] -= lr * p.grad[i];
    return;
  }
  if (velocity_.size() != params.size()) {
    velocity_.clear();
    for (const Param& p : params) velocity_.emplace_back(p.size, 0.0f);
  }
  for (size_t k = 0; k < params.size(); ++k) {
    const Param& p = params[k];
    float* v = velocity_[k].data();
    for (long i = 0; i < p.size; ++i) {
      v[i] = momentum_ * v[i] - lr * p.grad[i];
      p.value[i] += nesterov_ ? momentum_ * v[i] - lr * p.grad[i] : v[i];
    }
  }
}

}  // namespace digitrain
