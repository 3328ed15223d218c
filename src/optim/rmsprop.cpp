#include "optim/rmsprop.h"

#include <cmath>

namespace digitrain {

namespace {
// __restrict for the same reason as Adam's loop: clang (WASM) vectorises it only then.
void rmsprop_update(float* __restrict w, const float* __restrict g, float* __restrict v, long n, float rho,
                    float one_minus_rho, float lr, float epsilon) {
  for (long i = 0; i < n; ++i) {
    v[i] = rho * v[i] + one_minus_rho * (g[i] * g[i]);
    w[i] -= lr * g[i] / std::sqrt(v[i] + epsilon);
  }
}

void rmsprop_momentum_update(float* __restrict w, const float* __restrict g, float* __restrict v, float* __restrict m,
                             long n, float rho, float one_minus_rho, float lr, float momentum, float epsilon) {
  for (long i = 0; i < n; ++i) {
    v[i] = rho * v[i] + one_minus_rho * (g[i] * g[i]);
    m[i] = momentum * m[i] + lr * g[i] / std::sqrt(v[i] + epsilon);
    w[i] -= m[i];
  }
}
// Centered, with or without momentum (m null): the mean gradient mg turns the mean square
// into a variance. Keras' order: (v - mg²) + eps.
void rmsprop_centered_update(float* __restrict w, const float* __restrict g, float* __restrict v,
                             float* __restrict mg, float* __restrict m, long n, float rho, float one_minus_rho,
                             float lr, float momentum, float epsilon) {
  for (long i = 0; i < n; ++i) {
    v[i] = rho * v[i] + one_minus_rho * (g[i] * g[i]);
    mg[i] = rho * mg[i] + one_minus_rho * g[i];
    const float step = lr * g[i] / std::sqrt(v[i] - mg[i] * mg[i] + epsilon);
    if (m) {
      m[i] = momentum * m[i] + step;
      w[i] -= m[i];
    } else {
      w[i] -= step;
    }
  }
}
}  // namespace

void RmsProp::step(const std::vector<Param>& params) {
  if (v_.size() != params.size()) {
    v_.clear();
    m_.clear();
    mg_.clear();
    for (const Param& p : params) {
      v_.emplace_back(p.size, 0.0f);
      if (momentum_ != 0.0f) m_.emplace_back(p.size, 0.0f);
      if (centered_) mg_.emplace_back(p.size, 0.0f);
    }
  }
  ++iterations_;
  const float rho = static_cast<float>(rho_), one_minus_rho = static_cast<float>(1.0 - rho_);
  for (size_t k = 0; k < params.size(); ++k) {
    const Param& p = params[k];
    if (centered_)
      rmsprop_centered_update(p.value, p.grad, v_[k].data(), mg_[k].data(), momentum_ == 0.0f ? nullptr : m_[k].data(),
                              p.size, rho, one_minus_rho, learning_rate_, momentum_, epsilon_);
    else if (momentum_ == 0.0f)
      rmsprop_update(p.value, p.grad, v_[k].data(), p.size, rho, one_minus_rho, learning_rate_, epsilon_);
    else
      rmsprop_momentum_update(p.value, p.grad, v_[k].data(), m_[k].data(), p.size, rho, one_minus_rho, learning_rate_,
                              momentum_, epsilon_);
  }
}

}  // namespace digitrain
