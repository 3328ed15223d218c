#pragma once
// Adam with Keras' update rule and defaults (lr 0.001, beta_1 0.9, beta_2 0.999, eps 1e-7):
//   m = b1·m + (1-b1)·g;  v = b2·v + (1-b2)·g²
//   w -= lr·sqrt(1-b2^t)/(1-b1^t) · m / (sqrt(v) + eps)
// Keras adds epsilon to sqrt(v) before bias correction; TF.js adds it after. They differ
// only where |g| is near epsilon.
#include "optim/optimizer.h"

namespace digitrain {

class Adam final : public Optimizer {
 public:
  explicit Adam(float learning_rate = 0.001f, float beta_1 = 0.9f, float beta_2 = 0.999f, float epsilon = 1e-7f)
      : Optimizer(learning_rate), beta_1_(beta_1), beta_2_(beta_2), epsilon_(epsilon) {}
  const char* class_name() const override { return "Adam"; }
  void step(const std::vector<Param>& params) override;
  nlohmann::json to_json() const override;
  void reset_state() override {
    Optimizer::reset_state();
    m_.clear();
    v_.clear();
  }

 private:
  float beta_1_, beta_2_, epsilon_;
  std::vector<std::vector<float>> m_, v_;  // sized on the first step only
};

}  // namespace digitrain
