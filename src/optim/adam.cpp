#include "optim/adam.h"

#include <cmath>

namespace digitrain {

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
  const float b1 = beta_1_, b2 = beta_2_, one_minus_b1 = 1.0f - beta_1_, one_minus_b2 = 1.0f - beta_2_;
  for (size_t k = 0; k < params.size(); ++k) {
    const Param& p = params[k];
    float* m = m_[k].data();
    float* v = v_[k].data();
    for (long i = 0; i < p.size; ++i) {
      const float g = p.grad[i];
      m[i] = b1 * m[i] + one_minus_b1 * g;
      v[i] = b2 * v[i] + one_minus_b2 * g * g;
      p.value[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon_);
    }
  }
}

nlohmann::json Adam::to_json() const {
  return {{"class_name", "Adam"},
          {"config",
           {{"learning_rate", learning_rate_}, {"beta_1", beta_1_}, {"beta_2", beta_2_}, {"epsilon", epsilon_}}}};
}

}  // namespace digitrain
